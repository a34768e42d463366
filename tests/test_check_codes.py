"""Stable codes (issue #9 §6): every problem a reader of record files can produce carries a code of
domain/audit.CODES, given where the problem is found (no wording searched for afterwards)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tousu.domain import audit
from tousu.storage import parsecache, records

RECORD = """\
id: TS202611020001
received_at: '2026-11-02T09:00:00+08:00'
channel: 来电
received_by: 张三
customer:
  name: 王小明
  phone: '13912345678'
category: 服务质量类
item: 服务态度
content: 抄表员态度生硬
history:
- action: add
  at: '2026-11-02T09:00:00+08:00'
  by: 张三
- action: dispatch
  at: '2026-11-02T10:00:00+08:00'
  by: 张三
  unit: 城关供电所
- action: contact
  at: '2026-11-02T11:00:00+08:00'
  by: 李四
"""

# (what is changed, into what): each a different way a hand edit or a disk can break a record.
BREAKS = [
    ("history:", "history: ["),  # not YAML
    ("id: TS202611020001\n", "id: &a TS202611020001\nref: *a\n"),  # an alias
    (RECORD, "- 1\n- 2\n"),  # not a record at all
    ("channel: 来电\n", "channel: 来电\ncolour: 红\n"),  # an unknown key
    ("item: 服务态度\n", ""),  # a required key missing
    ("content: 抄表员态度生硬", "content: [1, 2]"),  # a text that is a list
    ("customer:\n", "customer: 王小明\nx:\n"),  # customer not a mapping (and an unknown key)
    ("  phone: '13912345678'\n", "  phone: '13912345678'\n  age: 3\n"),  # an unknown customer key
    ("id: TS202611020001", "id: TS2026110201"),  # a malformed ID
    ("id: TS202611020001", "id: TS202611020002"),  # ID and file name differ
    ("received_at: '2026-11-02T09:00:00+08:00'", "received_at: 昨天"),  # not a time
    ("received_at: '2026-11-02T09:00:00+08:00'", "received_at: [1]"),  # a list for a time
    ("- action: contact", "- action: 联系"),  # an unknown action
    ("  unit: 城关供电所\n", ""),  # a dispatch without its unit
    ("  by: 李四\n", ""),  # an event without `by`
    ("  by: 李四\n", "  by: 李四\n  colour: 红\n"),  # an unknown event key
    ("  by: 李四\n", "  by: 李四\n  verified: 是\n"),  # not a boolean
    ("  by: 李四\n", "  by: 李四\n  amount: 三百\n"),  # not an amount
    ("  by: 李四\n", "  by: 李四\n  note: [1]\n"),  # a list for a text
    ("- action: contact\n  at: '2026-11-02T11:00:00+08:00'\n  by: 李四\n", "- 联系过了\n"),  # not a mapping
    ("history:\n", "history: 无\nx:\n"),  # history not a list
    ("T11:00:00", "T08:00:00"),  # E102: before the dispatch it follows
    ("- action: add", "- action: contact"),  # E101: does not open with the 受理
    ("- action: add\n  at: '2026-11-02T09:00:00+08:00'", "- action: add\n  at: '2026-11-02T09:30:00+08:00'"),  # E101
]


def _problems(path: Path, text: str) -> list:
    path.write_text(text, encoding="utf-8")
    return records.read(path)[1]


def test_the_sample_record_reads_clean(tmp_path: Path) -> None:
    assert _problems(tmp_path / "TS202611020001.yaml", RECORD) == []


@pytest.mark.parametrize("old, new", BREAKS)
def test_every_reading_problem_carries_a_listed_code(tmp_path: Path, old: str, new: str) -> None:
    assert old in RECORD
    found = _problems(tmp_path / "TS202611020001.yaml", RECORD.replace(old, new, 1))
    assert found and all(p.code in audit.CODES for p in found), [str(p) for p in found]


def test_the_codes_of_intake_and_time_order(tmp_path: Path) -> None:
    path = tmp_path / "TS202611020001.yaml"
    assert {p.code for p in _problems(path, RECORD.replace("- action: add", "- action: contact", 1))} == {"E101"}
    assert {p.code for p in _problems(path, RECORD.replace("T11:00:00", "T08:00:00"))} == {"E102"}
    assert {p.code for p in _problems(path, RECORD.replace("history:", "history: ["))} == {"E100"}
    empty = RECORD[:RECORD.index("- action: add")].replace("history:\n", "history: []\n")
    assert {p.code for p in _problems(path, empty)} == {"E101"}


def test_files_that_cannot_be_read_carry_a_code(tmp_path: Path) -> None:
    folder = tmp_path / "complaints" / "2026-11"
    folder.mkdir(parents=True)
    (folder / "TS202611020001.yaml").mkdir()  # a folder by a record's name
    (folder / "TS202611020002.yaml").write_bytes(b"\xff\xfe" + RECORD.encode("utf-16-le"))  # not UTF-8
    (folder / "TS202611020003.yaml").write_text(RECORD + "#" * 100, encoding="utf-8")  # over the limit below
    os.symlink("/etc/hostname", folder / "TS202611020004.yaml")  # a link out of the data folder
    paths = sorted(folder.iterdir())
    for p in paths:
        found = records.read(p, max_bytes=len(RECORD.encode()) + 50)[1]
        assert [p.code for p in found] == ["E100"], [str(p) for p in found]
    # the parse cache reads the same bytes itself: its problems are the same
    cached = parsecache.read_all(tmp_path, paths * 100, len(RECORD.encode()) + 50)
    assert {p.code for _, found in cached for p in found} == {"E100"}


def test_the_codes_are_listed_with_their_meaning_in_the_readme(repo_root: Path) -> None:
    readme = repo_root.joinpath("README.md").read_text(encoding="utf-8")
    for code, meaning in audit.CODES.items():
        assert f"| `{code}` | {meaning} |" in readme, code
