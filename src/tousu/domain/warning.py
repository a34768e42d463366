"""Graded warnings of a pending stage (SPEC §3: 四级预警, rules.yaml `warning_levels`).

A stage's level is the highest one whose share of the stage's time is used up: by default
提醒 at 50%, 预警 at 75%, 告警 at 90%, 超期 once past the deadline (a level at 100% is reached
only strictly after it, as a step done at its deadline is on time). Calendar-hour and
same-day stages count calendar time; working-day stages count working time only (the 24
hours of each working day, from when the count starts: under the civil-code rule the day
after the clock started, 《民法典》第二百零一条), so a holiday uses none of a unit's time.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from tousu.config.rules import Rules, WarningLevel
from tousu.domain.deadlines import Stage
from tousu.domain.workdays import WorkCalendar
from tousu.timeutil import CHINA, to_china


def working_time(start: datetime, end: datetime, cal: WorkCalendar) -> timedelta:
    """The part of [start, end) that falls on working days."""
    start, end = to_china(start), to_china(end)
    total = timedelta()
    day = start.date()
    while start < end and day <= end.date():
        day_start = datetime.combine(day, time(), CHINA)
        lo, hi = max(start, day_start), min(end, day_start + timedelta(days=1))
        if hi > lo and cal.is_workday(day):
            total += hi - lo
        day += timedelta(days=1)
    return total


def used(stage: Stage, now: datetime, rules: Rules, cal: WorkCalendar) -> float:
    """The share (0…, may exceed 1) of a pending stage's time used at `now`."""
    limit = rules.stages.get(stage.key)
    if limit is not None and limit.unit == "working_days":
        begin = to_china(stage.started)
        if rules.working_day_rule == "civil_code":  # the count starts the day after the clock did
            begin = datetime.combine(begin.date() + timedelta(days=1), time(), CHINA)
        whole = working_time(begin, stage.deadline, cal)
        if whole > timedelta():
            if now >= stage.deadline:
                return 1.0 + (now - stage.deadline) / whole
            return working_time(begin, now, cal) / whole
    whole = stage.deadline - stage.started
    if whole <= timedelta():
        return 1.0 if now <= stage.deadline else 2.0
    return (now - stage.started) / whole


def level(stage: Stage, now: datetime, rules: Rules, cal: WorkCalendar) -> str | None:
    """The warning level of a pending stage at `now` (None below the first level, or once done)."""
    if not stage.pending:
        return None
    share = used(stage, now, rules, cal)
    past = now > stage.deadline
    reached: WarningLevel | None = None
    for w in rules.warning_levels:
        if (past if w.percent >= 100 else share * 100 >= w.percent or past):
            reached = w
    return reached.name if reached else None


def rank(rules: Rules, name: str | None) -> int:
    """Position of a level (0 for none), for filtering 'at least 告警'."""
    names = [w.name for w in rules.warning_levels]
    return names.index(name) + 1 if name in names else 0
