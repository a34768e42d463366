"""The fines once recorded, and the 绩效 deduction ledger (第二十六、二十八条).

Pure functions over the `assess` events in complaints' histories; nothing is
stored. 第二十八条: a fine comes out of the 月度绩效 of the month the assessment
is recorded in (its `at`, China time); what one month cannot cover carries to
the next until paid. Unit fines (第二十六条 弄虚作假) are listed per unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tousu.config.org import Org
from tousu.config.rules import Rules
from tousu.domain.model import Complaint
from tousu.timeutil import Month, iso, to_china


@dataclass(frozen=True)
class Fine:
    """One assessment read off a complaint's history."""

    id: str
    at: datetime
    rule: str
    amount: int
    person: str | None
    unit: str | None
    received_at: datetime | None = None  # the complaint's 受理时间: which month's case it is

    @property
    def month(self) -> Month:
        """The month it is recorded in, whose 绩效 it comes out of (第二十八条)."""
        return Month.of(self.at)

    @property
    def case_month(self) -> Month | None:
        return None if self.received_at is None else Month.of(self.received_at)


def fines(complaints: Iterable[Complaint]) -> list[Fine]:
    """Every assessment in the records, by time; none of a voided complaint (作废: entered by mistake or
    twice, it leaves every figure, the fines and the ledger too; SPEC §2)."""
    out = [Fine(c.id, to_china(e.at), e.rule or "", e.amount or 0, e.person, e.unit, to_china(c.received_at))
           for c in complaints if not c.voided for e in c.history if e.action == "assess"]
    return sorted(out, key=lambda f: (f.at, f.id))


def penalty_row(f: Fine, rules: Rules) -> dict[str, Any]:
    """SPEC §4's penalty keys, with the rule's Chinese name, clause and sanction."""
    rule = rules.penalty(f.rule)
    row: dict[str, Any] = {"id": f.id, "rule": f.rule, "rule_name": rule.name if rule else f.rule}
    if f.person:
        row["person"] = f.person
    else:
        row["unit"] = f.unit
    row.update({"amount": f.amount, "clause": rule.clause if rule else "", "at": iso(f.at),
                "sanction": rule.sanction if rule else ""})
    return row


def month_penalties(complaints: Iterable[Complaint], rules: Rules, mon: Month) -> list[dict[str, Any]]:
    """Assessments recorded (`at`, China time) in the month, sorted by time: the month's fines (第二十八条)."""
    return [penalty_row(f, rules) for f in fines(complaints) if f.month == mon]


def later_penalties(complaints: Iterable[Complaint], rules: Rules, mon: Month) -> list[dict[str, Any]]:
    """Assessments of the month's complaints recorded after the month (up to the data's `as_of`).

    They belong to a later month's ledger (第二十八条) but to this month's cases: a bulletin made in
    early December lists them beside November's, marked `registered_later` with their own month.
    """
    rows = []
    for f in fines(complaints):
        if f.case_month == mon and f.month > mon:
            rows.append(penalty_row(f, rules) | {"registered_later": True, "registered_month": f.month.label})
    return rows


def ledger(complaints: Iterable[Complaint], org: Org, mon: Month) -> list[dict[str, Any]]:
    """The month's deductions from each person's 绩效, with what carries over (第二十八条).

    due = carried_in + assessed; deducted = min(due, monthly_performance);
    carried = due − deducted. One row per person with anything due that month,
    in org.yaml order (people no longer in org.yaml last, with 0 绩效).
    """
    by_person: dict[str, dict[Month, int]] = defaultdict(lambda: defaultdict(int))
    for f in fines(complaints):
        if f.person and f.month <= mon:
            by_person[f.person][f.month] += f.amount
    staff = {p.name: p for p in org.staff}
    order = {p.name: i for i, p in enumerate(org.staff)}
    rows = []
    for name in sorted(by_person, key=lambda n: (order.get(n, len(order)), n)):
        p = staff.get(name)
        perf = p.monthly_performance if p else 0
        carried_in, assessed, deducted, carried = _carry(by_person[name], perf, mon)
        due = carried_in + assessed
        if due > 0:
            rows.append({"person": name, "unit": p.unit if p else None, "monthly_performance": perf,
                         "carried_in": carried_in, "assessed": assessed, "due": due,
                         "deducted": deducted, "carried": carried})
    return rows


def _carry(months: dict[Month, int], perf: int, target: Month) -> tuple[int, int, int, int]:
    """Run one person's fines month by month up to `target`: (carried_in, assessed, deducted, carried) there."""
    ym, carried = min(months), 0
    while True:
        carried_in, assessed = carried, months.get(ym, 0)
        due = carried_in + assessed
        deducted = min(due, perf)
        carried = due - deducted
        if ym == target:
            return carried_in, assessed, deducted, carried
        ym = ym.next()


def unit_fines(complaints: Iterable[Complaint], rules: Rules, mon: Month) -> list[dict[str, Any]]:
    """Unit-charged fines of the month (第二十六条), totalled per unit, by unit name."""
    per: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in month_penalties(complaints, rules, mon):
        if "unit" in row:
            per[row["unit"]].append(row)
    return [{"unit": u, "count": len(rows), "amount": sum(r["amount"] for r in rows), "penalties": rows}
            for u, rows in sorted(per.items())]
