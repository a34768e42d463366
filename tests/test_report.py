"""The monthly bulletin's figures (SPEC §4, §6; 第九、二十、二十一、二十二条) and `tousu report`.

The pure tests build model.Complaint objects for a crafted November 2026 (no
holidays: Monday 11-02 … ) and check every figure by number. The CLI tests use
March 2026 (in the past for the fixture's real clock, no holidays either).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from conftest import Cli
from tousu.config import rules as rules_mod
from tousu.domain.workdays import WorkCalendar
from tousu.domain.model import Complaint, Customer, Event
from tousu.reports.monthly import Month, month_report
from tousu.reports.rates import RATE_KEYS
from tousu.timeutil import parse_datetime

RULES = rules_mod.load(rules_mod.builtin_path())
CAL = WorkCalendar(RULES.holidays, RULES.workdays)
AS_OF = parse_datetime("2026-12-01 00:00")


def t(text: str) -> datetime:
    return parse_datetime(text)


def ev(action: str, when: str, **kw) -> Event:
    return Event(action, t(when), kw.pop("by", "张三"), **kw)


def reply(when: str, verified: bool = True, responsible: bool = True, **kw) -> Event:
    return ev("reply", when, verified=verified, responsible=responsible, cause=kw.get("cause", "工作疏忽"),
              process=kw.get("process", "上门致歉"), measures=kw.get("measures", "加强培训"))


def mk(cid: str, received: str, *events: Event, item: str = "服务态度", channel: str = "来电", name: str = "王小明",
       phone: str = "13912345678", account: str = "", content: str = "抄表员态度生硬") -> Complaint:
    return Complaint(id=cid, received_at=t(received), channel=channel, received_by="张三",
                     customer=Customer(name, phone, "城关镇解放路12号", account), category=RULES.items[item], item=item,
                     content=content, history=(ev("add", received),) + events)


# A: on time all the way, counted, assessed. 11-02 is a Monday.
A = mk("TS202611020001", "2026-11-02 09:00",
       ev("dispatch", "2026-11-02 09:30", unit="城关供电所"),
       ev("contact", "2026-11-02 14:00"),
       reply("2026-11-04 16:00", cause="抄表员解释不耐心", process="所长上门致歉", measures="全所服务规范培训"),
       ev("review", "2026-11-05 09:00", approved=True),
       ev("revisit", "2026-11-05 10:00", satisfied=True),
       ev("archive", "2026-11-05 11:00"),
       ev("assess", "2026-11-06 10:00", rule="attitude.poor", person="李四", amount=300),
       account="0101234567", content="客户13912345678反映抄表员王小明态度生硬")
# B: dispatched an hour late, contact and reply late, not verified at first; unsatisfied revisit, re-dispatched,
# then verified and closed. dispatch_count == 2.
B = mk("TS202611030001", "2026-11-03 09:00",
       ev("dispatch", "2026-11-03 11:00", unit="东城供电所"),
       ev("contact", "2026-11-05 10:00"),
       reply("2026-11-10 10:00", verified=False, responsible=False),
       ev("review", "2026-11-10 12:00", approved=True),
       ev("revisit", "2026-11-11 09:00", satisfied=False),
       ev("dispatch", "2026-11-11 09:30", unit="东城供电所"),
       ev("contact", "2026-11-11 10:00"),
       reply("2026-11-12 10:00"),
       ev("review", "2026-11-12 12:00", approved=True),
       ev("revisit", "2026-11-12 15:00", satisfied=True),
       ev("archive", "2026-11-12 16:00"),
       item="抄表质量", channel="来信", name="李大山", phone="13800001111", account="0109999999")
# C: same phone and item as A, 8 days later (a repeat); never contacted (overdue at as_of).
C = mk("TS202611100001", "2026-11-10 09:00",
       ev("dispatch", "2026-11-10 09:20", unit="城关供电所"),
       channel="互联网", name="王大明")
# D: returned in time by 西郊 (第十七条), then never re-dispatched.
D = mk("TS202611200001", "2026-11-20 09:00",
       ev("dispatch", "2026-11-20 09:30", unit="西郊供电所"),
       ev("return", "2026-11-21 09:00", reason="不属本所供电范围"),
       item="停电公告", phone="02312345678")
# G: same account as B but another item (not a repeat); replied not verified; unsatisfied revisit, waits for re-dispatch.
G = mk("TS202611160001", "2026-11-16 09:00",
       ev("dispatch", "2026-11-16 09:20", unit="南山供电所"),
       ev("contact", "2026-11-16 15:00"),
       reply("2026-11-17 10:00", verified=False, responsible=True),
       ev("review", "2026-11-17 12:00", approved=True),
       ev("revisit", "2026-11-18 09:00", satisfied=False),
       item="电费电价", phone="13700002222", account="0109999999")
# E: previous month, counted (环比). F: same month last year, not counted (同比).
E = mk("TS202610300001", "2026-10-30 09:00",
       ev("dispatch", "2026-10-30 09:10", unit="城关供电所"), reply("2026-10-30 15:00"), phone="13100000000")
F = mk("TS202511050001", "2025-11-05 09:00", phone="13200000000")
# After the month: must not be counted.
H = mk("TS202612010001", "2026-12-01 08:00", phone="13300000000")

ALL = [A, B, C, D, G, E, F, H]
UNITS = ("城关供电所", "东城供电所", "西郊供电所", "南山供电所", "客户服务中心")


@pytest.fixture(scope="module")
def nov() -> dict:
    return month_report(ALL, RULES, CAL, 2026, 11, as_of=t("2026-12-02 00:00"), units=UNITS)


def test_totals_and_changes(nov: dict) -> None:
    assert nov["month"] == "2026-11"
    assert nov["received"] == 5
    assert nov["counted"] == 2  # A, and B on its final reply (第九条)
    assert nov["month_on_month"] == {"month": "2026-10",
                                     "received": {"current": 5, "previous": 1, "change": 4, "ratio": 4.0},
                                     "counted": {"current": 2, "previous": 1, "change": 1, "ratio": 1.0}}
    assert nov["year_on_year"] == {"month": "2025-11",
                                   "received": {"current": 5, "previous": 1, "change": 4, "ratio": 4.0},
                                   "counted": {"current": 2, "previous": 0, "change": 2, "ratio": None}}


def test_categories_all_seventeen_items(nov: dict) -> None:
    cats = nov["by_category"]
    assert list(cats) == ["服务规范类", "营销管理类", "运行维护类", "供电方宣传责任类"]
    assert sum(len(c["items"]) for c in cats.values()) == 17
    assert cats["服务规范类"]["counted"] == 1
    assert cats["服务规范类"]["items"] == {"服务态度": 1, "服务规范": 0}
    assert cats["营销管理类"]["counted"] == 1
    assert cats["营销管理类"]["items"]["抄表质量"] == 1
    assert cats["营销管理类"]["items"]["电费电价"] == 0  # G not verified
    assert cats["营销管理类"]["items_received"]["电费电价"] == 1
    assert cats["运行维护类"]["counted"] == 0
    assert cats["供电方宣传责任类"] == {"received": 0, "counted": 0, "items": {"宣传不到位": 0},
                                 "items_received": {"宣传不到位": 0}}
    assert nov["by_item"]["服务态度"]["by_unit"] == {"城关供电所": 1}


def test_units_and_channels(nov: dict) -> None:
    u = nov["by_unit"]
    assert list(u)[:5] == list(UNITS)
    assert {k: (v["received"], v["counted"]) for k, v in u.items()} == {
        "城关供电所": (2, 1), "东城供电所": (1, 1), "西郊供电所": (1, 0), "南山供电所": (1, 0), "客户服务中心": (0, 0)}
    assert u["客户服务中心"]["rates"] == dict.fromkeys(RATE_KEYS)
    assert u["城关供电所"]["rate_counts"]["contact_on_time"] == {"numerator": 1, "denominator": 2}
    assert nov["by_channel"]["来电"] == {"received": 3, "counted": 1}
    assert nov["by_channel"]["来信"] == {"received": 1, "counted": 1}
    assert nov["by_channel"]["互联网"] == {"received": 1, "counted": 0}
    assert nov["by_channel"]["其他"] == {"received": 0, "counted": 0}


def test_rates_numerators_and_denominators(nov: dict) -> None:
    counts = {k: (v["numerator"], v["denominator"]) for k, v in nov["rate_counts"].items()}
    assert counts == {
        "first_time_resolution": (1, 2),  # A and B archived; B was dispatched twice
        "contact_on_time": (3, 5),  # A, B#2, G on time; B#1 late; C overdue; D's dispatch returned
        "reply_on_time": (3, 5),  # A, B#2, G on time; B#1 late (due 11-09 24:00); C overdue (due 11-16 24:00)
        "revisit": (3, 3),  # A, B (both revisits), G
        "revisit_satisfied": (2, 3),  # latest revisit: A yes, B yes, G no
    }
    assert nov["rates"] == {"first_time_resolution": 0.5, "contact_on_time": 0.6, "reply_on_time": 0.6,
                            "revisit": 1.0, "revisit_satisfied": 0.6667}


def test_late_stages(nov: dict) -> None:
    late = {(x["id"], x["stage"], x["pending"]) for x in nov["late"]}
    assert late == {
        ("TS202611030001", "dispatch", False), ("TS202611030001", "contact", False),
        ("TS202611030001", "reply", False), ("TS202611100001", "contact", True), ("TS202611100001", "reply", True),
        ("TS202611200001", "dispatch", True), ("TS202611160001", "dispatch", True),
    }
    b_dispatch = next(x for x in nov["late"] if x["id"] == "TS202611030001" and x["stage"] == "dispatch")
    assert b_dispatch["deadline"] == "2026-11-03T10:00:00+08:00"
    assert b_dispatch["done_at"] == "2026-11-03T11:00:00+08:00"
    assert b_dispatch["minutes_late"] == 60 and b_dispatch["late_by"] == "1小时"
    assert b_dispatch["owner"] == "95598班" and b_dispatch["clause"] == "第十四条"
    b_reply = next(x for x in nov["late"] if x["id"] == "TS202611030001" and x["stage"] == "reply")
    assert b_reply["deadline"] == "2026-11-10T00:00:00+08:00"  # 4 working days: 11-04, 05, 06, 09 → 11-09 24:00
    assert b_reply["minutes_late"] == 600
    assert nov["late_by_owner"] == {"95598班": 3, "东城供电所": 2, "城关供电所": 2}
    assert nov["by_unit"]["东城供电所"]["late_stages"] == 2


def test_repeats(nov: dict) -> None:
    assert [(r["id"], r["previous_id"], r["match"], r["days_apart"]) for r in nov["repeats"]] == [
        ("TS202611100001", "TS202611020001", "电话", 8.0)]
    assert nov["repeats"][0]["phone"] == "139****5678"


def test_repeat_window_is_inclusive_and_bounded() -> None:
    first = mk("TS202610020001", "2026-10-02 09:00", phone="13511112222")
    within = mk("TS202611010001", "2026-11-01 09:00", phone="13511112222")  # exactly 30 days later
    outside = mk("TS202611020001", "2026-11-02 09:01", phone="135 1111 2222", item="服务规范")  # other item
    r = month_report([first, within, outside], RULES, CAL, 2026, 11, as_of=AS_OF)
    assert [x["id"] for x in r["repeats"]] == ["TS202611010001"]


def test_bulletin_blocks(nov: dict) -> None:
    assert [b["id"] for b in nov["bulletins"]] == ["TS202611020001", "TS202611030001"]
    a = nov["bulletins"][0]
    assert a["cause"] == "抄表员解释不耐心"
    assert a["measures"] == "全所服务规范培训"
    assert a["process"].startswith("所长上门致歉\n处理经过：2026-11-02 09:30 派发至城关供电所")
    assert a["responsibility"].startswith("责任单位：城关供电所；核实属实，供电责任")
    assert "李四" in a["responsibility"]
    assert a["opinion"] == "李四：态度冷淡、语言生硬等态度欠佳引发客户不满造成投诉（第二十四条（三）2（1）），考核300元"
    assert nov["bulletins"][1]["opinion"] == "尚未提出考核意见"


def test_masking_everywhere(nov: dict) -> None:
    text = json.dumps(nov, ensure_ascii=False)
    for secret in ("王小明", "13912345678", "0101234567", "解放路12号", "李大山", "13800001111"):
        assert secret not in text
    a = nov["bulletins"][0]
    assert a["customer"] == {"name": "王*明", "phone": "139****5678", "account": "******4567",
                             "address": "城关镇******"}
    assert "客户139****5678反映抄表员王*明态度生硬" in a["course"]  # the customer's own data in free text
    assert nov["unmasked"] is False


def test_unmask_flag() -> None:
    r = month_report(ALL, RULES, CAL, 2026, 11, as_of=AS_OF, unmask=True)
    assert r["unmasked"] is True
    assert r["bulletins"][0]["customer"]["phone"] == "13912345678"
    assert "客户13912345678反映" in r["bulletins"][0]["course"]


def test_nothing_to_divide_is_null() -> None:
    r = month_report([], RULES, CAL, 2026, 11, as_of=AS_OF)
    assert r["received"] == 0 and r["counted"] == 0
    assert r["rates"] == dict.fromkeys(RATE_KEYS)
    assert all(c == {"numerator": 0, "denominator": 0} for c in r["rate_counts"].values())
    assert r["month_on_month"]["received"] == {"current": 0, "previous": 0, "change": 0, "ratio": None}
    assert r["bulletins"] == [] and r["late"] == [] and r["repeats"] == []


def test_stages_not_yet_due_are_left_out() -> None:
    c = mk("TS202611300001", "2026-11-30 09:00", ev("dispatch", "2026-11-30 09:30", unit="城关供电所"))
    r = month_report([c], RULES, CAL, 2026, 11, as_of=t("2026-11-30 12:00"))
    assert r["rates"]["contact_on_time"] is None  # due 12-01 24:00, not done: neither on time nor late
    assert r["rates"]["reply_on_time"] is None
    r = month_report([c], RULES, CAL, 2026, 11, as_of=t("2026-12-02 00:01"))
    assert r["rate_counts"]["contact_on_time"] == {"numerator": 0, "denominator": 1}


def test_contact_exactly_at_deadline_is_on_time() -> None:
    c = mk("TS202611020002", "2026-11-02 09:00", ev("dispatch", "2026-11-02 09:30", unit="城关供电所"),
           ev("contact", "2026-11-04 00:00"))  # 11-03 24:00 itself
    r = month_report([c], RULES, CAL, 2026, 11, as_of=AS_OF)
    assert r["rate_counts"]["contact_on_time"] == {"numerator": 1, "denominator": 1}
    late = mk("TS202611020003", "2026-11-02 09:00", ev("dispatch", "2026-11-02 09:30", unit="城关供电所"),
              ev("contact", "2026-11-04 00:01"))
    r = month_report([late], RULES, CAL, 2026, 11, as_of=AS_OF)
    assert r["rate_counts"]["contact_on_time"] == {"numerator": 0, "denominator": 1}
    assert r["late"][0]["minutes_late"] == 1


def test_as_of_ignores_later_events() -> None:
    r = month_report(ALL, RULES, CAL, 2026, 11, as_of=t("2026-11-05 10:30"))
    assert r["received"] == 2  # A and B only
    assert r["counted"] == 1  # A replied 属实/供电责任 on 11-04; B not yet replied
    assert r["rates"]["first_time_resolution"] is None  # A is archived only at 11:00
    assert r["rate_counts"]["revisit_satisfied"] == {"numerator": 1, "denominator": 1}


def test_month_boundaries_and_year_boundary() -> None:
    dec = mk("TS202512310001", "2025-12-31 23:59", ev("dispatch", "2026-01-01 00:10", unit="城关供电所"),
             reply("2026-01-02 10:00"), phone="13000000001")
    jan1 = mk("TS202601010001", "2026-01-01 00:00", phone="13000000002")
    jan2 = mk("TS202601200001", "2026-01-20 10:00", phone="13000000003")
    last_jan = mk("TS202501150001", "2025-01-15 10:00", phone="13000000004")
    r = month_report([dec, jan1, jan2, last_jan], RULES, CAL, 2026, 1, as_of=t("2026-03-01 00:00"))
    assert r["received"] == 2
    assert r["month_on_month"]["month"] == "2025-12"
    assert r["month_on_month"]["received"] == {"current": 2, "previous": 1, "change": 1, "ratio": 1.0}
    assert r["month_on_month"]["counted"] == {"current": 0, "previous": 1, "change": -1, "ratio": -1.0}
    assert r["year_on_year"]["month"] == "2025-01"
    assert r["year_on_year"]["received"]["previous"] == 1


def test_month_arithmetic() -> None:
    assert Month(2026, 1).prev() == Month(2025, 12)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2026, 3).last_year() == Month(2025, 3)
    assert Month(2026, 12).end.isoformat() == "2027-01-01T00:00:00+08:00"


# ---------------------------------------------------------------- the command

SPEC_KEYS = {"month", "received", "counted", "by_unit", "by_category", "rates", "penalties", "ledger"}


def _march(cli: Cli) -> tuple[str, str]:
    """Two complaints in March 2026: one counted and assessed, one not verified."""
    a = cli.add(received_at="2026-03-02 09:00", name="=HYPERLINK(\"http://evil\",\"x\")", phone="13912345678",
                account="0101234567", content="+客户称抄表员态度生硬")
    for args in (("dispatch", a, "--unit", "城关供电所", "--at", "2026-03-02 09:30"),
                 ("contact", a, "--at", "2026-03-02 14:00"),
                 ("reply", a, "--verified", "--responsible", "--cause", "-抄表员解释不耐心", "--process", "@上门致歉",
                  "--measures", "=1+1", "--at", "2026-03-04 10:00"),
                 ("review", a, "--at", "2026-03-04 12:00"),
                 ("revisit", a, "--satisfied", "--at", "2026-03-05 09:00"),
                 ("archive", a, "--at", "2026-03-05 10:00"),
                 ("assess", a, "--rule", "attitude.poor", "--person", "孙七", "--amount", "500",
                  "--at", "2026-03-06 10:00")):
        r = cli(*args)
        assert r.exit_code == 0, r.output
    b = cli.add(received_at="2026-03-10 09:00", item="电费电价", channel="互联网", phone="13800001111")
    for args in (("dispatch", b, "--unit", "东城供电所", "--at", "2026-03-10 09:20"),
                 ("contact", b, "--at", "2026-03-12 09:00"),
                 ("reply", b, "--not-verified", "--not-responsible", "--cause", "电价执行正确", "--process", "解释",
                  "--at", "2026-03-12 10:00")):
        r = cli(*args)
        assert r.exit_code == 0, r.output
    return a, b


def test_cli_json(cli: Cli) -> None:
    a, b = _march(cli)
    r = cli("report", "--month", "2026-03", "--format", "json", "--at", "2026-04-10 00:00")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert SPEC_KEYS <= set(data)
    assert data["received"] == 2 and data["counted"] == 1
    assert data["by_unit"]["城关供电所"]["received"] == 1 and data["by_unit"]["城关供电所"]["counted"] == 1
    assert data["by_unit"]["东城供电所"] == {**data["by_unit"]["东城供电所"], "received": 1, "counted": 0}
    assert data["by_category"]["服务规范类"]["counted"] == 1
    assert data["by_category"]["服务规范类"]["items"]["服务态度"] == 1
    assert data["rates"]["first_time_resolution"] == 1.0
    assert data["rates"]["contact_on_time"] == 0.5  # b contacted on 03-12, due 03-11 24:00
    # b was replied 03-12 10:00 and never revisited: the 24-hour clock runs from 答复 (第十六条, SPEC §3).
    assert data["rate_counts"]["revisit"] == {"numerator": 1, "denominator": 2}
    p = data["penalties"]
    assert [(x["id"], x["rule"], x["person"], x["amount"], x["clause"]) for x in p] == [
        (a, "attitude.poor", "孙七", 500, "第二十四条（三）2（1）")]
    # 孙七's 绩效 is 300: 300 deducted in March, 200 carried (第二十八条).
    assert [(x["person"], x["due"], x["deducted"], x["carried"]) for x in data["ledger"]] == [("孙七", 500, 300, 200)]
    assert data["unmasked"] is False
    assert "13912345678" not in r.stdout and "HYPERLINK" not in r.stdout


def test_cli_ledger_carries_into_next_month(cli: Cli) -> None:
    _march(cli)
    r = cli("report", "--month", "2026-04", "--format", "json", "--at", "2026-05-01 00:00")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["received"] == 0 and data["penalties"] == []
    assert [(x["person"], x["due"], x["deducted"], x["carried"]) for x in data["ledger"]] == [("孙七", 200, 200, 0)]
    assert data["month_on_month"]["received"]["previous"] == 2


def test_cli_table_and_unmask(cli: Cli) -> None:
    _march(cli)
    r = cli("report", "--month", "2026-03", "--at", "2026-04-10 00:00")
    assert r.exit_code == 0, r.output
    assert "2026年3月客户投诉通报" in r.stdout
    assert "一次解决率" in r.stdout and "孙七" in r.stdout
    assert "未屏蔽" not in r.stdout
    r = cli("report", "--month", "2026-03", "--at", "2026-04-10 00:00", "--unmask")
    assert "本报表未屏蔽客户信息" in r.stdout
    r = cli("report", "--month", "2026-03", "--at", "2026-04-10 00:00", "--unmask", "--format", "json")
    data = json.loads(r.stdout)
    assert data["unmasked"] is True
    assert data["bulletins"][0]["customer"]["phone"] == "13912345678"


@pytest.mark.parametrize("args, message", [
    (("--month", "2026-13"), "月份「2026-13」无效"),
    (("--month", "11月"), "月份「11月」无效"),
    (("--half", "2026H3"), "半年「2026H3」无效"),
    ((), "请给出 --month"),
    (("--month", "2026-03", "--half", "2026H1"), "只能给出一个"),
    (("--month", "2026-03", "--format", "csv"), "输出格式「csv」无效"),
])
def test_cli_bad_input(cli: Cli, args: tuple[str, ...], message: str) -> None:
    r = cli("report", *args)
    assert r.exit_code == 2
    assert message in r.stderr
    assert "Traceback" not in r.output


def test_cli_output_must_be_writable_xlsx(cli: Cli, tmp_path: Path) -> None:
    _march(cli)
    bad = tmp_path / "通报.csv"
    r = cli("report", "--month", "2026-03", "-o", str(bad))
    assert r.exit_code == 2 and f"输出文件「{bad}」应以 .xlsx 结尾" in r.stderr
    assert not bad.exists()
    missing = tmp_path / "没有这个目录" / "通报.xlsx"
    r = cli("report", "--month", "2026-03", "-o", str(missing))
    assert r.exit_code == 2 and f"无法写入「{missing}」" in r.stderr
    assert not missing.parent.exists()
    r = cli("report", "--month", "2026-13", "-o", str(tmp_path / "x.xlsx"))
    assert r.exit_code == 2 and not (tmp_path / "x.xlsx").exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix in (".xlsx", ".tmp")] == []


def test_cli_half_year(cli: Cli, tmp_path: Path) -> None:
    a, _ = _march(cli)
    r = cli("report", "--half", "2026H1", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["half"] == "2026H1" and data["received"] == 2 and data["counted"] == 1
    assert data["total_fines"] == 500
    r = cli("report", "--half", "2026H1")
    assert r.exit_code == 0 and "2026年上半年投诉统计与考核" in r.stdout
    out = tmp_path / "半年.xlsx"
    r = cli("report", "--half", "2026H1", "-o", str(out))
    assert r.exit_code == 0, r.output
    import openpyxl

    wb = openpyxl.load_workbook(out)
    assert "概况" in wb.sheetnames and "考核明细" in wb.sheetnames


def test_terminal_shows_typed_text_as_text() -> None:
    from rich.console import Console

    from tousu.terminal import report as report_table

    c = mk("TS202611020001", "2026-11-02 09:00", ev("dispatch", "2026-11-02 09:30", unit="城关供电所"),
           reply("2026-11-03 10:00", cause="[/]表计[red]故障", measures="[bold]更换"))
    r = month_report([c], RULES, CAL, 2026, 11, as_of=AS_OF)
    console = Console(record=True, width=250)
    report_table.month(console, r)
    text = console.export_text()
    assert "[/]表计[red]故障" in text and "[bold]更换" in text
    assert "2026年11月客户投诉通报" in text and "服务规范类小计" in text


def test_a_withdrawn_step_is_not_in_the_bulletins_course_of_handling(cli: Cli) -> None:
    """撤销: the record behaves as if the step had not happened — the 《投诉事件通报》 block's 处理经过 too
    (found in the new-user day: the undone contact by the wrong person was listed beside the real one)."""
    cid = cli.add(received_at="2026-11-02 08:05")
    for args in (("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 08:20"),
                 ("contact", cid, "--by", "赵六", "--at", "2026-11-02 09:00"),
                 ("undo", cid, "--reason", "联系人登记错了", "--at", "2026-11-02 09:30"),
                 ("contact", cid, "--by", "李四", "--at", "2026-11-02 09:00"),
                 ("reply", cid, "--verified", "--responsible", "--cause", "线路老化", "--process", "更换线路",
                  "--by", "李四", "--at", "2026-11-02 10:00")):
        r = cli(*args)
        assert r.exit_code == 0, r.output
    r = cli("report", "--month", "2026-11", "--format", "json", "--at", "2026-11-30 12:00")
    process = json.loads(r.stdout)["bulletins"][0]["process"]
    assert "首次联系（李四）" in process and "赵六" not in process, process
