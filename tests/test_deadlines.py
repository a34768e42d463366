"""Stage clocks (SPEC §3; 第十四—十七、十九条): every example of the table, both rules, year end."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from conftest import Cli
from foundation_helpers import (FOUNDATION_RULES, REPLY, check, fcli, ok, rules_file, show, stage,  # noqa: F401
                                write_rules)
from tousu.domain import lifecycle
from tousu.config import org
from tousu.config import rules
from tousu.domain.workdays import WorkCalendar, uncovered_warning
from tousu.domain.deadlines import deadline_for, stages, working_day_deadline
from tousu.timeutil import CHINA, human_deadline, iso

NOW = datetime(2099, 1, 1, tzinfo=CHINA)


def t(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA)


# ------------------------------------------------------------ the table of SPEC §3

EXAMPLES = [
    # dispatched, contact due (JSON), reply due (JSON), contact due for people
    ("2026-09-30 16:00", "2026-10-09T00:00:00+08:00", "2026-10-13T00:00:00+08:00", "2026-10-08 24:00"),
    ("2026-10-03 11:00", "2026-10-09T00:00:00+08:00", "2026-10-13T00:00:00+08:00", "2026-10-08 24:00"),
    ("2026-02-13 10:00", "2026-02-15T00:00:00+08:00", "2026-02-27T00:00:00+08:00", "2026-02-14 24:00"),
]


@pytest.mark.parametrize(("dispatched", "contact", "reply", "contact_human"), EXAMPLES)
def test_spec_examples_through_working_day_deadline(dispatched: str, contact: str, reply: str,
                                                     contact_human: str) -> None:
    cal = WorkCalendar()
    c = working_day_deadline(t(dispatched), 1, cal)
    r = working_day_deadline(t(dispatched), 4, cal)
    assert (iso(c.at), iso(r.at)) == (contact, reply)
    assert human_deadline(c.at) == contact_human
    assert c.uncovered == r.uncovered == ()


def test_spec_reply_examples_for_people() -> None:
    cal = WorkCalendar()
    assert human_deadline(working_day_deadline(t("2026-09-30 16:00"), 4, cal).at) == "2026-10-12 24:00"
    assert human_deadline(working_day_deadline(t("2026-02-13 10:00"), 4, cal).at) == "2026-02-26 24:00"


def test_basis_explains_the_holidays() -> None:
    d = working_day_deadline(t("2026-09-30 16:00"), 4, WorkCalendar())
    assert d.basis == "2026-09-30 16:00 起4个工作日（10-01…10-07 国庆节，10-10 国庆节调休上班）"


def test_a_time_in_another_zone_counts_from_its_china_date() -> None:
    # 2026-09-30 20:00 in New York is 2026-10-01 08:00 in China: a holiday, so the same as the 10-03 row.
    ny = datetime.fromisoformat("2026-09-30T20:00:00-04:00")
    d = working_day_deadline(ny, 1, WorkCalendar())
    assert iso(d.at) == "2026-10-09T00:00:00+08:00"
    late_evening = datetime.fromisoformat("2026-11-02T12:30:00-04:00")  # Tuesday 00:30 in China
    assert iso(working_day_deadline(late_evening, 1, WorkCalendar()).at) == "2026-11-05T00:00:00+08:00"


def test_same_clock_rule() -> None:
    d = working_day_deadline(t("2026-09-30 16:00"), 1, WorkCalendar(), "same_clock")
    assert iso(d.at) == "2026-10-08T16:00:00+08:00"
    assert iso(working_day_deadline(t("2026-09-30 16:00"), 4, WorkCalendar(), "same_clock").at) == \
        "2026-10-12T16:00:00+08:00"


# ------------------------------------------------------------ the year after the calendar's last


def test_year_end_without_next_years_schedule_falls_back_and_says_so() -> None:
    d = working_day_deadline(t("2026-12-30 10:00"), 4, WorkCalendar())
    assert iso(d.at) == "2027-01-06T00:00:00+08:00" and human_deadline(d.at) == "2027-01-05 24:00"
    assert d.uncovered == (2027,)
    assert "2027年按周一至周五" in d.basis


def test_year_end_with_new_years_day_in_rules_yaml() -> None:
    cal = WorkCalendar(holidays={datetime(2027, 1, 1).date(): "元旦"})
    d = working_day_deadline(t("2026-12-30 10:00"), 4, cal)
    assert human_deadline(d.at) == "2027-01-06 24:00"
    assert d.uncovered == ()


@pytest.fixture
def in_2027(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's "now" frozen in January 2027, so steps dated at the year end are not in the future."""
    monkeypatch.setattr("tousu.cli.context.now_china", lambda: datetime(2027, 1, 10, 9, 0, tzinfo=CHINA))


def _dispatched_on_dec_30(cli: Cli) -> tuple[str, str]:
    """A complaint dispatched and contacted on 2026-12-30; its ID and what dispatch said on stderr."""
    cid = cli.add(received_at="2026-12-30 09:00")
    r = cli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-12-30 10:00")
    ok(r)
    ok(cli("contact", cid, "--at", "2026-12-30 11:00"))
    return cid, r.stderr


def test_year_end_end_to_end_warns_naming_2027(fcli: Cli, in_2027: None) -> None:
    cid, said = _dispatched_on_dec_30(fcli)
    assert uncovered_warning(2027) in said
    assert stage(show(fcli, cid), "reply")["deadline"] == "2027-01-06T00:00:00+08:00"
    r, data = check(fcli, "2027-01-06 01:00")
    assert r.exit_code == 1
    assert {(o["stage"], o["deadline"]) for o in data["overdue"]} == {("reply", "2027-01-06T00:00:00+08:00")}
    assert data["warnings"] == [uncovered_warning(2027)]
    assert uncovered_warning(2027) in r.stderr
    r = fcli("show", cid, "--at", "2027-01-06 01:00")
    assert uncovered_warning(2027) in r.stderr


def test_year_end_end_to_end_with_2027_new_year_in_rules_yaml(data_dir: Path, tmp_path: Path, in_2027: None) -> None:
    text = FOUNDATION_RULES.replace("  holidays: []", "  holidays:\n    - 2027-01-01 元旦")
    cli = Cli(data_dir, write_rules(tmp_path, text, "rules2027.yaml"))
    cid, said = _dispatched_on_dec_30(cli)
    assert "2027" not in said
    assert stage(show(cli, cid), "reply")["deadline"] == "2027-01-07T00:00:00+08:00"
    r, data = check(cli, "2027-01-06 23:00")
    assert r.exit_code == 0
    assert [o["stage"] for o in data["due_soon"]] == ["reply"]
    assert data["warnings"] == [] and "2027" not in r.stderr


# ------------------------------------------------------------ end to end through the CLI


@pytest.mark.parametrize(("dispatched", "contact", "reply", "contact_human"), EXAMPLES)
def test_spec_examples_end_to_end(fcli: Cli, dispatched: str, contact: str, reply: str, contact_human: str) -> None:
    received = (t(dispatched) - timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
    cid = fcli.add(received_at=received)
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", dispatched))
    data = show(fcli, cid, at=dispatched)
    assert stage(data, "contact")["deadline"] == contact
    assert stage(data, "reply")["deadline"] == reply
    assert stage(data, "contact")["unit"] == "城关供电所"
    # at the deadline: due soon, not yet overdue
    r, rep = check(fcli, contact)
    assert r.exit_code == 0, r.output
    assert rep["overdue"] == []
    assert [(d["id"], d["stage"], d["deadline"]) for d in rep["due_soon"]] == [(cid, "contact", contact)]
    # one minute after it: overdue
    after = (datetime.fromisoformat(contact) + timedelta(minutes=1)).isoformat()
    r, rep = check(fcli, after)
    assert r.exit_code == 1
    assert [(o["id"], o["stage"], o["deadline"], o["unit"]) for o in rep["overdue"]] == \
        [(cid, "contact", contact, "城关供电所")]
    # the table for people says 24:00 of the day
    r = fcli("show", cid, "--at", dispatched)
    assert contact_human in r.stdout


def test_contact_exactly_at_the_deadline_is_on_time(fcli: Cli) -> None:
    cid = fcli.add(received_at="2026-09-30 15:30")
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-09-30 16:00"))
    ok(fcli("contact", cid, "--at", "2026-10-08 24:00"))
    assert stage(show(fcli, cid), "contact")["status"] == "met"


def test_same_clock_rule_end_to_end(data_dir: Path, tmp_path: Path) -> None:
    text = FOUNDATION_RULES.replace("working_day_rule: civil_code", "working_day_rule: same_clock")
    cli = Cli(data_dir, write_rules(tmp_path, text, "same_clock.yaml"))
    cid = cli.add(received_at="2026-09-30 15:30")
    ok(cli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-09-30 16:00"))
    data = show(cli, cid)
    assert stage(data, "contact")["deadline"] == "2026-10-08T16:00:00+08:00"
    assert stage(data, "reply")["deadline"] == "2026-10-12T16:00:00+08:00"
    r, rep = check(cli, "2026-10-08 16:01")
    assert r.exit_code == 1 and [o["stage"] for o in rep["overdue"]] == ["contact"]


# ------------------------------------------------------------ calendar-hour stages and restarts


@pytest.fixture
def ctx(data_dir: Path, rules_file: Path):  # noqa: ANN201
    r = rules.load(rules_file)
    return r, org.load(data_dir / "org.yaml"), WorkCalendar(r.holidays, r.workdays)


def _new(r, received: str = "2026-11-02 09:00", severity: str | None = None):  # noqa: ANN001, ANN202
    return lifecycle.new_complaint(rules=r, received_at=t(received), now=NOW, by="张三", channel="来电",
                                   name="王小明", phone="13912345678", category=None, item="服务态度",
                                   content="态度生硬", severity=severity)


def _keyed(c, r, cal) -> dict:  # noqa: ANN001
    """The latest stage of each key."""
    return {s.key: s for s in stages(c, r, cal)}


def test_dispatch_is_one_calendar_hour(ctx) -> None:  # noqa: ANN001
    r, _, cal = ctx
    c = _new(r, "2026-10-01 23:30")  # a holiday night: calendar hours all the same
    s = _keyed(c, r, cal)["dispatch"]
    assert iso(s.deadline) == "2026-10-02T00:30:00+08:00" and s.pending and s.unit is None
    assert s.clause == "第十四条"


def _replied(ctx, reply_at: str = "2026-11-04 15:00"):  # noqa: ANN001, ANN202
    r, o, cal = ctx
    c = _new(r)
    c = lifecycle.dispatch(c, unit="城关供电所", at=t("2026-11-02 09:30"), by="王五", now=NOW, org=o)
    c = lifecycle.contact(c, at=t("2026-11-02 14:00"), by="李四", now=NOW)
    return lifecycle.reply(c, verified=True, responsible=True, cause="c", process="p", measures="",
                           at=t(reply_at), by="李四", now=NOW)


def test_revisit_is_24_calendar_hours_from_the_reply(ctx) -> None:  # noqa: ANN001
    r, _, cal = ctx
    c = _replied(ctx, "2026-11-06 15:00")  # a Friday: the weekend does not stop the clock
    s = _keyed(c, r, cal)
    # While the reply waits for 营销部审核, the pending stage is review, owned by 市场营销部, due with the revisit.
    assert "revisit" not in s and s["review"].owner == "市场营销部"
    assert iso(s["review"].deadline) == "2026-11-07T15:00:00+08:00" and s["review"].pending
    c = lifecycle.review(c, approve=True, reason=None, at=t("2026-11-07 09:00"), by="王五", now=NOW)
    s = _keyed(c, r, cal)
    assert s["review"].status(NOW) == "met" and s["revisit"].owner == "95598班"
    assert iso(s["revisit"].deadline) == "2026-11-07T15:00:00+08:00" and s["revisit"].clause == "第十六条"
    assert s["reply"].done_at == t("2026-11-06 15:00") and s["reply"].status(NOW) == "met"


def test_notify_is_due_the_same_day_after_grade(ctx) -> None:  # noqa: ANN001
    r, o, cal = ctx
    c = _new(r)
    assert "notify" not in _keyed(c, r, cal)
    c = lifecycle.dispatch(c, unit="城关供电所", at=t("2026-11-02 09:30"), by="王五", now=NOW, org=o)
    c = lifecycle.grade(c, severity="严重", rules=r, at=t("2026-11-03 22:10"), by="王五", now=NOW)
    s = _keyed(c, r, cal)["notify"]
    assert iso(s.deadline) == "2026-11-04T00:00:00+08:00" and s.clause == "第十九条" and s.pending
    c = lifecycle.notify(c, at=t("2026-11-03 23:59"), by="赵六", now=NOW)
    assert _keyed(c, r, cal)["notify"].status(NOW) == "met"


def test_notify_starts_at_intake_for_a_serious_complaint(ctx) -> None:  # noqa: ANN001
    r, _, cal = ctx
    c = _new(r, "2026-11-02 17:00", severity="重大")
    assert iso(_keyed(c, r, cal)["notify"].deadline) == "2026-11-03T00:00:00+08:00"


def test_notify_end_to_end_after_grade(fcli: Cli) -> None:
    cid = fcli.add()
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 10:00"))
    ok(fcli("grade", cid, "--severity", "严重", "--at", "2026-11-02 15:00"))
    r, rep = check(fcli, "2026-11-03 00:01")
    assert ("notify", "2026-11-03T00:00:00+08:00") in {(o["stage"], o["deadline"]) for o in rep["overdue"]}
    ok(fcli("notify", cid, "--at", "2026-11-03 08:00"))
    assert stage(show(fcli, cid), "notify")["status"] == "late"


def test_return_restarts_the_dispatch_clock(ctx) -> None:  # noqa: ANN001
    r, o, cal = ctx
    c = _new(r)
    c = lifecycle.dispatch(c, unit="城关供电所", at=t("2026-11-02 09:30"), by="王五", now=NOW, org=o)
    c = lifecycle.return_(c, reason="属东城供电所辖区", at=t("2026-11-03 16:00"), by="李四", now=NOW)
    all_ = stages(c, r, cal)
    assert [s.key for s in all_] == ["dispatch", "return", "dispatch"]
    ret, again = all_[1], all_[2]
    assert ret.done_at == t("2026-11-03 16:00") and iso(ret.deadline) == "2026-11-04T00:00:00+08:00"
    assert again.pending and iso(again.deadline) == "2026-11-03T17:00:00+08:00"
    assert c.state == "pending_dispatch"
    c = lifecycle.dispatch(c, unit="东城供电所", at=t("2026-11-03 16:30"), by="王五", now=NOW, org=o)
    k = _keyed(c, r, cal)
    assert k["dispatch"].status(NOW) == "met"
    assert iso(k["contact"].deadline) == "2026-11-05T00:00:00+08:00" and k["contact"].unit == "东城供电所"
    assert k["contact"].cycle == 2


def test_unsatisfied_revisit_restarts_the_dispatch_clock(ctx) -> None:  # noqa: ANN001
    r, o, cal = ctx
    c = _replied(ctx)
    c = lifecycle.review(c, approve=True, reason=None, at=t("2026-11-04 16:00"), by="王五", now=NOW)
    c = lifecycle.revisit(c, satisfied=False, at=t("2026-11-05 10:00"), by="王五", now=NOW)
    assert c.state == "pending_dispatch"
    k = _keyed(c, r, cal)
    assert k["revisit"].status(NOW) == "met"
    assert k["dispatch"].pending and iso(k["dispatch"].deadline) == "2026-11-05T11:00:00+08:00"
    c = lifecycle.dispatch(c, unit="城关供电所", at=t("2026-11-05 10:20"), by="王五", now=NOW, org=o)
    k = _keyed(c, r, cal)
    assert k["reply"].pending and iso(k["reply"].deadline) == "2026-11-12T00:00:00+08:00"


def test_a_pending_redispatch_is_not_charged_to_the_unit_that_returned_it(fcli: Cli) -> None:
    """The re-dispatch is 95598班's clock (第十四条、第十七条), not the returning unit's."""
    cid = fcli.add()
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:30"))
    ok(fcli("return", cid, "--reason", "不属本所辖区", "--at", "2026-11-02 11:00"))
    r, rep = check(fcli, "2026-11-02 13:00")
    assert r.exit_code == 1
    assert [(o["stage"], o["deadline"], o["owner"]) for o in rep["overdue"]] == \
        [("dispatch", "2026-11-02T12:00:00+08:00", "95598班")]


def test_extend_replaces_the_reply_deadline(ctx) -> None:  # noqa: ANN001
    r, o, cal = ctx
    c = _new(r)
    c = lifecycle.dispatch(c, unit="城关供电所", at=t("2026-11-02 09:30"), by="王五", now=NOW, org=o)
    before = _keyed(c, r, cal)["reply"].deadline
    assert iso(before) == "2026-11-07T00:00:00+08:00"
    c = lifecycle.extend(c, until=t("2026-11-13 00:00"), reason="需现场测试", approved_by="王五",
                         at=t("2026-11-05 10:00"), by="李四", now=NOW, org=o, rules=r, cal=cal)
    s = _keyed(c, r, cal)["reply"]
    assert iso(s.deadline) == "2026-11-13T00:00:00+08:00"
    assert s.basis == "经王五批准延期至 2026-11-12 24:00（需现场测试）"
    assert [x.key for x in stages(c, r, cal)].count("reply") == 1


def test_extend_end_to_end(fcli: Cli) -> None:
    cid = fcli.add()
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:30"))
    ok(fcli("extend", cid, "--until", "2026-11-12", "--reason", "需现场测试", "--approved-by", "王五",
            "--at", "2026-11-05 10:00"))
    assert stage(show(fcli, cid), "reply")["deadline"] == "2026-11-13T00:00:00+08:00"
    r, rep = check(fcli, "2026-11-10 09:00")
    assert "reply" not in {o["stage"] for o in rep["overdue"]}


def test_review_reject_makes_the_reply_pending_again(ctx) -> None:  # noqa: ANN001
    r, _, cal = ctx
    c = _replied(ctx)
    assert _keyed(c, r, cal)["review"].pending
    c = lifecycle.review(c, approve=False, reason="原因不清", at=t("2026-11-04 16:00"), by="王五", now=NOW)
    k = _keyed(c, r, cal)
    assert k["reply"].pending and iso(k["reply"].deadline) == "2026-11-07T00:00:00+08:00"
    assert "revisit" not in k
    assert c.state == "dispatched"
    c = lifecycle.reply(c, verified=True, responsible=True, cause="c2", process="p2", measures="",
                        at=t("2026-11-05 09:00"), by="李四", now=NOW)
    c = lifecycle.review(c, approve=True, reason=None, at=t("2026-11-05 10:00"), by="王五", now=NOW)
    k = _keyed(c, r, cal)
    assert k["reply"].done_at == t("2026-11-05 09:00") and iso(k["revisit"].deadline) == "2026-11-06T09:00:00+08:00"


def test_deadline_for_units(rules_file: Path) -> None:
    r = rules.load(rules_file)
    cal = WorkCalendar()
    start = t("2026-11-02 23:59")
    assert iso(deadline_for(r.stages["notify"], start, cal, "civil_code").at) == "2026-11-03T00:00:00+08:00"
    assert iso(deadline_for(r.stages["revisit"], start, cal, "civil_code").at) == "2026-11-03T23:59:00+08:00"
    assert iso(deadline_for(r.stages["contact"], start, cal, "civil_code").at) == "2026-11-04T00:00:00+08:00"


def test_show_json_reports_every_stage_with_china_times(fcli: Cli) -> None:
    cid = fcli.add()
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:30"))
    data = show(fcli, cid, at="2026-11-02 12:00")
    assert [(s["stage"], s["status"]) for s in data["stages"]] == \
        [("dispatch", "met"), ("contact", "pending"), ("reply", "pending")]
    for s in data["stages"]:
        for k in ("started", "deadline"):
            assert s[k].endswith("+08:00")
    assert json.dumps(data, ensure_ascii=False).count("+08:00") >= 8


def test_a_contact_made_before_a_return_is_withdrawn_with_the_dispatch(fcli: Cli) -> None:
    """第十七条: the returned dispatch was never the unit's matter; only the return itself is judged."""
    cid = fcli.add(received_at="2026-11-02 09:00")
    for args in (("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:30"),
                 ("contact", cid, "--at", "2026-11-05 10:00"),
                 ("return", cid, "--reason", "不属本所", "--at", "2026-11-05 11:00")):
        assert fcli(*args).exit_code == 0
    stages = json.loads(fcli("show", cid, "--format", "json", "--at", "2026-11-05 11:10").stdout)["stages"]
    assert [(s["stage"], s["status"]) for s in stages] == [("dispatch", "met"), ("return", "late"), ("dispatch", "pending")]
