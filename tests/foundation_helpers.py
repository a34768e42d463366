"""Helpers for the foundation tests (issue #2): a rules file of their own, snapshots, walks.

The foundation tests pass `--rules` with the rules below, so that they test the
foundation (taxonomy, channels, deadlines, calendar) whatever the repository's
rules.yaml holds while other tables (penalties …) are being worked on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Cli

FOUNDATION_RULES = """\
version: 1
taxonomy:
  服务规范类: [服务态度, 服务规范]
  营销管理类: [抄表质量, 营业收费, 电费电价, 催收电费, 电能计量, 报装接电]
  运行维护类: [故障处理, 供电质量, 停电公告, 电器损坏, 安全隐患, 施工质量, 环保, 电网改造]
  供电方宣传责任类: [宣传不到位]
channels: [来电, 来信, 来访, 互联网, 其他]
attitudes: [平和, 不满, 情绪激动, 态度坚决]
severities: [一般, 严重, 重大]
escalation_channels: [国家电网公司, 国家能源局派出机构/12398, 政府热线, 省公司, 新闻媒体, 其他]
deadlines:
  working_day_rule: civil_code
  due_soon_hours: 24
  stages:
    dispatch: {name: 派发, limit: 1, unit: hours, clause: 第十四条}
    contact: {name: 首次联系客户, limit: 1, unit: working_days, clause: 第十五条}
    return: {name: 退回, limit: 1, unit: working_days, clause: 第十七条}
    reply: {name: 答复客户, limit: 4, unit: working_days, clause: 第十五条}
    revisit: {name: 回访, limit: 24, unit: hours, clause: 第十六条}
    notify: {name: 上报营销部, limit: 0, unit: same_day, clause: 第十九条}
calendar:
  holidays: []
  workdays: []
"""


def write_rules(folder: Path, text: str = FOUNDATION_RULES, name: str = "rules.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    return write_rules(tmp_path)


@pytest.fixture
def fcli(data_dir: Path, rules_file: Path) -> Cli:
    """The conftest runner, with the foundation rules."""
    return Cli(data_dir, rules_file)


def snapshot(data_dir: Path) -> dict[str, bytes]:
    """Every file under the data folder with its bytes (the lock file aside)."""
    return {str(p.relative_to(data_dir)): p.read_bytes()
            for p in sorted(data_dir.rglob("*")) if p.is_file() and p.name != ".tousu.lock"}


def refuse(cli: Cli, message: str, *args: str) -> None:
    """The command is refused (exit 2, the exact message, no traceback) and writes nothing."""
    before = snapshot(cli.data)
    refused(cli(*args), message)
    assert snapshot(cli.data) == before


def record_path(data_dir: Path, cid: str) -> Path:
    return data_dir / "complaints" / f"{cid[2:6]}-{cid[6:8]}" / f"{cid}.yaml"


def ok(result) -> None:  # noqa: ANN001 - click Result
    assert result.exit_code == 0, result.output


def refused(result, message: str) -> None:  # noqa: ANN001
    """Exit 2, the exact Chinese message, no traceback, nothing on stdout."""
    assert result.exit_code == 2, result.output
    assert f"错误：{message}\n" in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def show(cli: Cli, cid: str, at: str = "2026-11-02 09:00") -> dict:
    r = cli("show", cid, "--format", "json", "--at", at)
    ok(r)
    return json.loads(r.stdout)


def stage(data: dict, key: str, which: int = -1) -> dict:
    """One stage of `show --format json` (the latest of that key by default)."""
    return [s for s in data["stages"] if s["stage"] == key][which]


def check(cli: Cli, at: str):  # noqa: ANN201
    r = cli("check-overdue", "--format", "json", "--at", at)
    assert r.exit_code in (0, 1, 2), r.output
    return r, json.loads(r.stdout)


REPLY = ("--verified", "--responsible", "--cause", "抄表员解释不耐心", "--process", "上门致歉并解释电费",
         "--measures", "加强服务培训")


def walk(cli: Cli, cid: str, upto: str, day: str = "2026-11-02") -> None:
    """Take a complaint received at {day} 09:00 through the steps up to `upto`, an hour apart."""
    steps = [
        ("dispatch", ("--unit", "城关供电所"), "10:00"),
        ("contact", (), "11:00"),
        ("reply", REPLY, "12:00"),
        ("review", (), "13:00"),
        ("revisit", ("--satisfied",), "14:00"),
        ("archive", (), "15:00"),
    ]
    for name, args, hhmm in steps:
        ok(cli(name, cid, *args, "--at", f"{day} {hhmm}"))
        if name == upto:
            return
    raise AssertionError(f"unknown step {upto}")
