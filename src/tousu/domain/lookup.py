"""How `tousu find` compares what the caller typed with a record's keys (SPEC §4).

One normal form for both sides, so that the index (storage/indexrows.py) can keep each
key already in that form and narrow a query in SQL exactly as reports/search.py decides
it: width-normalised (NFKC: 全角 → 半角), trimmed, case-folded. And how a customer is known again
for 重复投诉 (reports/repeats.py), which the index keeps per record as well.
"""

from __future__ import annotations

import unicodedata

from tousu.domain.model import Customer
from tousu.domain.phones import phone_digits

MIN_PHONE_DIGITS = 4
"""A phone query needs at least this many digits (a tail of the number is enough)."""


def norm(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


def digits_only(text: str) -> bool:
    """A query that is a number (with any punctuation), not words."""
    return bool(text) and all(ch.isdigit() or ch in " -.()+/#" for ch in text)


def customer_keys(customer: Customer) -> tuple[tuple[str, str], ...]:
    """(kind, key) of each way a customer is known again: the 户号 as written (trimmed), the phone's
    canonical digits (SPEC §8: +86 139-1234-5678 and 13912345678 are one customer)."""
    keys = []
    if customer.account.strip():
        keys.append(("户号", customer.account.strip()))
    digits = phone_digits(customer.phone or "")
    if digits:
        keys.append(("电话", digits))
    return tuple(keys)
