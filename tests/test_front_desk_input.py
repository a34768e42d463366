"""Issue #10 §1–2, §7 (SPEC §4, §8): values, phones, accounts and times as people type them;
the rules file that belongs to the data."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from conftest import ORG, Cli
from foundation_helpers import (FOUNDATION_RULES, fcli, ok, record_path, refused, rules_file,  # noqa: F401
                                snapshot, write_rules)
from tousu.config import rules as rules_mod
from tousu.config import rules_spec
from tousu.config.matching import Vocabulary
from tousu.domain.phones import lost_leading_zero, parse_phone, phone_digits, query_digits
from tousu.errors import TousuError
from tousu.timeutil import CHINA, parse_typed

ORG_WITH_ALIASES = ORG.replace("  - {name: 城关供电所, kind: 基层单位}",
                               "  - {name: 城关供电所, kind: 基层单位, aliases: [城关所, 关所]}")


def stored(data_dir: Path, cid: str) -> str:
    return record_path(data_dir, cid).read_text(encoding="utf-8")


def shown(cli: Cli, cid: str) -> dict:
    r = cli("show", cid, "--format", "json", "--at", "2026-11-02 10:00")
    ok(r)
    return json.loads(r.stdout)


# ---------------------------------------------------------------- §1 values


@pytest.mark.parametrize(("typed", "value"), [
    ("电话", "来电"), ("热线", "来电"), ("95598电话", "来电"), ("网站", "互联网"), ("网上国网", "互联网"),
    ("微信", "互联网"), ("app", "互联网"),  # an alias, case-folded
])
def test_channel_aliases_are_stored_as_the_canonical_value(cli: Cli, data_dir: Path, typed: str, value: str) -> None:
    r = cli("add", "--received-at", "2026-11-02 09:00", "--channel", typed, "--name", "王小明", "--phone",
            "13912345678", "--item", "服务态度", "--content", "态度差")
    ok(r)
    cid = r.stdout.strip()
    assert f"提示：受理渠道「{typed}」是「{value}」的别称，按「{value}」记录（--channel）" in r.stderr
    assert shown(cli, cid)["channel"] == value


@pytest.mark.parametrize(("typed", "value"), [
    ("12398", "国家能源局派出机构/12398"), ("12345", "政府热线"), ("国网", "国家电网公司")])
def test_escalation_aliases(cli: Cli, typed: str, value: str) -> None:
    cid = cli.add(escalated_to=typed)
    assert shown(cli, cid)["escalated_to"] == [value]


@pytest.mark.parametrize("typed", ["12398", "12345", "能源局"])
def test_an_escalation_typed_as_the_channel_says_how_to_record_it(cli: Cli, data_dir: Path, typed: str) -> None:
    """A complaint passed on by 12398 is typed `--channel 12398` on day one: that is a 越级渠道
    (第二十五条); the refusal says so and names --escalated-to, not only 无效."""
    before = snapshot(data_dir)
    r = cli("add", "--received-at", "2026-11-02 09:00", "--channel", typed, "--name", "王小明", "--phone",
            "13912345678", "--item", "服务态度", "--content", "态度差")
    assert r.exit_code == 2, r.output
    assert f"「{typed}」是越级投诉渠道（" in r.stderr and f"请用 --escalated-to {typed} 记录越级" in r.stderr
    assert "来电、来信、来访、互联网、其他" in r.stderr
    assert snapshot(data_dir) == before


def test_attitude_alias_and_full_width_spaces(cli: Cli) -> None:
    cid = cli.add(attitude="激动", item="安全隐患　", channel=" 来电 ")
    data = shown(cli, cid)
    assert (data["attitude"], data["item"], data["channel"]) == ("情绪激动", "安全隐患", "来电")


def test_full_width_letters_and_digits_are_normalised() -> None:
    vocab = Vocabulary("渠道", ("来电", "互联网"), {"APP": "互联网"})
    assert vocab.resolve("ＡＰＰ").value == "互联网"


def test_unambiguous_prefix_and_substring_are_completed_with_a_note(cli: Cli) -> None:
    r = cli("add", "--received-at", "2026-11-02 09:00", "--channel", "来电", "--name", "王小明", "--phone",
            "13912345678", "--item", "安全", "--content", "电线杆歪了", "--attitude", "坚决")
    ok(r)
    assert "提示：投诉项「安全」按「安全隐患」记录（--item）" in r.stderr
    assert "提示：客户态度程度「坚决」按「态度坚决」记录（--attitude）" in r.stderr
    data = shown(cli, r.stdout.strip())
    assert (data["item"], data["category"], data["attitude"]) == ("安全隐患", "运行维护类", "态度坚决")


def test_an_ambiguous_value_is_refused_listing_only_the_candidates(cli: Cli, data_dir: Path) -> None:
    before = snapshot(data_dir)
    r = cli("add", "--received-at", "2026-11-02 09:00", "--channel", "来电", "--name", "王小明", "--phone",
            "13912345678", "--item", "电费", "--content", "x")
    refused(r, "投诉项「电费」（--item）可指多个：电费电价、催收电费，请写得更完整些")
    assert snapshot(data_dir) == before


def test_no_match_lists_every_value_and_the_closest(cli: Cli) -> None:
    refused(cli("add", "--received-at", "2026-11-02 09:00", "--channel", "来电", "--name", "王", "--phone",
                "13912345678", "--item", "服务态度", "--content", "x", "--severity", "严种"),
            "事件等级「严种」无效，可选：一般、严重、重大；您是不是要找：严重？")


def test_unit_alias_prefix_and_ambiguity_in_org_yaml(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "complaints").mkdir(parents=True)
    (data / "org.yaml").write_text(ORG_WITH_ALIASES, encoding="utf-8")
    cli = Cli(data)
    one, two, three = cli.add(), cli.add(), cli.add()
    r = cli("dispatch", one, "--unit", "城关所", "--at", "2026-11-02 09:10")
    ok(r)
    assert "提示：单位「城关所」是「城关供电所」的别称，按「城关供电所」记录（--unit）" in r.stderr
    r = cli("dispatch", two, "--unit", "东城", "--at", "2026-11-02 09:10")
    ok(r)
    assert "提示：单位「东城」按「东城供电所」记录（--unit）" in r.stderr
    refused(cli("dispatch", three, "--unit", "供电所", "--at", "2026-11-02 09:10"),
            "单位「供电所」（--unit）可指多个：城关供电所、东城供电所，请写得更完整些")
    assert shown(cli, one)["history"][-1]["unit"] == "城关供电所"
    assert shown(cli, two)["history"][-1]["unit"] == "东城供电所"


def test_an_alias_naming_two_units_is_an_error_in_org_yaml(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "complaints").mkdir(parents=True)
    (data / "org.yaml").write_text(ORG.replace("  - {name: 东城供电所, kind: 基层单位}",
                                               "  - {name: 东城供电所, kind: 基层单位, aliases: [城关供电所]}"),
                                   encoding="utf-8")
    r = Cli(data)("list")
    assert r.exit_code == 2
    assert "单位「东城供电所」的别称「城关供电所」已是单位「城关供电所」的名称或别称" in r.stderr


def test_person_and_rule_prefixes_at_assess(cli: Cli) -> None:
    cid = cli.add()
    for args in (("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:10"),
                 ("contact", cid, "--at", "2026-11-02 10:00"),
                 ("reply", cid, "--verified", "--responsible", "--cause", "态度", "--process", "道歉",
                  "--at", "2026-11-03 10:00")):
        ok(cli(*args))
    r = cli("assess", cid, "--rule", "attitude.po", "--person", "李", "--amount", "200", "--at", "2026-11-04 10:00")
    ok(r)
    assert "提示：考核条款「attitude.po」按「attitude.poor」记录（--rule）" in r.stderr
    assert "提示：人员「李」按「李四」记录（--person）" in r.stderr
    ev = shown(cli, cid)["history"][-1]
    assert (ev["rule"], ev["person"]) == ("attitude.poor", "李四")


def test_rules_yaml_aliases_are_checked(tmp_path: Path) -> None:
    text = FOUNDATION_RULES + "aliases:\n  来电: [电话]\n  互联网: [电话]\n  电报: [拍电报]\n"
    with pytest.raises(TousuError) as info:
        rules_mod.load(write_rules(tmp_path, text, "r.yaml"))
    problems = [p.message for p in info.value.problems]
    assert problems == ["别称「电话」（aliases.互联网）已是一个值或另一个值的别称",
                        "「aliases」中「电报」不是受理渠道、投诉大类、投诉项、态度、等级或越级渠道中的任何一个值"]


def test_every_rules_key_is_in_the_one_table_and_the_docs_are_generated_from_it(repo_root: Path) -> None:
    assert (repo_root / "docs" / "rules-keys.md").read_text(encoding="utf-8") == rules_spec.markdown()
    assert set(rules_spec.children("")) >= {"aliases", "warning_levels", "taxonomy", "deadlines"}
    r = rules_mod.load(rules_mod.builtin_path())
    assert [(w.name, w.percent) for w in r.warning_levels] == [("提醒", 50), ("预警", 75), ("告警", 90), ("超期", 100)]


def test_warning_levels_must_rise_to_100(tmp_path: Path) -> None:
    text = FOUNDATION_RULES + "warning_levels:\n  - {name: 提醒, at: 60}\n  - {name: 预警, at: 50}\n"
    with pytest.raises(TousuError) as info:
        rules_mod.load(write_rules(tmp_path, text, "r.yaml"))
    assert [p.message for p in info.value.problems] == ["预警级别「预警」的 50% 应高于上一级「提醒」的 60%"]
    text = FOUNDATION_RULES + "warning_levels:\n  - {name: 提醒, at: 60}\n"
    with pytest.raises(TousuError) as info:
        rules_mod.load(write_rules(tmp_path, text, "r.yaml"))
    assert [p.message for p in info.value.problems] == ["「warning_levels」的最后一级应为 100（超过期限），现为「提醒」60%"]


# ---------------------------------------------------------------- §2 phones, accounts, times


@pytest.mark.parametrize(("typed", "digits"), [
    ("13912345678", "13912345678"), ("139 1234 5678", "13912345678"), ("139-1234-5678", "13912345678"),
    ("139.1234.5678", "13912345678"), ("+86 139 1234 5678", "13912345678"), ("0086-13912345678", "13912345678"),
    ("８６１３９１２３４５６７８", "13912345678"), ("１３９１２３４５６７８", "13912345678"),
    ("023-12345678", "02312345678"), ("(023) 6234 5678", "02362345678"), ("（0571）8765432", "05718765432"),
    ("010 12345678 转 123", "01012345678-123"), ("023-62345678-8001", "02362345678-8001"),
])
def test_phone_forms_accepted_typed_form_kept_digits_canonical(typed: str, digits: str) -> None:
    p = parse_phone(typed)
    assert p.digits == digits
    assert p.number == digits.split("-")[0]
    assert phone_digits(p.typed) == p.number


@pytest.mark.parametrize("typed", ["12345", "(((((12345)))))", "-1-2-3-4-5", "1" * 30, "95598", "62345678",
                                   "abc", "139123456789", "12912345678"])
def test_phone_forms_refused(fcli: Cli, data_dir: Path, typed: str) -> None:
    before = snapshot(data_dir)
    refused(fcli("add", "--received-at", "2026-11-02 09:00", "--channel", "来电", "--name", "王", "--phone", typed,
                 "--item", "服务态度", "--content", "x"),
            f"联系电话「{typed}」无效，应为手机号 11 位（如 13912345678、139 1234 5678、+86 139-1234-5678），"
            "或座机号 区号+7至8位号码（如 023-12345678、(0571)8765432、010 12345678 转 123）")
    assert snapshot(data_dir) == before


def test_the_typed_phone_is_kept_for_display(fcli: Cli) -> None:
    cid = fcli.add(phone="139-1234-5678")
    assert shown(fcli, cid)["customer"]["phone"] == "139-1234-5678"


def test_query_digits_drop_the_country_code() -> None:
    assert query_digits("+86 139-1234-5678") == "13912345678"
    assert query_digits("5678") == "5678"


def test_an_account_that_lost_its_leading_zero_is_flagged(fcli: Cli) -> None:
    fcli.add(account="0301234567")
    r = fcli("add", "--received-at", "2026-11-03 09:00", "--channel", "来电", "--name", "王", "--phone",
             "13912345678", "--item", "服务态度", "--content", "x", "--account", "301234567")
    ok(r)
    assert "注意：户号「301234567」可能丢了开头的 0：已有户号「0301234567」" in r.stderr
    assert shown(fcli, r.stdout.strip())["customer"]["account"] == "301234567"  # kept as typed: text
    assert lost_leading_zero("0301234567", {"301234567"}) is None
    assert lost_leading_zero("30123456", set(), typical=10) is not None


NOW = datetime(2026, 12, 1, 10, 0, tzinfo=CHINA)


@pytest.mark.parametrize(("typed", "expected"), [
    ("15:00", "2026-12-01 09:00"), ("9:30", "2026-12-01 09:30"), ("09：30", "2026-12-01 09:30"),
    ("11-23 14:30", "2026-11-23 14:30"), ("11/23 14:30", "2026-11-23 14:30"), ("11月23日 14:30", "2026-11-23 14:30"),
    ("今天 9:30", "2026-12-01 09:30"), ("昨天 15:00", "2026-11-30 15:00"), ("前天 8:05", "2026-11-29 08:05"),
    ("2026-11-26 09:30", "2026-11-26 09:30"), ("2026/11/26 9:30", "2026-11-26 09:30"),
])
def test_time_forms(typed: str, expected: str) -> None:
    now = NOW if typed != "15:00" else NOW.replace(hour=16)
    want = expected if typed != "15:00" else "2026-12-01 15:00"
    assert f"{parse_typed(typed, now):%Y-%m-%d %H:%M}" == want


@pytest.mark.parametrize(("typed", "message"), [
    ("2026-11-31", "时间「2026-11-31」不是有效的日期时间：11月只有30天"),
    ("2026-11-31 10:00", "时间「2026-11-31 10:00」不是有效的日期时间：11月只有30天"),
    ("2027-02-29 10:00", "时间「2027-02-29 10:00」不是有效的日期时间：2027年2月只有28天"),
    ("11-31 10:00", "时间「11-31 10:00」不是有效的日期时间：11月只有30天"),
    ("12-25 09:00", "时间「12-25 09:00」按今年是 2026-12-25 09:00，晚于现在（2026-12-01 10:00）；"
                    "如是去年，请写全年份：2025-12-25 09:00"),
    ("25:00", "时间「25:00」不是有效的日期时间：「25:00」不是有效的时刻（00:00–23:59，或 24:00）"),
])
def test_time_forms_refused_saying_why(typed: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_typed(typed, NOW)
    assert str(info.value) == message


def test_month_day_may_be_in_the_future_for_an_extension() -> None:
    assert f"{parse_typed('12-25 09:00', NOW, future_ok=True):%Y-%m-%d}" == "2026-12-25"


def test_an_old_received_time_warns_without_a_terminal(fcli: Cli) -> None:
    r = fcli("add", "--received-at", "2025-12-30 09:00", "--channel", "来电", "--name", "王", "--phone",
             "13912345678", "--item", "服务态度", "--content", "x")
    ok(r)
    assert "注意：受理时间 2025-12-30 09:00 是" in r.stderr and "天前，请确认 --received-at 无误" in r.stderr


# ---------------------------------------------------------------- §7 rules discovery


COMPANY = FOUNDATION_RULES.replace("reply: {name: 答复客户, limit: 4,", "reply: {name: 答复客户, limit: 6,")


def _reply_deadline(cli: Cli, cid: str) -> str:
    data = shown(cli, cid)
    return next(s["deadline"] for s in data["stages"] if s["stage"] == "reply")


@pytest.mark.parametrize("where", ["in", "beside"])
def test_rules_beside_or_in_the_data_folder_are_used_from_another_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    site = tmp_path / "srv" / "x"
    data = site / "data"
    (data / "complaints").mkdir(parents=True)
    (data / "org.yaml").write_text(ORG, encoding="utf-8")
    rules_path = write_rules(data if where == "in" else site, COMPANY)
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    cli = Cli(data)
    cid = cli.add()
    ok(cli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:10"))
    assert _reply_deadline(cli, cid) == "2026-11-11T00:00:00+08:00"  # 6 working days: the company's rules
    assert shown(cli, cid)["rules"] == str(rules_path)
    r = cli("show", cid, "--at", "2026-11-02 10:00")
    assert f"规则文件：{rules_path}（{'数据目录中' if where == 'in' else '数据目录旁'}）" in r.stdout.replace("\n", "")


def test_builtin_rules_while_a_rules_yaml_lies_below_the_current_folder_warn(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    here = tmp_path / "work"
    (here / "company").mkdir(parents=True)
    write_rules(here / "company", COMPANY)
    monkeypatch.chdir(here)
    r = Cli(data_dir)("list")
    ok(r)
    assert "注意：使用的是内置规则，而当前目录下有 company/rules.yaml：如要使用它，请用 --rules 指定" in r.stderr


def test_init_puts_rules_beside_the_data_and_says_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "srv" / "data"
    r = Cli(target)("init", str(target))
    ok(r)
    beside = tmp_path / "srv" / "rules.yaml"
    assert beside.is_file() and not (tmp_path / "rules.yaml").exists()
    assert f"已创建 {beside.resolve()}" in r.stdout.replace("\n", "")
    other = tmp_path / "srv2" / "data"
    r = Cli(other, beside)("init", str(other))
    ok(r)
    assert f"规则文件：{beside.resolve()}（--rules 指定），未另建 rules.yaml。" in r.stdout.replace("\n", "")
    assert not (tmp_path / "srv2" / "rules.yaml").exists()


def test_tousu_rules_env_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    path = write_rules(tmp_path, COMPANY, "company.yaml")
    monkeypatch.setenv("TOUSU_RULES", str(path))
    found = rules_mod.find(os.environ["TOUSU_RULES"], data_dir)
    assert (found.path, found.how) == (path, "TOUSU_RULES 指定")


def test_the_bulletin_names_the_rules_file_it_used(fcli: Cli, tmp_path: Path) -> None:
    fcli.add()
    r = fcli("report", "--month", "2026-11", "--format", "json", "--at", "2026-11-30 12:00")
    ok(r)
    assert json.loads(r.stdout)["rules"] == str(fcli.rules)
    out = tmp_path / "通报.xlsx"
    ok(fcli("report", "--month", "2026-11", "-o", str(out), "--at", "2026-11-30 12:00"))
    from openpyxl import load_workbook

    cells = [str(c.value) for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row if c.value]
    assert "规则文件" in cells and str(fcli.rules) in cells
