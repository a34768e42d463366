"""Which records a month's bulletin needs, loaded through the store (and its parse cache).

In full: the month and its repeat window. Counted: the 12-month trend of the 公文, 环比
and 同比 — from the index (storage/index.py) as tallies for the records that can no longer
change those counts, the others in full. Of every other month up to the report month only
the records with an assessment — the ledger carries fines over (第二十八条), and a penalty is
filed under the month it was recorded, whatever the 受理 month — or with a 催办 in the report
month (an old complaint still pending). Without the index every file
of those months is read, with the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from tousu.domain.model import Complaint
from tousu.errors import Problem
from tousu.storage.index import Counted
from tousu.storage.indexrows import Tally
from tousu.storage.store import Store
from tousu.timeutil import Month

TREND_MONTHS = 12


def months_in_full(mon: Month, repeat_window_days: int) -> set[Month]:
    """The months whose every complaint the bulletin reads: the month and its repeat window."""
    full = {mon}
    first = Month.of(mon.start - timedelta(days=repeat_window_days))
    back = mon
    while back > first:
        back = back.prev()
        full.add(back)
    return full


def months_counted(mon: Month, repeat_window_days: int) -> set[Month]:
    """The months the bulletin only counts (the 12-month trend, 环比, 同比), beyond those it reads in full."""
    return ({mon.back(n) for n in range(TREND_MONTHS)} | {mon.last_year()}) - months_in_full(mon, repeat_window_days)


@dataclass
class Loaded:
    """What a month's bulletin works from: complaints in full, the tallies of those it only counts (from the
    index), the files that could not be read, and the notes and findings of the tallied records."""

    complaints: list[Complaint]
    problems: list[Problem]
    tallies: list[Tally] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    findings: list[Problem] = field(default_factory=list)


class Index(Protocol):
    """The index's choices (storage/index.py); None from either means: no index, read the files."""

    def ledger_files(self, months: list[tuple[int, int]], since: datetime) -> list[Path] | None: ...

    def count_files(self, months: list[tuple[int, int]], before: datetime) -> Counted | None: ...


def _month_of_folder(name: str) -> Month | None:
    try:
        y, m = (int(x) for x in name.split("-"))
        return Month(y, m)
    except ValueError:
        return None


def _ym(months: Iterable[Month]) -> list[tuple[int, int]]:
    return sorted((m.year, m.month) for m in months)


def load_for_month(store: Store, mon: Month, repeat_window_days: int, as_of: datetime,
                   index: Index | None = None) -> Loaded:
    """The complaints the month's figures and ledger need, and the files that could not be read.

    The month and its repeat window are read in full. Of the trend's, 环比's and 同比's months the index
    may give tallies instead, for the records whose every event is before both the month and `as_of`
    (their counts cannot change and they carry no 催办 of the month) and that have no assessment. Of
    every older month only the records with an assessment (the ledger carries fines over, 第二十八条, and
    a penalty is filed under the month it was recorded, whatever the 受理 month) or a 催办 in the month.
    Without the index every file of those months is read, with the same answer.
    """
    found, problems = store.load_all(_ym(months_in_full(mon, repeat_window_days)))
    out = Loaded(found, problems)
    counted = _ym(months_counted(mon, repeat_window_days))
    picked = index.count_files(counted, min(mon.start, as_of)) if index is not None and counted else None
    more, errs = (store.load_all(counted) if picked is None else store.load_files(picked.paths)) if counted else ([], [])
    if picked is not None:
        out.tallies, out.notes, out.findings = picked.tallies, picked.notes, picked.findings
    out.complaints.extend(more)
    out.problems.extend(errs)
    full = months_in_full(mon, repeat_window_days) | months_counted(mon, repeat_window_days)
    older = _ym(m for m in (_month_of_folder(d.name) for d in store.month_dirs())
                if m is not None and m <= mon and m not in full)
    if older:
        chosen = index.ledger_files(older, mon.start) if index is not None else None
        more, errs = store.load_all(older) if chosen is None else store.load_files(chosen)
        out.complaints.extend(c for c in more if any(e.action == "assess" for e in c.history)
                              or any(e.action == "urge" and mon.contains(e.at) for e in c.steps))
        out.problems.extend(errs)
    return out


def months_up_to(store: Store, last: Month) -> list[tuple[int, int]]:
    """Every month folder up to `last` (the half-year statistics read them all: fines carry over)."""
    return sorted((m.year, m.month) for m in (_month_of_folder(d.name) for d in store.month_dirs())
                  if m is not None and m <= last)
