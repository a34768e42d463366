"""rules.yaml (SPEC §3, §4): validated against one table; every problem names file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli
from foundation_helpers import FOUNDATION_RULES, fcli, refused, rules_file, snapshot, write_rules  # noqa: F401
from tousu.config import rules
from tousu.errors import TousuError


def line_of(text: str, fragment: str) -> int:
    """1-based line of the only line containing `fragment`."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert len(hits) == 1, (fragment, hits)
    return hits[0]


def problems_of(tmp_path: Path, text: str) -> tuple[Path, list[str]]:
    path = write_rules(tmp_path, text, "bad_rules.yaml")
    with pytest.raises(TousuError) as info:
        rules.load(path)
    return path, [str(p) for p in info.value.problems]


def test_the_foundation_rules_and_the_builtin_rules_load(rules_file: Path) -> None:
    for path in (rules_file, rules.builtin_path()):
        r = rules.load(path)
        assert len(r.taxonomy) == 4 and len(r.items) == 17  # 第十条: 四大类共十七项
        assert r.items["宣传不到位"] == "供电方宣传责任类"
        assert {k: (s.limit, s.unit, s.clause) for k, s in r.stages.items()} == {
            "dispatch": (1, "hours", "第十四条"), "contact": (1, "working_days", "第十五条"),
            "return": (1, "working_days", "第十七条"), "reply": (4, "working_days", "第十五条"),
            "revisit": (24, "hours", "第十六条"), "notify": (0, "same_day", "第十九条")}
        assert r.working_day_rule == "civil_code"
        assert r.channels == ("来电", "来信", "来访", "互联网", "其他")
        assert r.severities == ("一般", "严重", "重大")


def test_unknown_top_level_key(tmp_path: Path) -> None:
    text = FOUNDATION_RULES.replace("\nchannels: [", "\nchannel: [来电]\nchannels: [")
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:{line_of(text, 'channel: [')}: 「rules.yaml」中有未知的键「channel」，可用的键：version、taxonomy、")


def test_unknown_stage_key(tmp_path: Path) -> None:
    text = FOUNDATION_RULES.replace("    notify:", "    notfy: {name: x, limit: 1, unit: hours, clause: 第十九条}\n    notify:")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'notfy')}: 「deadlines.stages」中有未知的键「notfy」，"
                        "可用的键：dispatch、contact、return、reply、revisit、notify、review"]


def test_wrong_type(tmp_path: Path) -> None:
    text = FOUNDATION_RULES.replace("due_soon_hours: 24", "due_soon_hours: 一天")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'due_soon_hours')}: 「deadlines.due_soon_hours」的值「一天」应为不小于 0 的整数"]


def test_wrong_type_of_a_list(tmp_path: Path) -> None:
    text = FOUNDATION_RULES.replace("channels: [来电, 来信, 来访, 互联网, 其他]", "channels: 来电")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'channels: 来电')}: 「channels」应为非空的文字列表"]


def test_wrong_unit_and_limit_in_a_flow_mapping(tmp_path: Path) -> None:
    text = FOUNDATION_RULES.replace("reply: {name: 答复客户, limit: 4, unit: working_days",
                                    "reply: {name: 答复客户, limit: 四, unit: workdays")
    path, problems = problems_of(tmp_path, text)
    n = line_of(text, "reply: {")
    assert problems == [
        f"{path}:{n}: 「deadlines.stages.reply.unit」的值「workdays」无效，可选：hours、working_days、same_day",
        f"{path}:{n}: 「deadlines.stages.reply.limit」的值「四」应为不小于 1 的整数",
    ]


def test_unknown_working_day_rule(tmp_path: Path) -> None:
    text = FOUNDATION_RULES.replace("working_day_rule: civil_code", "working_day_rule: calendar")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'working_day_rule')}: 「deadlines.working_day_rule」的值「calendar」无效，"
                        "可选：civil_code、same_clock"]


CAL = """\
calendar:
  holidays:
    - 2027-01-01 元旦
    - 2027-02-30 春节
    - 元宵节
    - "2027-02-06~2027-02-13 春节"
  workdays:
    - 2027-02-20
"""


def test_bad_dates_in_calendar_holidays(tmp_path: Path) -> None:
    text = FOUNDATION_RULES.replace("calendar:\n  holidays: []\n  workdays: []\n", CAL)
    path, problems = problems_of(tmp_path, text)
    assert problems == [
        f"{path}:{line_of(text, '2027-02-30')}: 「calendar.holidays」中「2027-02-30 春节」不是有效日期",
        f"{path}:{line_of(text, '元宵节')}: 「calendar.holidays」中「元宵节」不是日期，应写作「2027-01-01 元旦」或"
        "「2027-02-06~2027-02-13 春节」（日期请加引号或按此格式书写）",
    ]


def test_good_calendar_entries(tmp_path: Path) -> None:
    good = CAL.replace("    - 2027-02-30 春节\n    - 元宵节\n", "")
    r = rules.load(write_rules(tmp_path, FOUNDATION_RULES.replace("calendar:\n  holidays: []\n  workdays: []\n", good)))
    assert len(r.holidays) == 9 and r.holidays[next(iter(sorted(r.holidays)))] == "元旦"
    assert sorted(r.workdays) == [__import__("datetime").date(2027, 2, 20)]


def test_not_yaml(tmp_path: Path) -> None:
    text = FOUNDATION_RULES.replace("severities: [一般, 严重, 重大]", "severities: [一般, 严重, 重大")
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 1 and problems[0].startswith(f"{path}:")
    assert "YAML 格式错误" in problems[0]
    line = int(problems[0][len(str(path)) + 1:].split(":")[0])
    assert line_of(text, "severities:") <= line <= line_of(text, "severities:") + 1


def test_the_cli_reports_rules_problems_with_file_and_line(data_dir: Path, tmp_path: Path) -> None:
    text = FOUNDATION_RULES.replace("due_soon_hours: 24", "due_soon_hours: true")
    path = write_rules(tmp_path, text, "bad.yaml")
    cli = Cli(data_dir, path)
    before = snapshot(data_dir)
    r = cli("add", "--received-at", "2026-11-02 09:00", "--channel", "来电", "--name", "王", "--phone",
            "13912345678", "--item", "服务态度", "--content", "x")
    assert r.exit_code == 2
    assert r.stderr == (f"错误：规则文件 {path} 有 1 处错误\n"
                        f"  {path}:{line_of(text, 'due_soon_hours')}: 「deadlines.due_soon_hours」的值「True」应为不小于 0 的整数\n")
    assert snapshot(data_dir) == before
