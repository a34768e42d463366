"""Records and the data folder (SPEC §7): stable key order, UTF-8, append-only history, atomic, concurrent."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from conftest import Cli
from foundation_helpers import REPLY, fcli, ok, record_path, rules_file, walk  # noqa: F401
from tousu.storage import records
from tousu.domain.model import Event
from tousu.storage.store import Store
from tousu.timeutil import CHINA

TOP_KEYS = ["id", "ref", "received_at", "channel", "received_by", "customer", "category", "item", "content",
            "attitude", "severity", "escalated_to", "history", "seal"]


def test_record_file_layout_key_order_and_utf8(fcli: Cli, data_dir: Path) -> None:
    cid = fcli.add(ref="95598-2611020001", address="城关镇解放路1号")
    path = record_path(data_dir, cid)
    assert path == data_dir / "complaints" / "2026-11" / "TS202611020001.yaml"
    raw = path.read_bytes()
    assert "王小明".encode("utf-8") in raw and "城关镇解放路1号".encode("utf-8") in raw
    assert b"\\u" not in raw  # no escaped Chinese
    text = raw.decode("utf-8")
    assert text.startswith(f"# 投诉工单 {cid}：")
    data = yaml.safe_load(text)
    assert list(data) == TOP_KEYS
    assert list(data["customer"]) == ["name", "phone", "address", "account"]
    assert data["received_at"] == "2026-11-02T09:00:00+08:00" or \
        str(data["received_at"]) in ("2026-11-02 09:00:00+08:00",)
    # Each event is sealed (a short hash chained from the previous), and so is the record (issue #9 §6).
    seal = data["history"][0].pop("seal")
    assert len(seal) == 12
    assert len(data["seal"]) == 12 and data["seal"] != seal  # over the chain's head and length
    assert data["history"] == [{"action": "add", "at": data["history"][0]["at"], "by": "张三"}]


def test_without_ref_the_key_is_left_out(fcli: Cli, data_dir: Path) -> None:
    cid = fcli.add()
    data = yaml.safe_load(record_path(data_dir, cid).read_text(encoding="utf-8"))
    assert list(data) == [k for k in TOP_KEYS if k != "ref"]


def test_history_is_only_appended(fcli: Cli, data_dir: Path) -> None:
    """Each step leaves the file's earlier text untouched: the new text starts with the old, but for the
    record's seal on the last line (issue #9 §6), which each write puts after the new event."""
    cid = fcli.add()
    path = record_path(data_dir, cid)
    steps = [
        ("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 10:00", "--note", "请尽快联系"),
        ("grade", cid, "--severity", "严重", "--at", "2026-11-02 10:30"),
        ("notify", cid, "--at", "2026-11-02 10:40"),
        ("contact", cid, "--at", "2026-11-02 11:00"),
        ("extend", cid, "--until", "2026-11-20", "--reason", "需现场测试", "--approved-by", "王五",
         "--at", "2026-11-03 09:00"),
        ("reply", cid, *REPLY, "--at", "2026-11-04 12:00"),
        ("review", cid, "--reject", "--reason", "原因不清", "--at", "2026-11-04 13:00"),
        ("reply", cid, *REPLY, "--at", "2026-11-05 12:00"),
        ("review", cid, "--at", "2026-11-05 13:00"),
        ("revisit", cid, "--unsatisfied", "--reason", "还是没解决", "--at", "2026-11-05 14:00"),
        ("dispatch", cid, "--unit", "东城供电所", "--at", "2026-11-05 14:30"),
    ]
    for args in steps:
        before = path.read_text(encoding="utf-8")
        ok(fcli(*args))
        after = path.read_text(encoding="utf-8")
        assert before.splitlines()[-1].startswith("seal: ") and after.splitlines()[-1].startswith("seal: ")
        before, after = (text[:text.rindex("seal: ")] for text in (before, after))
        assert after.startswith(before) and len(after) > len(before), args
    c = Store(data_dir).load(cid)
    assert [e.action for e in c.history] == ["add"] + [s[0] for s in steps]
    ext = c.history[5]
    assert (ext.until.isoformat(), ext.reason, ext.approved_by) == ("2026-11-21T00:00:00+08:00", "需现场测试", "王五")
    assert c.history[1].note == "请尽快联系"
    assert c.unit == "东城供电所" and c.dispatch_count == 2 and c.current_severity == "严重"
    # key order inside events is the model's field order, stable across writes
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(data["history"][6]) == ["action", "at", "by", "verified", "responsible", "cause", "process",
                                        "measures", "seal"]


def test_round_trip_through_records(fcli: Cli, data_dir: Path) -> None:
    cid = fcli.add()
    walk(fcli, cid, "archive")
    c = Store(data_dir).load(cid)
    path = record_path(data_dir, cid)
    assert records.dumps(c) == path.read_text(encoding="utf-8")
    again, problems = records.read(path)
    assert problems == [] and again == c


def test_no_temporary_files_left_behind(fcli: Cli, data_dir: Path) -> None:
    cid = fcli.add()
    walk(fcli, cid, "contact")
    names = sorted(p.name for p in (data_dir / "complaints" / "2026-11").iterdir())
    assert names == [f"{cid}.yaml"]


def test_ids_follow_the_day_of_intake(fcli: Cli) -> None:
    assert fcli.add() == "TS202611020001"
    assert fcli.add() == "TS202611020002"
    assert fcli.add(received_at="2026-11-03 08:00") == "TS202611030001"
    assert fcli.add(received_at="2026-10-01 00:10") == "TS202610010001"
    assert fcli.add() == "TS202611020003"


# ------------------------------------------------------------ concurrency


def _env(data_dir: Path, rules: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(TOUSU_DATA=str(data_dir), TOUSU_RULES=str(rules), TOUSU_USER="张三", PYTHONIOENCODING="utf-8")
    return env


def _child(barrier, queue, args: list[str]) -> None:  # noqa: ANN001
    """In a forked process: wait for the others, then run one tousu command."""
    from typer.testing import CliRunner

    from tousu.cli import app

    barrier.wait(30)
    r = CliRunner().invoke(app, args)
    queue.put((args, r.exit_code, r.stdout, r.stderr))


def _at_once(commands: list[list[str]]) -> list[tuple[list[str], int, str, str]]:
    """Run tousu commands in separate processes, released at the same moment."""
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(len(commands)), ctx.Queue()
    procs = [ctx.Process(target=_child, args=(barrier, queue, cmd)) for cmd in commands]
    for p in procs:
        p.start()
    results = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(30)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    return results


def test_simultaneous_adds_get_distinct_ids(data_dir: Path, rules_file: Path) -> None:
    n = 10
    pre = ["--data", str(data_dir), "--rules", str(rules_file)]
    results = _at_once([pre + ["add", "--received-at", "2026-11-02 09:00", "--channel", "来电", "--name", f"客户{i}",
                               "--phone", "13912345678", "--item", "服务态度", "--content", f"第{i}件"]
                        for i in range(n)])
    assert [code for _, code, _, _ in results] == [0] * n, [err for *_, err in results]
    ids = {args[args.index("--name") + 1]: out.strip() for args, _, out, _ in results}
    assert sorted(ids.values()) == [f"TS20261102{i:04d}" for i in range(1, n + 1)]
    found, problems = Store(data_dir).load_all()
    assert problems == []
    assert {c.id: c.customer.name for c in found} == {cid: name for name, cid in ids.items()}
    assert sorted(p.name for p in (data_dir / "complaints" / "2026-11").iterdir()) == \
        [f"{i}.yaml" for i in sorted(ids.values())]


def test_simultaneous_steps_on_different_and_the_same_record(fcli: Cli, data_dir: Path, rules_file: Path) -> None:
    a, b = fcli.add(), fcli.add()
    for cid in (a, b):
        ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 10:00"))
    pre = ["--data", str(data_dir), "--rules", str(rules_file)]
    at = ["--at", "2026-11-02 11:00"]
    results = _at_once([
        pre + ["contact", a, *at],
        pre + ["grade", a, "--severity", "严重", *at],
        pre + ["extend", a, "--until", "2026-11-20", "--reason", "复杂", "--approved-by", "王五", *at],
        pre + ["contact", b, *at],
        pre + ["grade", b, "--severity", "重大", *at],
    ])
    assert [code for _, code, _, _ in results] == [0] * 5, [err for *_, err in results]
    store = Store(data_dir)
    assert sorted(e.action for e in store.load(a).history) == ["add", "contact", "dispatch", "extend", "grade"]
    assert sorted(e.action for e in store.load(b).history) == ["add", "contact", "dispatch", "grade"]


def test_python_dash_m_tousu_adds(data_dir: Path, rules_file: Path) -> None:
    """The real thing, once: a separate interpreter, stdin not a terminal, the ID on stdout."""
    r = subprocess.run([sys.executable, "-m", "tousu", "add", "--received-at", "2026-11-02 09:00", "--channel", "来电",
                        "--name", "王小明", "--phone", "13912345678", "--item", "服务态度", "--content", "x"],
                       env=_env(data_dir, rules_file), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       encoding="utf-8", timeout=60)
    assert (r.returncode, r.stdout) == (0, "TS202611020001\n"), r.stderr
    r = subprocess.run([sys.executable, "-m", "tousu", "add", "--name", "王小明"], env=_env(data_dir, rules_file),
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert "错误：缺少必填项：受理渠道（--channel）、联系电话（--phone）、投诉项（--item）、诉求内容（--content）" in r.stderr


def _append_many(root: str, cid: str, worker: int, count: int) -> None:
    store = Store(Path(root))
    at = datetime(2026, 11, 2, 12, 0, tzinfo=CHINA)
    for i in range(count):
        ev = Event("escalate", at, f"w{worker}", note=f"{worker}-{i}", escalated_to="政府热线")
        store.update(cid, lambda c, ev=ev: replace(c, history=c.history + (ev,)))


def test_the_lock_loses_no_update(fcli: Cli, data_dir: Path) -> None:
    cid = fcli.add()
    ctx = multiprocessing.get_context("fork")
    workers, count = 4, 15
    procs = [ctx.Process(target=_append_many, args=(str(data_dir), cid, w, count)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * workers
    c = Store(data_dir).load(cid)
    notes = sorted(e.note for e in c.history if e.action == "escalate")
    assert notes == sorted(f"{w}-{i}" for w in range(workers) for i in range(count))
    # each worker's own events are in its order
    for w in range(workers):
        mine = [e.note for e in c.history if e.by == f"w{w}"]
        assert mine == [f"{w}-{i}" for i in range(count)]


def test_a_copy_of_a_record_beside_it_does_not_break_add(fcli: Cli, data_dir: Path) -> None:
    """Windows names a copy 「TS202611020001 - 副本.yaml」: add still works, and the copy is reported."""
    cid = fcli.add()
    path = record_path(data_dir, cid)
    copy = path.with_name(f"{cid} - 副本.yaml")
    copy.write_bytes(path.read_bytes())
    assert fcli.add() == "TS202611020002"
    found, problems = Store(data_dir).load_all()
    assert sorted(c.id for c in found) == [cid, "TS202611020002"]
    assert [(p.path, p.message) for p in problems] == [(copy, f"编号「{cid}」与文件名「{copy.name}」不一致")]


@pytest.mark.parametrize("text", ["null", "yes", "~", "2026-11-02", "0123", "1e3", "- 列表", "# 注释", "a: b",
                                  "多行\n第二行", "=1+1", "😀 表情", "'引号\"", "[1, 2]", "{a: 1}", "x" * 300])
def test_any_text_a_customer_types_round_trips(fcli: Cli, data_dir: Path, text: str) -> None:
    r = fcli("add", "--received-at", "2026-11-02 09:00", "--channel", "来电", "--name", text, "--phone",
             "13912345678", "--item", "服务态度", "--content", text, "--address", text)
    ok(r)
    c = Store(data_dir).load(r.stdout.strip())
    assert (c.customer.name, c.content, c.customer.address) == (text, text, text)


@pytest.mark.parametrize("edit, message", [
    (lambda text: text.split("history:")[0] + "history: []\n", "处理记录为空"),
    (lambda text: text.replace("- action: add\n", "- action: contact\n", 1), "第一个事件应为受理"),
    (lambda text: text.replace("  at: '2026-11-02T09:00:00+08:00'\n  by: 张三\n  seal:",
                               "  at: '2026-11-02T08:00:00+08:00'\n  by: 张三\n  seal:", 1),
     "第一个事件应为受理"),
])
def test_a_history_without_its_intake_is_a_located_problem(fcli: Cli, data_dir: Path, edit, message: str) -> None:
    """A hand edit that empties the history must not make a complaint vanish from cron's output."""
    cid = fcli.add()
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:30"))
    path = record_path(data_dir, cid)
    text = path.read_text(encoding="utf-8")
    changed = edit(text)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    r = fcli("check-overdue", "--at", "2026-11-20 10:00", "--format", "json")
    assert r.exit_code == 2
    data = __import__("json").loads(r.stdout)
    assert [e["path"] for e in data["errors"]] == [str(path)]
    assert message in data["errors"][0]["message"]
