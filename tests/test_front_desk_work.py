"""Issue #10 §3, §4, §6 (SPEC §3, §4): find, todo, graded warnings, --new-since-last, 80 columns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import Cli
from foundation_helpers import fcli, ok, refused, rules_file  # noqa: F401
from tousu.cli import common
from tousu.config import rules as rules_mod
from tousu.domain.deadlines import stages
from tousu.domain.warning import level, used
from tousu.domain.workdays import WorkCalendar
from tousu.storage.store import Store
from tousu.timeutil import CHINA


def add(cli: Cli, **kw: str) -> str:
    return cli.add(**kw)


def run(cli: Cli, *steps: tuple[str, ...]) -> None:
    for s in steps:
        ok(cli(*s))


def find(cli: Cli, text: str, at: str = "2026-11-10 09:00") -> list[dict]:
    r = cli("find", text, "--format", "json", "--at", at)
    ok(r)
    return json.loads(r.stdout)["results"]


# ---------------------------------------------------------------- find


@pytest.fixture
def three(fcli: Cli) -> dict[str, str]:
    """Three customers; 王小明 twice (the second newer)."""
    one = add(fcli, received_at="2026-11-02 09:00", name="王小明", phone="139 1234 5678", account="0301234567",
              address="城关镇解放路18号", content="抄表员态度生硬 不耐烦", ref="95598-20261102-0001")
    other = add(fcli, received_at="2026-11-03 09:00", name="李大山", phone="023-62345678", account="0309999999",
                address="东城区人民路3号", content="停电没有通知", item="停电公告")
    two = add(fcli, received_at="2026-11-05 09:00", name="王小明", phone="+86 139-1234-5678", content="又来投诉")
    return {"one": one, "other": other, "two": two}


@pytest.mark.parametrize("typed", ["13912345678", "139-1234-5678", "139 1234 5678", "+8613912345678",
                                   "(139)12345678", "１３９１２３４５６７８", "1234 5678"])
def test_find_by_phone_whatever_the_punctuation_newest_first(fcli: Cli, three: dict, typed: str) -> None:
    rows = find(fcli, typed)
    assert [r["id"] for r in rows] == [three["two"], three["one"]]
    assert all("电话" in r["matched"] for r in rows)


@pytest.mark.parametrize("typed", ["023 6234 5678", "02362345678", "(023)62345678", "6234-5678"])
def test_find_a_fixed_line(fcli: Cli, three: dict, typed: str) -> None:
    assert [r["id"] for r in find(fcli, typed)] == [three["other"]]


def test_the_last_four_digits_find_every_phone_ending_so(fcli: Cli, three: dict) -> None:
    assert [r["id"] for r in find(fcli, "5678")] == [three["two"], three["other"], three["one"]]


@pytest.mark.parametrize(("typed", "key", "who"), [
    ("王小明", "姓名", ("two", "one")), ("0301234567", "户号", ("one",)), ("301234567", "户号", ("one",)),
    ("95598-20261102-0001", "95598工单编号", ("one",)), ("９５５９８－２０２６１１０２－０００１", "95598工单编号", ("one",)),
    ("解放路", "地址", ("one",)), ("不耐烦 抄表员", "诉求内容", ("one",)), ("停电", "诉求内容", ("other",)),
])
def test_find_by_each_key(fcli: Cli, three: dict, typed: str, key: str, who: tuple[str, ...]) -> None:
    rows = find(fcli, typed)
    assert [r["id"] for r in rows] == [three[w] for w in who]
    assert all(key in r["matched"] for r in rows)


def test_find_gives_state_and_next_deadline(fcli: Cli, three: dict) -> None:
    run(fcli, ("dispatch", three["one"], "--unit", "城关供电所", "--at", "2026-11-02 09:30"))
    row = find(fcli, "95598-20261102-0001", at="2026-11-02 10:00")[0]
    assert (row["state"], row["state_name"], row["next_stage"], row["next_deadline"]) == \
        ("dispatched", "处理中", "contact", "2026-11-04T00:00:00+08:00")
    r = fcli("find", "王小明", "--at", "2026-11-02 10:00")
    ok(r)
    assert "（2 件，新的在前）" in r.stdout and three["one"] in r.stdout


def test_find_nothing(fcli: Cli, three: dict) -> None:
    assert find(fcli, "张三丰") == []


def test_show_accepts_a_95598_number(fcli: Cli, three: dict) -> None:
    r = fcli("show", "95598-20261102-0001", "--format", "json", "--at", "2026-11-02 10:00")
    ok(r)
    assert json.loads(r.stdout)["id"] == three["one"]
    refused(fcli("show", "95598-000"), "编号「95598-000」不是投诉编号，应为 TS+受理日期(8位)+序号(4位)，如 TS202611260001；"
                                       "也不是已登记的95598工单编号（可用 tousu find 查找）")


# ---------------------------------------------------------------- warning levels across a holiday

RULES = rules_mod.load(rules_mod.builtin_path())
CAL = WorkCalendar(RULES.holidays, RULES.workdays)


def t(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA)


@pytest.fixture
def national_day(fcli: Cli, data_dir: Path) -> str:
    """Dispatched 2026-09-30 16:00: contact due 10-08 24:00, reply due 10-12 24:00 (SPEC §3's example)."""
    cid = add(fcli, received_at="2026-09-30 15:30")
    run(fcli, ("dispatch", cid, "--unit", "东城供电所", "--at", "2026-09-30 16:00"))
    return cid


@pytest.mark.parametrize(("at", "contact", "reply"), [
    ("2026-10-07 23:00", None, None),  # the holiday used none of the unit's time
    ("2026-10-08 12:00", "提醒", None),  # half of the one working day
    ("2026-10-08 18:00", "预警", None),
    ("2026-10-08 22:00", "告警", None),
    ("2026-10-09 00:00", "告警", None),  # at the deadline: on time, not yet 超期
    ("2026-10-09 00:01", "超期", None),
    ("2026-10-10 00:00", "超期", "提醒"),  # 2 of 4 working days (10-08, 10-09) used
    ("2026-10-11 12:00", "超期", "预警"),  # Saturday 10-10 is a make-up working day; Sunday 10-11 is not
])
def test_levels_count_working_time_across_national_day(fcli: Cli, data_dir: Path, national_day: str, at: str,
                                                       contact: str | None, reply: str | None) -> None:
    c = Store(data_dir).load(national_day)
    pending = {s.key: s for s in stages(c, RULES, CAL) if s.pending}
    assert (level(pending["contact"], t(at), RULES, CAL), level(pending["reply"], t(at), RULES, CAL)) == (contact, reply)


def test_calendar_hour_stages_use_calendar_time(fcli: Cli, data_dir: Path) -> None:
    cid = add(fcli, received_at="2026-10-01 09:00")  # a holiday: dispatch is 1 calendar hour all the same
    s = next(s for s in stages(Store(data_dir).load(cid), RULES, CAL) if s.key == "dispatch")
    assert used(s, t("2026-10-01 09:30"), RULES, CAL) == 0.5
    assert [level(s, t(x), RULES, CAL) for x in ("2026-10-01 09:29", "2026-10-01 09:30", "2026-10-01 09:54",
                                                  "2026-10-01 10:00", "2026-10-01 10:01")] == \
        [None, "提醒", "告警", "告警", "超期"]


# ---------------------------------------------------------------- todo


def todo(cli: Cli, *args: str, at: str) -> list[dict]:
    r = cli("todo", *args, "--format", "json", "--at", at)
    ok(r)
    return json.loads(r.stdout)["todo"]


def test_todo_of_a_unit_by_deadline_with_levels_and_next_command(fcli: Cli, national_day: str) -> None:
    fresh = add(fcli, received_at="2026-10-08 11:00")
    run(fcli, ("dispatch", fresh, "--unit", "东城供电所", "--at", "2026-10-08 11:30"))
    waiting = add(fcli, received_at="2026-10-08 11:40")
    rows = todo(fcli, "--unit", "东城供电所", at="2026-10-08 12:00")
    assert [(r["id"], r["stage"], r["level"], r["next_command"]) for r in rows] == [
        (national_day, "contact", "提醒", f"tousu contact {national_day}"),  # due 10-08 24:00
        (fresh, "contact", None, f"tousu contact {fresh}"),  # due 10-09 24:00
        (national_day, "reply", None, f"tousu reply {national_day}"),  # due 10-12 24:00
        (fresh, "reply", None, f"tousu reply {fresh}"),
    ]
    assert rows[0]["minutes_left"] == 12 * 60 and rows[0]["deadline"] == "2026-10-09T00:00:00+08:00"
    hotline = todo(fcli, "--unit", "95598班", at="2026-10-08 12:00")
    assert [(r["id"], r["stage"], r["owner"], r["level"]) for r in hotline] == \
        [(waiting, "dispatch", "95598班", None)]
    assert todo(fcli, "--unit", "95598班", at="2026-10-08 12:11")[0]["level"] == "提醒"


def test_todo_of_a_person_is_their_unit_and_marketing_owes_reviews(fcli: Cli) -> None:
    cid = add(fcli, received_at="2026-11-02 09:00")
    run(fcli, ("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:10"),
        ("contact", cid, "--at", "2026-11-02 10:00"),
        ("reply", cid, "--verified", "--responsible", "--cause", "态度", "--process", "道歉", "--at",
         "2026-11-03 10:00"))
    assert todo(fcli, "--person", "李四", at="2026-11-03 11:00") == []  # 城关供电所 has replied
    rows = todo(fcli, "--person", "王五", at="2026-11-03 11:00")  # 市场营销部 (95598班 is part of it)
    assert [(r["stage"], r["owner"], r["next_command"]) for r in rows] == \
        [("review", "市场营销部", f"tousu review {cid}")]
    assert todo(fcli, "--unit", "95598班", at="2026-11-03 11:00") == []  # revisit cannot start before review


def test_todo_marks_the_stages_that_were_urged(fcli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 供电所 reading its todo sees which stage 95598班 has chased (催办), counted for the clock running now:
    a 催办 of a clock that ended (before a return and re-dispatch) does not count (trial)."""
    cid = add(fcli, received_at="2026-11-02 09:00")
    other = add(fcli, received_at="2026-11-02 09:05", phone="13800138000")
    run(fcli, ("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:10"),
        ("dispatch", other, "--unit", "城关供电所", "--at", "2026-11-02 09:15"),
        ("urge", cid, "--at", "2026-11-02 15:00"), ("urge", cid, "--at", "2026-11-02 16:00"),
        ("urge", other, "--at", "2026-11-02 10:00"), ("return", other, "--reason", "不属本所", "--at", "2026-11-02 11:00"),
        ("dispatch", other, "--unit", "城关供电所", "--at", "2026-11-02 11:10"))
    rows = todo(fcli, "--unit", "城关供电所", at="2026-11-02 17:00")
    assert {(r["id"], r["stage"]): r["urges"] for r in rows} == \
        {(cid, "contact"): 2, (cid, "reply"): 0, (other, "contact"): 0, (other, "reply"): 0}
    monkeypatch.setenv("COLUMNS", "80")
    r = fcli("todo", "--unit", "城关供电所", "--at", "2026-11-02 17:00")
    ok(r)
    assert r.stdout.count("催办2次") == 1 and "催办1次" not in r.stdout


def test_todo_refuses_an_unknown_unit(fcli: Cli) -> None:
    r = fcli("todo", "--unit", "西城供电所")
    assert r.exit_code == 2 and "单位「西城供电所」不在组织机构" in r.stderr and "95598班" in r.stderr


# ---------------------------------------------------------------- check-overdue --unit --level --new-since-last


def check(cli: Cli, *args: str, at: str) -> dict:
    r = cli("check-overdue", *args, "--format", "json", "--at", at)
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.stdout)


def test_check_overdue_rows_carry_level_and_filter_by_unit_and_level(fcli: Cli, national_day: str) -> None:
    other = add(fcli, received_at="2026-10-08 11:00")
    rep = check(fcli, at="2026-10-08 18:00")
    assert rep["rules"] == str(fcli.rules)
    assert [(r["id"], r["stage"], r["owner"], r["level"]) for r in rep["due_soon"]] == \
        [(national_day, "contact", "东城供电所", "预警")]
    assert [(r["id"], r["level"]) for r in rep["overdue"]] == [(other, "超期")]
    assert check(fcli, "--unit", "东城", at="2026-10-08 18:00")["overdue"] == []
    assert [r["id"] for r in check(fcli, "--unit", "95598班", at="2026-10-08 18:00")["overdue"]] == [other]
    only = check(fcli, "--level", "告警", at="2026-10-08 18:00")
    assert (only["due_soon"], [r["id"] for r in only["overdue"]]) == ([], [other])


def test_new_since_last_lists_a_stage_once_per_level(fcli: Cli, national_day: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUSU_CACHE_DIR", str(tmp_path / "cache"))
    args = ("--unit", "东城供电所", "--new-since-last")
    first = check(fcli, *args, at="2026-10-08 12:00")
    assert [(r["stage"], r["level"]) for r in first["due_soon"]] == [("contact", "提醒")]
    assert check(fcli, *args, at="2026-10-08 12:15")["due_soon"] == []  # the next cron run: nothing new
    r = fcli("check-overdue", *args, "--at", "2026-10-08 12:30")
    assert (r.exit_code, r.stdout) == (0, "")  # table output: nothing at all, so cron mails nothing
    risen = check(fcli, *args, at="2026-10-08 18:00")
    assert [(r["stage"], r["level"]) for r in risen["due_soon"]] == [("contact", "预警")]
    late = check(fcli, *args, at="2026-10-09 08:00")
    assert [(r["stage"], r["level"]) for r in late["overdue"]] == [("contact", "超期")]
    assert check(fcli, "--unit", "东城供电所", at="2026-10-09 08:15")["overdue"]  # without the flag: all again


# ---------------------------------------------------------------- 80 columns


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.out, "width", 80)


def test_the_id_column_stays_whole_at_80_columns(fcli: Cli, national_day: str, narrow: None) -> None:
    long = add(fcli, received_at="2026-10-08 11:00", name="欧阳娜娜娜娜娜娜娜娜娜娜", item="宣传不到位",
               content="很长的诉求内容" * 10, address="城关镇" * 10)
    for args in (("list", "--at", "2026-10-08 18:00"), ("todo", "--at", "2026-10-08 18:00"),
                 ("find", "1391234", "--at", "2026-10-08 18:00"), ("check-overdue", "--at", "2026-10-08 18:00")):
        r = fcli(*args)
        assert r.exit_code in (0, 1), r.output
        lines = r.stdout.splitlines()
        assert max(cell_len(line) for line in lines) <= 80, (args, r.stdout)
        table = [line.rstrip() for line in lines if line[:1] in "┏┃┡│└"]
        assert table and all(line[-1] in "┓┃┩│┘" for line in table), (args, r.stdout)  # no table cut at the edge
        assert "…" not in r.stdout and "24:00" in r.stdout, (args, r.stdout)  # deadlines whole
        for cid in (national_day, long):
            assert any(cid in line for line in lines), (args, cid, r.stdout)


def test_help_summaries_fit_80_columns_without_ellipsis(repo_root: Path, tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "80", "TERMINAL_WIDTH": "80"}
    r = subprocess.run([sys.executable, "-m", "tousu", "--help"], capture_output=True, text=True, env=env,
                       cwd=tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr
    commands = r.stdout[r.stdout.index("命令"):]
    assert "…" not in commands, commands
    for name in ("add", "find", "todo", "check-overdue", "reply", "revisit", "report", "import"):
        assert f"│ {name} " in commands


def test_repeats_know_the_customer_whatever_the_phone_punctuation(fcli: Cli, data_dir: Path) -> None:
    from tousu.reports.repeats import earlier, repeats

    first = add(fcli, received_at="2026-11-02 09:00", phone="13912345678")
    again = add(fcli, received_at="2026-11-09 09:00", phone="+86 139-1234-5678", content="又一次")
    cs, _ = Store(data_dir).load_all()
    found = repeats(cs, [earlier(c) for c in cs], 30, unmask=True)
    assert [(r["id"], r["previous_id"], r["match"]) for r in found] == [(again, first, "电话")]
