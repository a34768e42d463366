"""What a new user hit first: hand-edited values, a broken org.yaml, cron's JSON on a fatal
error, contradictory verdicts, lower-case IDs, the bare `tousu`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Cli
from tousu.cli import main


def walk_to_dispatch(cli: Cli) -> str:
    cid = cli.add(received_at="2026-11-02 09:00")
    r = cli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:30")
    assert r.exit_code == 0, r.output
    return cid


def record(data_dir: Path, cid: str) -> Path:
    return data_dir / "complaints" / f"{cid[2:6]}-{cid[6:8]}" / f"{cid}.yaml"


def test_hand_edited_unknown_item_is_a_warning_and_its_deadlines_still_run(cli: Cli, data_dir: Path) -> None:
    """Cron must still see exit 1 for overdue; the unknown value is a warning, in JSON and on stderr."""
    cid = walk_to_dispatch(cli)
    path = record(data_dir, cid)
    path.write_text(path.read_text(encoding="utf-8").replace("item: 服务态度", "item: 服务太度"), encoding="utf-8")
    r = cli("check-overdue", "--at", "2026-11-20 09:00", "--format", "json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert {(o["id"], o["stage"]) for o in data["overdue"]} == {(cid, "contact"), (cid, "reply")}
    assert f"注意：{path}: E120 投诉项「服务太度」不在 rules.yaml 中" in r.stderr
    assert any(w.startswith(f"{path}: E120 投诉项「服务太度」不在 rules.yaml 中") for w in data["warnings"])
    assert data["errors"] == []


def test_a_broken_org_yaml_is_an_error_for_list_and_check_overdue(cli: Cli, data_dir: Path) -> None:
    walk_to_dispatch(cli)
    (data_dir / "org.yaml").write_text("units:\n  - name: 城关供电所\n   kind: 基层单位\n", encoding="utf-8")
    for args in (("list",), ("check-overdue", "--at", "2026-11-02 10:00")):
        r = cli(*args)
        assert r.exit_code == 2, args
        assert "组织机构文件" in r.stderr and "org.yaml:3" in r.stderr


def test_check_overdue_json_says_what_went_wrong_on_a_fatal_error(cli: Cli, data_dir: Path) -> None:
    (data_dir / "org.yaml").unlink()
    r = cli("check-overdue", "--format", "json")
    assert r.exit_code == 2
    data = json.loads(r.stdout)
    assert data["overdue"] == [] and data["errors"][0]["message"].startswith("找不到组织机构文件")


def test_not_verified_cannot_be_supply_responsibility(cli: Cli, data_dir: Path) -> None:
    cid = walk_to_dispatch(cli)
    assert cli("contact", cid, "--at", "2026-11-02 10:00").exit_code == 0
    before = record(data_dir, cid).read_bytes()
    r = cli("reply", cid, "--not-verified", "--responsible", "--cause", "x", "--process", "y", "--at", "2026-11-02 11:00")
    assert r.exit_code == 2
    assert "核实结论为「不属实」的投诉不能认定为「供电责任」：请将责任认定改为「非供电责任」，或核实结论改为「属实」（第九条）" in r.stderr
    assert record(data_dir, cid).read_bytes() == before


def test_lower_case_ids_are_accepted(cli: Cli) -> None:
    cid = walk_to_dispatch(cli)
    r = cli("show", cid.lower(), "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["id"] == cid


def test_calendar_names_the_bad_month_without_an_option(cli: Cli) -> None:
    r = cli("calendar", "2026-13")
    assert r.exit_code == 2
    assert r.stderr.startswith("错误：月份「2026-13」无效，应为 YYYY-MM（如 2026-11）")


def test_bare_tousu_prints_help_and_version_works(monkeypatch: pytest.MonkeyPatch, capsys, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    for argv, text in ((["tousu"], "供电公司客户投诉工单管理与考核"), (["tousu", "--version"], "tousu 0.1.0")):
        monkeypatch.setattr("sys.argv", argv)
        with pytest.raises(SystemExit) as exit_info:
            main()
        assert exit_info.value.code == 0
        assert text in capsys.readouterr().out


def test_contradictory_verdict_flags_are_refused(cli: Cli, data_dir: Path) -> None:
    cid = walk_to_dispatch(cli)
    assert cli("contact", cid, "--at", "2026-11-02 10:00").exit_code == 0
    before = record(data_dir, cid).read_bytes()
    r = cli("reply", cid, "--verified", "--not-verified", "--not-responsible", "--cause", "x", "--process", "y",
            "--at", "2026-11-02 11:00")
    assert r.exit_code == 2
    assert "核实结论不能同时是 --verified（属实） 和 --not-verified（不属实），请只给出其中一个" in r.stderr
    r = cli("reply", cid, "--verified", "--cause", "x", "--process", "y", "--at", "2026-11-02 11:00")
    assert r.exit_code == 2 and "缺少责任认定：请给出 --responsible（供电责任） 或 --not-responsible（非供电责任）" in r.stderr
    assert record(data_dir, cid).read_bytes() == before
    assert cli("reply", cid, "--verified", "--responsible", "--cause", "x", "--process", "y",
               "--at", "2026-11-02 11:00").exit_code == 0
    r = cli("review", cid, "--reason", "写得好", "--at", "2026-11-02 12:00")
    assert r.exit_code == 2 and "--reason 是驳回理由，只能与 --reject 一起使用" in r.stderr
    assert cli("review", cid, "--at", "2026-11-02 12:00").exit_code == 0
    r = cli("revisit", cid, "--satisfied", "--unsatisfied", "--at", "2026-11-02 13:00")
    assert r.exit_code == 2 and "回访结果不能同时是 --satisfied（满意） 和 --unsatisfied（不满意）" in r.stderr


def test_show_reports_values_rules_yaml_does_not_know(cli: Cli, data_dir: Path) -> None:
    cid = walk_to_dispatch(cli)
    path = record(data_dir, cid)
    path.write_text(path.read_text(encoding="utf-8").replace("channel: 来电", "channel: 微信"), encoding="utf-8")
    r = cli("show", cid, "--at", "2026-11-02 10:00")
    assert r.exit_code == 0
    assert f"注意：{path}: E120 受理渠道「微信」不在 rules.yaml 中" in r.stderr
