"""重复投诉: the same customer (户号 or phone) complaining of the same 项 again within the window (rules.yaml
report.repeat_window_days). Customers masked unless `unmask`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from tousu.domain.model import Complaint
from tousu.domain.phones import phone_digits
from tousu.domain.privacy import Masker
from tousu.timeutil import iso


def _digits(phone: str) -> str:
    """The canonical digits (SPEC §8): +86 139-1234-5678 and 13912345678 are one customer."""
    return phone_digits(phone or "")


def repeats(month_cs: list[Complaint], pool: Iterable[Complaint], window_days: int,
             unmask: bool) -> list[dict[str, Any]]:
    """Complaints of the month whose customer (same 户号 or phone) complained of the same 项 within the window.

    Each is listed once, against the latest earlier complaint that matches.
    """
    index: dict[tuple[str, str, str], list[Complaint]] = defaultdict(list)
    for c in pool:
        for kind, key in _customer_keys(c):
            index[(kind, c.item, key)].append(c)
    window = timedelta(days=window_days)
    out = []
    for c in month_cs:
        earlier: dict[str, tuple[Complaint, list[str]]] = {}
        for kind, key in _customer_keys(c):
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


def _customer_keys(c: Complaint) -> list[tuple[str, str]]:
    keys = []
    if c.customer.account.strip():
        keys.append(("户号", c.customer.account.strip()))
    if _digits(c.customer.phone):
        keys.append(("电话", _digits(c.customer.phone)))
    return keys
