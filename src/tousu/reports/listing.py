"""What `list` and `export` select, and a stage as the JSON rows of show, list, check-overdue and the bulletin.

The filters work on a complaint's summary facts only (受理时间, 责任单位, 状态,
大类/投诉项) and on its stage clocks, so the same function answers from the
records (a `Complaint`) and from the index (a summary with the same names).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from tousu.domain.deadlines import Stage
from tousu.storage.indexquery import Narrow
from tousu.timeutil import iso


class Summary(Protocol):
    """The facts of a complaint the filters read: a `Complaint` has them, and so has the index's summary."""

    @property
    def id(self) -> str: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def state(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def item(self) -> str: ...


S = TypeVar("S", bound=Summary)


@dataclass(frozen=True)
class Filters:
    """list --unit/--state/--category/--overdue, export --from/--to/--unit: None means any."""

    unit: str | None = None
    state: str | None = None  # a state key (dispatched …)
    category: str | None = None  # a 大类 or a 投诉项
    since: datetime | None = None  # 受理 at or after
    until: datetime | None = None  # 受理 before
    only_overdue: bool = False  # some pending stage past its deadline at `now`

    def wants(self, c: Summary) -> bool:
        """The filters on the complaint's own facts (all but --overdue)."""
        if self.since is not None and c.received_at < self.since:
            return False
        if self.until is not None and c.received_at >= self.until:
            return False
        if self.unit is not None and c.unit != self.unit:
            return False
        if self.state is not None and c.state != self.state:
            return False
        if self.state is None and c.state == "voided":  # 作废: listed only under --state 已作废
            return False
        return self.category is None or self.category in (c.category, c.item)


def narrow(f: Filters) -> Narrow:
    """What the index may leave out for `f` (Filters.wants on the summary facts; the rest is decided here)."""
    return Narrow(unit=f.unit, state=f.state, hide_voided=f.state is None, category=f.category)


def next_stage(stages: Iterable[Stage]) -> Stage | None:
    """The pending stage with the nearest deadline (the first of equal ones), if any."""
    return min((s for s in stages if s.pending), key=lambda s: s.deadline, default=None)


def overdue_at(stages: Iterable[Stage], now: datetime) -> bool:
    return any(s.pending and now > s.deadline for s in stages)


def select(items: Iterable[tuple[S, Sequence[Stage]]], f: Filters, now: datetime) -> list[tuple[S, Stage | None]]:
    """The complaints `f` wants, in the given order, each with its next deadline."""
    rows = []
    for c, stages in items:
        if not f.wants(c):
            continue
        if f.only_overdue and not overdue_at(stages, now):
            continue
        rows.append((c, next_stage(stages)))
    return rows


def list_json(rows: Iterable[tuple[Summary, Stage | None]]) -> list[dict[str, Any]]:
    """`list --format json`."""
    return [{"id": c.id, "received_at": iso(c.received_at), "category": c.category, "item": c.item,
             "unit": c.unit, "state": c.state, "next_stage": n.key if n else None,
             "next_deadline": iso(n.deadline) if n else None} for c, n in rows]


def stage_json(s: Stage) -> dict[str, Any]:
    """One stage clock as plain data: the keys every JSON row about a stage starts with."""
    return {
        "stage": s.key,
        "stage_name": s.name,
        "cycle": s.cycle,
        "unit": s.unit,
        "owner": s.owner,
        "started": iso(s.started),
        "deadline": iso(s.deadline),
        "done_at": iso(s.done_at),
        "clause": s.clause,
        "basis": s.basis,
    }
