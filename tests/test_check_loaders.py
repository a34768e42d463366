"""`tousu check` is the one place that lists every problem; the loaders print the same findings as warnings
on stderr (issue #9 §6): one `path:line: code message` line each, their stdout, JSON and exit status as
before. Through the index, the findings are worked out once per file and kept with its row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import Cli
from foundation_helpers import fcli, ok, record_path, rules_file, walk  # noqa: F401
from tousu.storage import cachedir, findings, index

AT = "2026-11-03 09:00"
LOADERS = [
    ("check-overdue", "--at", AT), ("check-overdue", "--at", AT, "--format", "json"),
    ("list", "--at", AT), ("list", "--format", "json", "--at", AT), ("show", "TS202611020001", "--at", AT),
    ("find", "王小明", "--at", AT), ("todo", "--at", AT), ("report", "--month", "2026-11", "--at", AT),
]


def _two_records(cli: Cli) -> tuple[Path, Path]:
    first, second = cli.add(), cli.add(received_at="2026-11-02 09:30")
    walk(cli, first, "contact")
    walk(cli, second, "dispatch")
    return record_path(cli.data, first), record_path(cli.data, second)


def _outputs(cli: Cli) -> list[tuple[int, str, str]]:
    return [(r.exit_code, r.stdout, r.stderr) for r in (cli(*args) for args in LOADERS)]


def _unsealed_end(path: Path) -> None:
    """The record's seal taken out by hand: the record means what it did, but its end is no longer sealed."""
    path.write_text(re.sub(r"(?m)^seal: .*\n", "", path.read_text(encoding="utf-8")), encoding="utf-8")


def test_the_loaders_warn_of_check_findings_and_answer_as_before(fcli: Cli) -> None:
    path, _ = _two_records(fcli)
    before = _outputs(fcli)
    _unsealed_end(path)
    after = _outputs(fcli)
    last_event = max(i + 1 for i, line in enumerate(path.read_text(encoding="utf-8").splitlines())
                     if line.startswith("- action:"))
    line = f"注意：{path}:{last_event}: E112 记录缺少总封签（history 之后的 seal）：总封签被删除，可能连同最后的事件一起\n"
    for args, (code0, out0, err0), (code1, out1, err1) in zip(LOADERS, before, after):
        assert (code1, out1) == (code0, out0), args  # the answer and the exit status as before
        assert err1.count(line) == 1 and err1.replace(line, "") == err0, args  # one warning more, on stderr
    r = fcli("check")
    assert (r.exit_code, r.stdout) == (1, line.removeprefix("注意："))


def test_a_step_the_state_machine_forbids_is_a_warning_of_list_and_show(fcli: Cli) -> None:
    path, other = _two_records(fcli)
    text = path.read_text(encoding="utf-8")
    # the contact made a reply by hand, and every seal taken out (as an old record): a reply without a contact
    plain = re.sub(r"(?m)^ *seal: .*\n", "", text)
    plain = plain.replace("- action: contact\n  at: '2026-11-02T11:00:00+08:00'\n  by: 张三\n",
                          "- action: reply\n  at: '2026-11-02T11:00:00+08:00'\n  by: 张三\n  verified: true\n"
                          "  responsible: true\n")
    assert "- action: contact" not in plain
    path.write_text(plain, encoding="utf-8")
    reply = plain.splitlines().index("- action: reply") + 1
    want = f"注意：{path}:{reply}: E104 答复之前没有首次联系客户（第十五条）\n"
    for args in (("list", "--at", AT), ("show", path.stem, "--at", AT), ("check-overdue", "--at", AT)):
        r = fcli(*args)
        assert want in r.stderr and str(other) not in r.stderr, args
    assert f"{path}:{reply}: E104 " in fcli("check").stdout


def test_a_write_of_export_warns_too(fcli: Cli, tmp_path: Path) -> None:
    path, _ = _two_records(fcli)
    _unsealed_end(path)
    r = fcli("export", "-o", str(tmp_path / "台账.xlsx"))
    ok(r)
    assert f"注意：{path}:" in r.stderr and " E112 " in r.stderr


@pytest.fixture
def indexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(index, "MIN_FILES", 0)
    monkeypatch.setenv("TOUSU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TOUSU_NO_INDEX", raising=False)
    cachedir.notices()
    return tmp_path / "cache"


def test_the_index_keeps_the_findings_and_a_warm_run_works_none_out(fcli: Cli, indexed: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "RACY_NS", 0)  # the files were written before the refresh began
    path, other = _two_records(fcli)
    _unsealed_end(path)
    args = ("list", "--format", "json", "--at", AT)
    monkeypatch.setenv("TOUSU_NO_INDEX", "1")
    off = fcli(*args)
    monkeypatch.delenv("TOUSU_NO_INDEX")
    cold = fcli(*args)  # builds the index
    assert " E112 " in off.stderr and (cold.exit_code, cold.stdout, cold.stderr) == (off.exit_code, off.stdout,
                                                                                      off.stderr)
    assert list(indexed.rglob("index-*.sqlite"))

    def boom(*a, **k):
        raise AssertionError("findings worked out again for an unchanged file")

    monkeypatch.setattr(findings, "of", boom)
    warm = fcli(*args)
    assert (warm.exit_code, warm.stdout, warm.stderr) == (off.exit_code, off.stdout, off.stderr)
    monkeypatch.undo()  # an edit: that one file is read again, and its findings with it
    monkeypatch.setattr(index, "MIN_FILES", 0)
    monkeypatch.setattr(index, "RACY_NS", 0)
    monkeypatch.setenv("TOUSU_CACHE_DIR", str(indexed))
    _unsealed_end(other)
    both = fcli(*args)
    assert both.stderr.count(" E112 ") == 2 and both.stdout == off.stdout


def test_an_assessment_out_of_a_changed_range_is_for_check_only(cli: Cli, data_dir: Path) -> None:
    """A company that changes a penalty's range for the new year must not see every past, legitimate
    assessment warned about on every list and report (review of 2026-12-02): E105 is `tousu check`'s."""
    from tousu.config import rules as rules_mod

    cid = cli.add(item="服务规范")
    walk(cli, cid, "reply")
    ok(cli("assess", cid, "--rule", "quality.no_loss", "--person", "李四", "--amount", "100", "--at", "2026-11-02 13:00"))
    rules = data_dir.parent / "rules.yaml"
    text = rules_mod.builtin_path().read_text(encoding="utf-8")
    rules.write_text(text.replace("    min: 100\n    max: 200\n", "    min: 150\n    max: 200\n", 1), encoding="utf-8")
    changed = Cli(data_dir, rules)
    for args in (("list", "--at", AT), ("report", "--month", "2026-11", "--at", AT)):
        r = changed(*args)
        assert r.exit_code == 0 and "E105" not in r.stderr, (args, r.stderr)
    r = changed("check")
    assert r.exit_code == 1 and "E105 考核金额 100 元不在条款「quality.no_loss」的范围内" in r.stdout
