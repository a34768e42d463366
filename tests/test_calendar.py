"""China's working days (SPEC §3): chinese-calendar, rules.yaml overrides, Monday–Friday fallback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from foundation_helpers import FOUNDATION_RULES, fcli, rules_file, write_rules  # noqa: F401 - fixtures
from tousu.domain.workdays import WorkCalendar, uncovered_warning

WARN_2027 = uncovered_warning(2027)


def test_national_day_2026_and_make_up_saturday() -> None:
    cal = WorkCalendar()
    for d in range(1, 8):
        info = cal.info(date(2026, 10, d))
        assert not info.workday and info.name == "国庆节" and info.source == "chinese-calendar"
    sat = cal.info(date(2026, 10, 10))
    assert sat.day.weekday() == 5 and sat.workday and sat.describe() == "国庆节调休上班"
    assert not cal.is_workday(date(2026, 10, 11))  # an ordinary Sunday


def test_spring_festival_2026_and_make_up_saturday() -> None:
    cal = WorkCalendar()
    assert cal.is_workday(date(2026, 2, 14))  # Saturday 调休
    assert [d for d in range(15, 24) if cal.is_workday(date(2026, 2, d))] == []
    assert cal.is_workday(date(2026, 2, 24))


def test_nth_workday_after_does_not_count_the_start_day() -> None:
    cal = WorkCalendar()
    assert cal.nth_workday_after(date(2026, 11, 2), 1) == date(2026, 11, 3)  # Monday → Tuesday
    assert cal.nth_workday_after(date(2026, 11, 6), 1) == date(2026, 11, 9)  # Friday → Monday
    assert cal.nth_workday_after(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert cal.nth_workday_after(date(2026, 9, 30), 4) == date(2026, 10, 12)


def test_a_span_is_what_a_deadline_basis_says_of_the_days() -> None:
    """span(day, n): the n-th working day after `day`, the special days after `day` up to it, the unknown years."""
    cal = WorkCalendar()
    assert cal.span(date(2026, 9, 30), 1) == (date(2026, 10, 8), "10-01…10-07 国庆节", ())
    assert cal.span(date(2026, 9, 30), 3) == (date(2026, 10, 10), "10-01…10-07 国庆节，10-10 国庆节调休上班", ())
    assert cal.span(date(2026, 11, 2), 4) == (date(2026, 11, 6), "", ())
    assert cal.span(date(2026, 12, 30), 4) == (date(2027, 1, 5), "", (2027,))
    assert cal.span(date(2026, 9, 30), 3) is cal.span(date(2026, 9, 30), 3)  # worked out once


def test_year_after_the_library_falls_back_to_monday_to_friday() -> None:
    cal = WorkCalendar()
    assert cal.covered(2026) and not cal.covered(2027)
    info = cal.info(date(2027, 1, 1))  # 元旦 in reality, unknown here
    assert info.workday and info.source == "fallback"
    assert not cal.is_workday(date(2027, 1, 2))
    assert cal.uncovered_years(date(2026, 12, 30), date(2027, 1, 5)) == (2027,)
    assert "2027" in WARN_2027


def test_rules_yaml_overrides_cover_the_year() -> None:
    cal = WorkCalendar(holidays={date(2027, 1, 1): "元旦"}, workdays={date(2026, 10, 11): "加班"})
    assert cal.covered(2027)
    info = cal.info(date(2027, 1, 1))
    assert not info.workday and info.source == "rules.yaml" and info.describe() == "元旦"
    assert cal.is_workday(date(2027, 1, 4))  # the rest of a listed year: Monday–Friday, no warning
    assert cal.info(date(2027, 1, 4)).source == "rules.yaml"
    assert cal.is_workday(date(2026, 10, 11))  # a workday override wins over chinese-calendar
    assert cal.uncovered_years(date(2026, 12, 30), date(2027, 1, 6)) == ()


def test_calendar_command_shows_national_day_and_make_up_day(fcli) -> None:
    r = fcli("calendar", "2026-10")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    oct1 = next(line for line in lines if "10-01" in line)
    assert "国庆节" in oct1 and "休息" in oct1
    oct10 = next(line for line in lines if "10-10" in line)
    assert "国庆节调休上班" in oct10 and "上班" in oct10
    assert "2026年10月共 18 个工作日" in r.stdout
    assert r.stderr == ""


def test_calendar_command_warns_about_an_unknown_year(fcli) -> None:
    r = fcli("calendar", "2027-01")
    assert r.exit_code == 0, r.output
    assert WARN_2027 in r.stderr
    jan1 = next(line for line in r.stdout.splitlines() if "01-01" in line)
    assert "上班" in jan1 and "周一至周五（无安排）" in jan1


def test_calendar_command_with_the_year_in_rules_yaml(data_dir: Path, tmp_path: Path) -> None:
    from conftest import Cli

    text = FOUNDATION_RULES.replace("  holidays: []", '  holidays: ["2027-01-01 元旦"]')
    r = Cli(data_dir, write_rules(tmp_path, text, "rules2027.yaml"))("calendar", "2027-01")
    assert r.exit_code == 0, r.output
    assert r.stderr == ""
    jan1 = next(line for line in r.stdout.splitlines() if "01-01" in line)
    assert "元旦" in jan1 and "休息" in jan1 and "rules.yaml" in jan1


def test_calendar_command_rejects_a_bad_month(fcli) -> None:
    r = fcli("calendar", "2026-13")
    assert r.exit_code == 2
    assert "月份「2026-13」无效，应为 YYYY-MM（如 2026-11）" in r.stderr
    assert "Traceback" not in r.output
