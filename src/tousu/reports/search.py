"""`tousu find`: a customer's complaints by whatever the caller remembers (SPEC §4).

Pure functions over loaded complaints, so that an index can answer the same question later
(the result must not change). Keys: phone digits whatever the punctuation (a tail of 4 or
more digits is enough), 户号 (leading zeros lost to Excel forgiven), 95598 工单编号, tousu ID,
customer name, address, and the words of the 诉求内容 (all of them, any order).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from tousu.config.rules import Rules
from tousu.domain.deadlines import Stage, stages
from tousu.domain.lookup import MIN_PHONE_DIGITS, digits_only, norm
from tousu.domain.model import Complaint
from tousu.domain.phones import phone_digits, query_digits
from tousu.domain.warning import level
from tousu.domain.workdays import WorkCalendar
from tousu.storage.indexquery import Narrow
from tousu.timeutil import iso

__all__ = ["MIN_PHONE_DIGITS", "by_ref", "find", "find_stages", "matched_keys", "row"]


def matched_keys(c: Complaint, query: str) -> list[str]:
    """Which keys of `c` match the query (empty: no match)."""
    q = norm(query)
    if not q:
        return []
    keys: list[str] = []
    cu = c.customer
    digits = query_digits(q)
    if digits_only(q) and len(digits) >= MIN_PHONE_DIGITS and digits in phone_digits(cu.phone):
        keys.append("电话")
    account = norm(cu.account)
    if account and (q == account or (q.isdigit() and q.lstrip("0") == account.lstrip("0")) or
                    (len(q) >= MIN_PHONE_DIGITS and q in account)):
        keys.append("户号")
    if c.ref and q in norm(c.ref):
        keys.append("95598工单编号")
    if q == c.id.casefold():
        keys.append("编号")
    if q in norm(cu.name):
        keys.append("姓名")
    if cu.address and q in norm(cu.address):
        keys.append("地址")
    words = q.split()
    content = norm(c.content)
    if words and all(w in content for w in words):
        keys.append("诉求内容")
    return keys


def narrow(query: str) -> Narrow:
    """What the index may leave out for `query`: the complaints none of whose keys can match (`matched_keys`)."""
    return Narrow(text=query)


def by_ref(complaints: list[Complaint], ref: str) -> list[Complaint]:
    """Complaints whose 95598 工单编号 is `ref` (normalised)."""
    q = norm(ref)
    return [c for c in complaints if c.ref and norm(c.ref) == q]


def row(c: Complaint, rules: Rules, cal: WorkCalendar, now: datetime,
        st: Sequence[Stage] | None = None) -> dict[str, Any]:
    """One complaint as find (and list) show it: state and the next deadline with its level."""
    pending = [s for s in (stages(c, rules, cal) if st is None else st) if s.pending]
    nxt = min(pending, key=lambda s: s.deadline, default=None)
    return {
        "id": c.id, "ref": c.ref, "received_at": iso(c.received_at), "name": c.customer.name,
        "phone": c.customer.phone, "account": c.customer.account, "address": c.customer.address,
        "item": c.item, "unit": c.unit, "state": c.state, "state_name": c.state_zh,
        "next_stage": nxt.key if nxt else None, "next_stage_name": nxt.name if nxt else None,
        "next_deadline": iso(nxt.deadline) if nxt else None,
        "level": level(nxt, now, rules, cal) if nxt else None,
    }


def find(complaints: list[Complaint], query: str, rules: Rules, cal: WorkCalendar, now: datetime) -> list[dict[str, Any]]:
    """Every complaint matching `query`, newest first, each with the keys it matched on."""
    return find_stages(((c, stages(c, rules, cal)) for c in complaints), query, rules, cal, now)


def find_stages(items: Iterable[tuple[Any, Sequence[Stage]]], query: str, rules: Rules, cal: WorkCalendar,
                now: datetime) -> list[dict[str, Any]]:
    """`find` over complaints given with their stages (the pending ones are enough: the index's view)."""
    hits = [(c, st, keys) for c, st in items if (keys := matched_keys(c, query))]
    hits.sort(key=lambda h: (h[0].received_at, h[0].id), reverse=True)
    return [{**row(c, rules, cal, now, st), "matched": keys} for c, st, keys in hits]
