"""重复投诉: the same customer (户号 or phone) complaining of the same 项 again within the window (rules.yaml
report.repeat_window_days). Customers masked unless `unmask`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from tousu.domain.lookup import customer_keys
from tousu.domain.model import Complaint
from tousu.domain.privacy import Masker
from tousu.timeutil import iso


class Earlier(NamedTuple):
    """What an earlier complaint is matched by. The index's tally of a complaint it did not read
    (storage/indexrows.Tally) has the same fields."""

    id: str
    received_at: datetime
    item: str
    keys: tuple[tuple[str, str], ...]  # domain.lookup.customer_keys of its customer


def earlier(c: Complaint) -> Earlier:
    return Earlier(c.id, c.received_at, c.item, customer_keys(c.customer))


def repeats(month_cs: list[Complaint], pool: Iterable[Earlier], window_days: int,
            unmask: bool) -> list[dict[str, Any]]:
    """Complaints of the month whose customer (same 户号 or phone) complained of the same 项 within the window.

    Each is listed once, against the latest earlier complaint that matches.
    """
    index: dict[tuple[str, str, str], list[Earlier]] = defaultdict(list)
    for c in pool:
        for kind, key in c.keys:
            index[(kind, c.item, key)].append(c)
    window = timedelta(days=window_days)
    out = []
    for c in month_cs:
        earlier: dict[str, tuple[Earlier, list[str]]] = {}
        for kind, key in customer_keys(c.customer):
            for p in index[(kind, c.item, key)]:
                if (p.received_at, p.id) < (c.received_at, c.id) and c.received_at - p.received_at <= window:
                    earlier.setdefault(p.id, (p, []))[1].append(kind)
        if not earlier:
            continue
        prev, kinds = max(earlier.values(), key=lambda pk: (pk[0].received_at, pk[0].id))
        m = Masker(c, unmask)
        out.append({
            "id": c.id,
            "previous_id": prev.id,
            "previous_received_at": iso(prev.received_at),
            "received_at": iso(c.received_at),
            "days_apart": round((c.received_at - prev.received_at).total_seconds() / 86400, 1),
            "match": "、".join(kinds),
            "earlier_count": len(earlier),
            "item": c.item,
            "unit": c.unit,
            "customer": m.name,
            "phone": m.phone,
            "account": m.account,
        })
    return out
