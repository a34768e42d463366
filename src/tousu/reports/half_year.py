"""The half-year statistics and 考核意见 the 市场营销部 proposes (第二十七条), as plain data.

Complaints are those 受理 in the half year (counted ones only, 第九条, in the
tables by 大类/项); penalties those recorded in it (第二十八条's month of
registration). `unassessed` lists counted complaints with no assessment yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from tousu.config.org import Org
from tousu.config.rules import Rules
from tousu.domain.ledger import Fine, fines, penalty_row
from tousu.domain.model import Complaint
from tousu.timeutil import Half, iso, to_china


def half_year(complaints: Iterable[Complaint], rules: Rules, org: Org, half: Half,
              as_of: datetime | None = None) -> dict[str, Any]:
    """The half year's figures; `as_of` (when given) is stated as 统计截止."""
    complaints = list(complaints)
    received = [c for c in complaints if half.contains(c.received_at) and not c.voided]  # 作废: counted nowhere
    counted = [c for c in received if c.counted]
    all_fines = fines(complaints)
    in_half = [f for f in all_fines if half.contains(f.at)]
    assessed_ids = {f.id for f in all_fines}
    out = {
        "half": half.label,
        "label": half.zh,
        "from": iso(half.start),
        "to": iso(half.end),
        **({"as_of": iso(min(to_china(as_of), half.end))} if as_of is not None else {}),
        "received": len(received),
        "counted": len(counted),
        "by_category": _by_category(counted, rules),
        "by_unit": _by_unit(received, in_half, org),
        "by_person": _by_person(in_half, org),
        "penalties": [penalty_row(f, rules) for f in in_half],
        "total_fines": sum(f.amount for f in in_half),
        "unassessed": [{"id": c.id, "unit": c.unit, "item": c.item, "severity": c.current_severity,
                        "escalated_to": list(c.all_escalations)}
                       for c in counted if c.id not in assessed_ids],
    }
    return out


def _by_category(counted: Sequence[Complaint], rules: Rules) -> dict[str, dict[str, Any]]:
    by_category: dict[str, dict[str, Any]] = {
        cat: {"counted": 0, "items": {item: 0 for item in items}} for cat, items in rules.taxonomy.items()}
    for c in counted:
        cat = by_category.setdefault(c.category, {"counted": 0, "items": {}})
        cat["counted"] += 1
        cat["items"][c.item] = cat["items"].get(c.item, 0) + 1
    return by_category


def _unit_row() -> dict[str, int]:
    return {"received": 0, "counted": 0, "person_fines": 0, "unit_fines": 0, "total": 0}


def _by_unit(received: Sequence[Complaint], in_half: Sequence[Fine], org: Org) -> dict[str, dict[str, int]]:
    by_unit: dict[str, dict[str, int]] = {u: _unit_row() for u in org.unit_names}
    for c in received:
        if c.unit:
            row = by_unit.setdefault(c.unit, _unit_row())
            row["received"] += 1
            row["counted"] += c.counted
    staff = {p.name: p for p in org.staff}
    for f in in_half:
        if f.person:
            p = staff.get(f.person)
            if p:
                by_unit.setdefault(p.unit, _unit_row())["person_fines"] += f.amount
        elif f.unit:
            by_unit.setdefault(f.unit, _unit_row())["unit_fines"] += f.amount
    for row in by_unit.values():
        row["total"] = row["person_fines"] + row["unit_fines"]
    return by_unit


def _by_person(in_half: Sequence[Fine], org: Org) -> dict[str, dict[str, Any]]:
    staff = {p.name: p for p in org.staff}
    by_person: dict[str, dict[str, Any]] = {}
    for f in in_half:
        if f.person:
            p = staff.get(f.person)
            row = by_person.setdefault(f.person, {"unit": p.unit if p else None, "count": 0, "amount": 0})
            row["count"] += 1
            row["amount"] += f.amount
    return by_person
