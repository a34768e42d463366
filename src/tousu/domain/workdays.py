"""China's working days: chinese-calendar, rules.yaml's overrides, and a fallback.

The only module that touches `chinese_calendar`. A date neither it nor
rules.yaml covers (chinese-calendar 1.11.0 stops at 2026) falls back to
Monday–Friday; callers learn which years did, so every result that depends on
such a date can carry a warning naming the year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


@dataclass(frozen=True)
class DayInfo:
    """Whether a day is worked, and why."""

    day: date
    workday: bool
    source: str  # chinese-calendar | rules.yaml | fallback
    name: str = ""  # holiday name, for holidays and their 调休 make-up days

    @property
    def special(self) -> bool:
        """A day that breaks the Monday–Friday pattern (holiday on a weekday, 调休 on a weekend)."""
        return self.workday == (self.day.weekday() >= 5) or (not self.workday and bool(self.name))

    def describe(self) -> str:
        if self.workday and self.day.weekday() >= 5:
            return f"{self.name}调休上班" if self.name else "调休上班"
        if not self.workday and self.name:
            return self.name
        return "工作日" if self.workday else "周末"


def calendar_release() -> str:
    """Which chinese_calendar release answers (derived data that counted working days depends on it)."""
    return str(getattr(chinese_calendar, "__version__", "") or Path(chinese_calendar.__file__ or "").stat().st_mtime_ns)


def uncovered_warning(year: int) -> str:
    return (f"{year}年的法定节假日安排未知（chinese-calendar 与 rules.yaml 均未包含），"
            f"该年按周一至周五计算工作日；请在 rules.yaml 的 calendar 中补充{year}年的放假安排。")


class WorkCalendar:
    """China's statutory calendar with company overrides (SPEC §3)."""

    def __init__(self, holidays: dict[date, str] | None = None, workdays: dict[date, str] | None = None) -> None:
        self._holidays = dict(holidays or {})
        self._workdays = dict(workdays or {})
        self._override_years = {d.year for d in self._holidays} | {d.year for d in self._workdays}
        self._cache: dict[date, DayInfo] = {}
        self._lib_years: dict[int, bool] = {}
        # Deadlines of a month's complaints share a few hundred (day, n) pairs: the calendar never changes
        # once built, so `span` remembers its answers.
        self._spans: dict[tuple[date, int], tuple[date, str, tuple[int, ...]]] = {}

    def _lib_covers(self, year: int) -> bool:
        known = self._lib_years.get(year)
        if known is None:
            try:
                chinese_calendar.is_workday(date(year, 6, 30))
                known = True
            except NotImplementedError:
                known = False
            self._lib_years[year] = known
        return known

    def covered(self, year: int) -> bool:
        """True when the year's schedule is known (from chinese-calendar or rules.yaml)."""
        return year in self._override_years or self._lib_covers(year)

    def info(self, day: date) -> DayInfo:
        hit = self._cache.get(day)
        if hit is not None:
            return hit
        if day in self._holidays:
            hit = DayInfo(day, False, "rules.yaml", self._holidays[day] or "节假日")
        elif day in self._workdays:
            hit = DayInfo(day, True, "rules.yaml", self._workdays[day])
        elif self._lib_covers(day.year):
            try:
                is_holiday, name = chinese_calendar.get_holiday_detail(day)
            except NotImplementedError:  # pragma: no cover - guarded by _lib_covers
                is_holiday, name = day.weekday() >= 5, None
            zh = _NAMES.get(name, name or "")
            hit = DayInfo(day, not is_holiday, "chinese-calendar", zh)
        elif day.year in self._override_years:
            hit = DayInfo(day, day.weekday() < 5, "rules.yaml")
        else:
            hit = DayInfo(day, day.weekday() < 5, "fallback")
        self._cache[day] = hit
        return hit

    def is_workday(self, day: date) -> bool:
        return self.info(day).workday

    def nth_workday_after(self, day: date, n: int) -> date:
        """The n-th working day after `day` (the day itself not counted; n ≥ 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        current, left = day, n
        while left:
            current += timedelta(days=1)
            if self.is_workday(current):
                left -= 1
        return current

    def span(self, day: date, n: int) -> tuple[date, str, tuple[int, ...]]:
        """The n-th working day after `day`, what breaks the Monday–Friday pattern on the days after `day` up
        to it (`explain`), and the years between whose schedule is unknown: all a deadline's basis says."""
        hit = self._spans.get((day, n))
        if hit is None:
            last = self.nth_workday_after(day, n)
            hit = self._spans[(day, n)] = (last, self.explain(day + timedelta(days=1), last),
                                           self.uncovered_years(day, last))
        return hit

    def uncovered_years(self, first: date, last: date) -> tuple[int, ...]:
        """Years between two dates (inclusive) whose schedule is unknown."""
        return tuple(y for y in range(first.year, last.year + 1) if not self.covered(y))

    def special_days(self, first: date, last: date) -> list[DayInfo]:
        """Days in [first, last] that break the Monday–Friday pattern."""
        out, day = [], first
        while day <= last:
            info = self.info(day)
            if info.special:
                out.append(info)
            day += timedelta(days=1)
        return out

    def explain(self, first: date, last: date) -> str:
        """'10-01…10-07 国庆节, 10-10 国庆节调休上班' for the days in [first, last]."""
        groups: list[tuple[date, date, str]] = []
        for info in self.special_days(first, last):
            label = info.describe()
            if groups and groups[-1][2] == label and (info.day - groups[-1][1]).days == 1:
                groups[-1] = (groups[-1][0], info.day, label)
            else:
                groups.append((info.day, info.day, label))
        parts = []
        for a, b, label in groups:
            span = f"{a:%m-%d}" if a == b else f"{a:%m-%d}…{b:%m-%d}"
            parts.append(f"{span} {label}")
        return "，".join(parts)
