"""`tousu todo`: what a unit (or 95598班, or 市场营销部) owes now, by deadline (SPEC §2, §4).

Pure functions over loaded complaints (an index may serve them later). Who owes a stage is
SPEC §2's: 95598班 owes dispatch and revisit, the unit contact and reply, 市场营销部 the
review (营销部审核, 第十六条) while a reply waits for it — the revisit clock runs meanwhile
but 95598班 cannot act on it yet, so it is never charged to them in that state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from tousu.config.rules import Rules
from tousu.domain.deadlines import HOTLINE, Stage, stages
from tousu.domain.model import Complaint
from tousu.domain.warning import level
from tousu.domain.workdays import WorkCalendar
from tousu.storage.indexquery import EVERYTHING, Narrow
from tousu.timeutil import iso

MARKETING = "市场营销部"

_NEXT = {
    "dispatch": "tousu dispatch {id} --unit 单位",
    "contact": "tousu contact {id}",
    "reply": "tousu reply {id}",
    "review": "tousu review {id}",
    "revisit": "tousu revisit {id}",
    "notify": "tousu notify {id}",
    "return": "tousu return {id} --reason 理由",
}


def owed(c: Complaint, s: Stage) -> tuple[str, str, str]:
    """(what is owed: stage key, its name, who owes it) for a pending stage."""
    if s.key == "revisit" and c.state == "replied":  # waiting for 营销部审核 first (第十六条)
        return "review", "营销部审核", MARKETING
    if s.key == "review":
        return "review", s.name, MARKETING
    return s.key, s.name, s.owner


def todo(complaints: list[Complaint], owners: set[str] | None, rules: Rules, cal: WorkCalendar,
         now: datetime) -> list[dict[str, Any]]:
    """Every pending stage owed by one of `owners` (None: everyone), by deadline then ID."""
    return todo_stages(((c, stages(c, rules, cal)) for c in complaints), owners, rules, cal, now)


def todo_stages(items: Iterable[tuple[Any, Sequence[Stage]]], owners: set[str] | None, rules: Rules,
                cal: WorkCalendar, now: datetime) -> list[dict[str, Any]]:
    """`todo` over complaints given with their stages (the pending ones are enough: the index's view)."""
    rows: list[dict[str, Any]] = []
    for c, st in items:
        for s in st:
            if not s.pending:
                continue
            key, name, owner = owed(c, s)
            if owners is not None and owner not in owners:
                continue
            left = int((s.deadline - now).total_seconds() // 60)
            urged = sum(1 for k, at in c.urges if k in (key, s.key) and at >= s.started)  # 催办 of this clock
            rows.append({
                "id": c.id, "stage": key, "stage_name": name, "owner": owner, "deadline": iso(s.deadline),
                "minutes_left": left, "level": level(s, now, rules, cal),
                "next_command": _NEXT.get(key, "tousu show {id}").format(id=c.id),
                "state": c.state, "state_name": c.state_zh, "item": c.item, "unit": c.unit,
                "received_at": iso(c.received_at), "clause": s.clause, "urges": urged,
            })
    rows.sort(key=lambda r: (r["deadline"], r["id"]))
    return rows


def narrow(owners: set[str] | None) -> Narrow:
    """What the index may leave out for `owners`: complaints with no pending stage they could owe (see `owed`)."""
    if owners is None:
        return EVERYTHING
    return Narrow(owners=frozenset(owners), owed_keys=frozenset({"review", "revisit"} if MARKETING in owners else ()))


def owners_for(unit: str | None, person_unit: str | None) -> set[str] | None:
    """Whose stages `--unit U` or `--person P` (P's unit) asks for; 95598班 belongs to 市场营销部."""
    wanted = unit or person_unit
    if wanted is None:
        return None
    if wanted == MARKETING:
        return {MARKETING, HOTLINE}
    return {wanted}
