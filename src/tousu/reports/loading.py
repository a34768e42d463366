"""Which records a month's bulletin needs, loaded through the store (and its parse cache).

In full: the month, the month before (环比), the same month last year (同比), the
repeat window, and the 11 months before it (the 12-month trend of the 公文). Of every
other month up to the report month only the records with an assessment: the ledger
carries fines over (第二十八条), and a penalty is filed under the month it was
recorded, whatever the 受理 month. The index (storage/index.py) says which files those
are; without it every file of those months is read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from tousu.domain.model import Complaint
from tousu.errors import Problem
from tousu.storage.store import Store
from tousu.timeutil import Month

TREND_MONTHS = 12


def months_in_full(mon: Month, repeat_window_days: int) -> set[Month]:
    """The months whose every complaint the bulletin reads."""
    full = {mon.back(n) for n in range(TREND_MONTHS)} | {mon.last_year()}
    first = Month.of(mon.start - timedelta(days=repeat_window_days))
    back = mon
    while back > first:
        back = back.prev()
        full.add(back)
    return full


def _month_of_folder(name: str) -> Month | None:
    try:
        y, m = (int(x) for x in name.split("-"))
        return Month(y, m)
    except ValueError:
        return None


def load_for_month(store: Store, mon: Month, repeat_window_days: int,
                   ledger_files: Callable[[list[tuple[int, int]]], list[Path] | None] | None = None,
                   ) -> tuple[list[Complaint], list[Problem]]:
    """The complaints the month's figures and ledger need, and the files that could not be read.

    `ledger_files(months)` may name, of those months' record files, the ones with an assessment and the
    unreadable ones (storage/index.py), so that only those are read; None (no index) means reading them all,
    with the same answer.
    """
    full = months_in_full(mon, repeat_window_days)
    found, problems = store.load_all(sorted((m.year, m.month) for m in full))
    older = sorted((m.year, m.month) for m in (_month_of_folder(d.name) for d in store.month_dirs())
                   if m is not None and m <= mon and m not in full)
    if older:
        chosen = ledger_files(older) if ledger_files is not None else None
        more, errs = store.load_all(older) if chosen is None else store.load_files(chosen)
        found.extend(c for c in more if any(e.action == "assess" for e in c.history))
        problems.extend(errs)
    return found, problems


def months_up_to(store: Store, last: Month) -> list[tuple[int, int]]:
    """Every month folder up to `last` (the half-year statistics read them all: fines carry over)."""
    return sorted((m.year, m.month) for m in (_month_of_folder(d.name) for d in store.month_dirs())
                  if m is not None and m <= last)
