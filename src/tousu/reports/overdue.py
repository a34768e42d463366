"""What cron's `tousu check-overdue` reports: pending stages past or near their deadline."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from tousu.domain.workdays import WorkCalendar
from tousu.domain.deadlines import Stage, stages
from tousu.domain.warning import level
from tousu.errors import Problem
from tousu.domain.model import Complaint
from tousu.config.rules import Rules
from tousu.reports.listing import stage_json
from tousu.timeutil import iso


def _row(c: Complaint, s: Stage, now: datetime, rules: Rules, cal: WorkCalendar) -> dict[str, Any]:
    late = now > s.deadline
    minutes = int(abs(now - s.deadline).total_seconds() // 60)
    return {
        "id": c.id,
        **stage_json(s),
        "state": c.state,
        "item": c.item,
        "severity": c.current_severity,
        "received_at": iso(c.received_at),
        "minutes_overdue" if late else "minutes_left": minutes,
        "level": level(s, now, rules, cal),
    }


def check(complaints: list[Complaint], problems: list[Problem], rules: Rules, cal: WorkCalendar,
          now: datetime) -> dict[str, Any]:
    """The check-overdue report (SPEC §4): overdue, due_soon, warnings."""
    return check_stages(((c, stages(c, rules, cal)) for c in complaints), problems, rules, cal, now)


def check_stages(items: Iterable[tuple[Any, Sequence[Stage]]], problems: list[Problem], rules: Rules,
                 cal: WorkCalendar, now: datetime) -> dict[str, Any]:
    """`check` over complaints given with their stages (the pending ones are enough: the index's view)."""
    overdue: list[dict[str, Any]] = []
    due_soon: list[dict[str, Any]] = []
    warnings: dict[str, None] = {}
    for c, st in items:
        for s in st:
            if not s.pending:
                continue
            # Every pending deadline counted Monday–Friday for want of a schedule warns,
            # listed or not: whether it is overdue depends on that guess (SPEC §3).
            for w in s.warnings:
                warnings[w] = None
            if now > s.deadline:
                overdue.append(_row(c, s, now, rules, cal))
            elif s.deadline - now <= rules.due_soon or level(s, now, rules, cal):  # near, or a warning level
                due_soon.append(_row(c, s, now, rules, cal))
    overdue.sort(key=lambda r: (r["deadline"], r["id"]))
    due_soon.sort(key=lambda r: (r["deadline"], r["id"]))
    return {
        "as_of": iso(now),
        "overdue": overdue,
        "due_soon": due_soon,
        "warnings": list(warnings),
        "errors": [p.as_json() for p in problems],
        "rules": str(rules.source),
    }
