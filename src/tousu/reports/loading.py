"""Which records a month's bulletin needs, loaded through the store (and its parse cache).

In full: the month itself. Counted: the 12-month trend of the 公文, 环比, 同比 and the repeat window —
from the index (storage/index.py) as tallies for the records that can no longer change those counts
(a tally carries what 重复投诉 matches by), the others in full. Of every other month up to the report
month only the records with an assessment — the ledger carries fines over (第二十八条), and a penalty
is filed under the month it was recorded, whatever the 受理 month — or with a 催办 in the report month
(an old complaint still pending). Without the index every file of those months is read, with the same
answer. What the loaders print about a record (its notes and findings) comes from the index too, for
every record of the month and of the counted months.
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


def repeat_months(mon: Month, repeat_window_days: int) -> set[Month]:
    """The month and the months its repeat window reaches back into."""
    months = {mon}
    first = Month.of(mon.start - timedelta(days=repeat_window_days))
    back = mon
    while back > first:
        back = back.prev()
        months.add(back)
    return months


def months_counted(mon: Month, repeat_window_days: int) -> set[Month]:
    """The months the bulletin counts beyond the month itself: the 12-month trend, 环比, 同比, the repeat window."""
    return ({mon.back(n) for n in range(TREND_MONTHS)} | {mon.last_year()}
            | repeat_months(mon, repeat_window_days)) - {mon}


@dataclass
class Loaded:
    """What a month's bulletin works from: complaints in full; the tallies of those it only counts (from the
    index: whole in the repeat window, else only their counts per month); the files that could not be
    read; what is printed about the records (`notes`, `findings`) as far as the index knows it; and the
    complaints whose notes and findings are still to be worked out."""

    complaints: list[Complaint]
    problems: list[Problem]
    tallies: list[Tally] = field(default_factory=list)
    counts: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)
    findings: list[Problem] = field(default_factory=list)
    unchecked: list[Complaint] = field(default_factory=list)


class Index(Protocol):
    """The index's choices (storage/index.py); None from either means: no index, read the files."""

    def ledger_files(self, months: list[tuple[int, int]], since: datetime) -> list[Path] | None: ...

    def count_files(self, months: list[tuple[int, int]], before: datetime, full: list[tuple[int, int]],
                    detail: list[tuple[int, int]]) -> Counted | None: ...


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

    The month is read in full. Of the trend's, 环比's, 同比's and the repeat window's months the index may
    give tallies instead, for the records whose every event is before both the month and `as_of` (their
    counts cannot change and they carry no 催办 of the month) and that have no assessment. Of every older
    month only the records with an assessment (the ledger carries fines over, 第二十八条, and a penalty is
    filed under the month it was recorded, whatever the 受理 month) or a 催办 in the month. Without the
    index every file of those months is read, with the same answer.
    """
    counting = months_counted(mon, repeat_window_days)
    counted = _ym(counting)
    window = _ym(repeat_months(mon, repeat_window_days) - {mon})
    picked = None if index is None else index.count_files(counted, min(mon.start, as_of), _ym([mon]), window)
    if picked is None:
        found, problems = store.load_all(sorted([*counted, (mon.year, mon.month)]))
        out = Loaded(found, problems, unchecked=list(found))
    else:
        found, problems = store.load_files(picked.paths)
        out = Loaded(found, problems, picked.tallies, picked.counts, picked.notes, picked.findings)
    older = _ym(m for m in (_month_of_folder(d.name) for d in store.month_dirs())
                if m is not None and m < mon and m not in counting)
    if older:
        chosen = index.ledger_files(older, mon.start) if index is not None else None
        more, errs = store.load_all(older) if chosen is None else store.load_files(chosen)
        kept = [c for c in more if any(e.action == "assess" for e in c.history)
                or any(e.action == "urge" and mon.contains(e.at) for e in c.steps)]
        out.complaints.extend(kept)
        out.unchecked.extend(kept)
        out.problems.extend(errs)
    return out


def months_up_to(store: Store, last: Month) -> list[tuple[int, int]]:
    """Every month folder up to `last` (the half-year statistics read them all: fines carry over)."""
    return sorted((m.year, m.month) for m in (_month_of_folder(d.name) for d in store.month_dirs())
                  if m is not None and m <= last)
