"""`tousu check` (issue #9 §6): silent and exit 0 when clean; `path:line: CODE message` and exit 1 otherwise."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import Cli
from foundation_helpers import REPLY, fcli, ok, record_path, rules_file, walk  # noqa: F401


def findings(cli: Cli) -> list[tuple[str, int, str]]:
    r = cli("check", "--format", "json")
    assert r.exit_code == 1, r.output
    return [(Path(p["path"]).name, p["line"], p["code"]) for p in json.loads(r.stdout)["problems"]]


def line_no(path: Path, text: str, nth: int = 1) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if text in line]
    return hits[nth - 1]


def test_the_sample_data_passes(repo_root: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(repo_root / "data", data)
    r = Cli(data, repo_root / "rules.yaml")("check")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")


def test_a_clean_folder_is_silent(fcli: Cli) -> None:
    cid = fcli.add()
    walk(fcli, cid, "archive")
    r = fcli("check")
    assert (r.exit_code, r.stdout) == (0, "")


def test_a_broken_rules_yaml_and_org_yaml_are_findings_with_the_records_still_checked(fcli: Cli) -> None:
    """SPEC §4: check validates rules.yaml and org.yaml too — a broken one is listed as path:line: CODE, exit 1
    (not refused as a usage error), and every record is still checked."""
    cid = fcli.add()
    walk(fcli, cid, "reply")
    path = record_path(fcli.data, cid)
    path.write_text(path.read_text(encoding="utf-8").replace("11:00", "10:59", 1), encoding="utf-8")
    rules = Path(fcli.rules)
    rules.write_text(rules.read_text(encoding="utf-8") + "\nrecord_max_bytes: -5\n", encoding="utf-8")
    org = fcli.data / "org.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "\nunits: [\n", encoding="utf-8")
    got = findings(fcli)
    codes = {code for _name, _line, code in got}
    assert {"E001", "E002", "E110"} <= codes, got
    assert any(name == "org.yaml" and line > 0 for name, line, code in got if code == "E002")


def test_an_edited_event_breaks_its_seal(fcli: Cli) -> None:
    cid = fcli.add()
    walk(fcli, cid, "reply")  # contact at 11:00
    path = record_path(fcli.data, cid)
    path.write_text(path.read_text(encoding="utf-8").replace("T11:00:00", "T10:30:00"), encoding="utf-8")
    name = path.name
    assert findings(fcli) == [(name, line_no(path, "action: contact"), "E110")]
    r = fcli("check")
    assert r.stdout.startswith(f"{path}:{line_no(path, 'action: contact')}: E110 事件与封签不符")


def test_a_removed_or_reordered_event_is_found(fcli: Cli) -> None:
    cid = fcli.add()
    walk(fcli, cid, "reply")
    path = record_path(fcli.data, cid)
    text = path.read_text(encoding="utf-8")
    start = text.index("- action: contact")
    end = text.index("- action: reply")
    path.write_text(text[:start] + text[end:], encoding="utf-8")  # the contact deleted: the reply no longer fits
    got = findings(fcli)
    reply_line = line_no(path, "action: reply")
    assert (path.name, reply_line, "E104") in got and (path.name, reply_line, "E110") in got


def test_a_removed_seal_is_found(fcli: Cli) -> None:
    cid = fcli.add()
    walk(fcli, cid, "dispatch")
    path = record_path(fcli.data, cid)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    last_seal = max(i for i, line in enumerate(lines) if line.startswith("  seal:"))  # the last event's
    del lines[last_seal]
    path.write_text("".join(lines), encoding="utf-8")
    assert findings(fcli) == [(path.name, line_no(path, "action: dispatch"), "E111")]


def test_an_unsealed_old_record_is_accepted_and_sealed_on_its_next_write(fcli: Cli) -> None:
    cid = fcli.add()
    walk(fcli, cid, "dispatch")
    path = record_path(fcli.data, cid)
    path.write_text("".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                            if not line.strip().startswith("seal:")), encoding="utf-8")
    assert fcli("check").exit_code == 0
    ok(fcli("contact", cid, "--at", "2026-11-02 11:00"))
    assert path.read_text(encoding="utf-8").count("seal:") == 4  # three events and the record
    assert fcli("check").exit_code == 0


def test_state_machine_findings(fcli: Cli) -> None:
    cid = fcli.add()
    walk(fcli, cid, "archive")
    path = record_path(fcli.data, cid)
    text = path.read_text(encoding="utf-8")
    # the review and the revisit taken out: a revisit-less archive
    start, end = text.index("- action: review"), text.index("- action: archive")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    got = findings(fcli)
    assert (path.name, line_no(path, "action: archive"), "E104") in got


def test_received_at_on_another_day_than_the_id(fcli: Cli) -> None:
    cid = fcli.add()
    path = record_path(fcli.data, cid)
    path.write_text(path.read_text(encoding="utf-8").replace("2026-11-02T09:00:00", "2026-11-03T09:00:00"),
                    encoding="utf-8")
    got = findings(fcli)
    assert (path.name, line_no(path, "action: add"), "E103") in got


def test_assessment_findings(cli: Cli) -> None:
    cid = cli.add()
    walk(cli, cid, "reply")
    ok(cli("assess", cid, "--rule", "attitude.poor", "--person", "李四", "--amount", "300",
            "--at", "2026-11-02 12:30"))
    path = record_path(cli.data, cid)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("amount: 300", "amount: 5"), encoding="utf-8")
    assert (path.name, line_no(path, "action: assess"), "E105") in findings(cli)
    path.write_text(text.replace("verified: true", "verified: false"), encoding="utf-8")
    got = findings(cli)
    assert (path.name, line_no(path, "action: assess"), "E106") in got
    assert (path.name, line_no(path, "action: reply"), "E107") in got


@pytest.mark.parametrize("edit, code", [
    (lambda t: t.replace("- action: add", "- action: contact", 1), "E101"),
    (lambda t: t.replace("T10:00:00", "T08:00:00", 1), "E102"),
])
def test_unreadable_records_are_listed_with_codes(fcli: Cli, edit, code: str) -> None:  # noqa: ANN001
    cid = fcli.add()
    walk(fcli, cid, "contact")
    path = record_path(fcli.data, cid)
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert code in {c for _, _, c in findings(fcli)}


def test_a_bad_format_is_a_usage_error(fcli: Cli) -> None:
    r = fcli("check", "--format", "xml")
    assert r.exit_code == 2 and "输出格式「xml」无效，可选：table、json" in r.stderr


def _last_line(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _events(text: str) -> list[tuple[int, int]]:
    """(start, end) of each history event's text: its `- action:` line and the indented lines below it."""
    return [m.span() for m in re.finditer(r"(?m)^- action:.*\n(?:  .*\n)*", text)]


def _replied_without_its_last_event(cli: Cli) -> tuple[Path, str]:
    """A complaint taken up to its reply; its record's path and its text with the reply cut out."""
    cid = cli.add()
    walk(cli, cid, "reply")
    path = record_path(cli.data, cid)
    text = path.read_text(encoding="utf-8")
    start, end = _events(text)[-1]
    return path, text[:start] + text[end:]


def test_a_deleted_last_event_is_found(fcli: Cli) -> None:
    path, cut = _replied_without_its_last_event(fcli)
    path.write_text(cut, encoding="utf-8")  # the reply gone: the chain before it is intact
    assert findings(fcli) == [(path.name, _last_line(path), "E113")]
    r = fcli("check")
    assert r.stdout == f"{path}:{_last_line(path)}: E113 总封签与处理记录不符：最后的事件被删除或调换了顺序（现有 3 个事件）\n"


def test_a_deleted_last_event_with_the_records_seal_is_found(fcli: Cli) -> None:
    path, cut = _replied_without_its_last_event(fcli)
    lines = cut.splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("seal:")), encoding="utf-8")
    assert findings(fcli) == [(path.name, line_no(path, "action: contact"), "E112")]


def test_the_last_two_events_swapped_are_found(fcli: Cli) -> None:
    cid = fcli.add()
    walk(fcli, cid, "contact")
    ok(fcli("grade", cid, "--severity", "严重", "--at", "2026-11-02 11:30"))  # a side step: only the order changes
    path = record_path(fcli.data, cid)
    text = path.read_text(encoding="utf-8")
    (a, b), (_, c) = _events(text)[-2:]
    path.write_text(text[:a] + text[b:c] + text[a:b] + text[c:], encoding="utf-8")
    got = findings(fcli)
    assert (path.name, line_no(path, "action: grade"), "E110") in got
    assert (path.name, _last_line(path), "E113") in got


def test_a_tampered_end_stays_found_after_the_next_step(fcli: Cli) -> None:
    """tousu's next write does not seal over a history whose end was cut: the record's seal is kept."""
    path, cut = _replied_without_its_last_event(fcli)
    path.write_text(cut, encoding="utf-8")
    ok(fcli("reply", path.stem, *REPLY, "--at", "2026-11-02 12:30"))
    assert [code for _, _, code in findings(fcli)] == ["E113"]
    lines = [line for line in path.read_text(encoding="utf-8").splitlines(keepends=True) if not line.startswith("seal:")]
    path.write_text("".join(lines), encoding="utf-8")  # and with the record's seal taken out as well
    ok(fcli("review", path.stem, "--at", "2026-11-02 13:00"))
    assert [code for _, _, code in findings(fcli)] == ["E112"]


def test_a_hand_added_last_event_stays_found_after_the_next_step(fcli: Cli) -> None:
    """A faked 首次联系 appended by hand before the record's seal (第二十六条) must not be sealed by the next
    ordinary step: the event stays unsealed and the record's seal is kept (review of 2026-12-02)."""
    cid = fcli.add()
    walk(fcli, cid, "dispatch")
    path = record_path(fcli.data, cid)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fake = ["- action: contact\n", "  at: '2026-11-02T10:30:00+08:00'\n", "  by: 李四\n"]
    path.write_text("".join(lines[:-1] + fake + lines[-1:]), encoding="utf-8")
    assert {code for _, _, code in findings(fcli)} == {"E111", "E113"}
    ok(fcli("urge", cid, "--at", "2026-11-02 12:00"))
    assert {code for _, _, code in findings(fcli)} == {"E111", "E113"}
    assert (path.name, line_no(path, "action: contact"), "E111") in findings(fcli)


def test_a_record_of_the_build_that_sealed_no_record_is_accepted_and_sealed_next(fcli: Cli) -> None:
    """Records written between event seals and the record seal (their header still says `tousu show`) have
    sealed events and no record seal: legitimate, not a cut end — accepted, and sealed on the next write.
    A file with today's header and no record seal is still reported (E112)."""
    cid = fcli.add()
    walk(fcli, cid, "contact")
    path = record_path(fcli.data, cid)
    text = path.read_text(encoding="utf-8")
    body = "".join(line for line in text.splitlines(keepends=True)[1:] if not line.startswith("seal:"))
    old = f"# 投诉工单 {cid}：由 tousu 维护。history 只追加、不改写；手工修改后请运行 tousu show {cid} 检查。\n"
    path.write_text(old + body, encoding="utf-8")
    r = fcli("check")
    assert (r.exit_code, r.stdout) == (0, "")
    ok(fcli("reply", cid, *REPLY, "--at", "2026-11-02 12:00"))
    assert path.read_text(encoding="utf-8").splitlines()[-1].startswith("seal:")
    r = fcli("check")
    assert (r.exit_code, r.stdout) == (0, "")
    path.write_text(text.splitlines(keepends=True)[0] + body, encoding="utf-8")  # today's header, seal cut
    assert [code for _, _, code in findings(fcli)] == ["E112"]


def test_a_sound_record_is_sealed_anew_at_each_step(fcli: Cli) -> None:
    cid = fcli.add()
    path = record_path(fcli.data, cid)
    seals = []
    for step in ("dispatch", "contact", "reply"):
        walk(fcli, cid, step) if step == "dispatch" else ok(fcli(step, cid, *(REPLY if step == "reply" else ()),
                                                                 "--at", f"2026-11-02 1{len(seals)}:00"))
        seals.append(next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("seal:")))
        assert (fcli("check").exit_code, path.read_text(encoding="utf-8").count("seal:")) == (0, len(seals) + 2)
    assert len(set(seals)) == 3
