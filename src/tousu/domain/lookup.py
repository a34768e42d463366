"""How `tousu find` compares what the caller typed with a record's keys (SPEC §4).

One normal form for both sides, so that the index (storage/indexrows.py) can keep each
key already in that form and narrow a query in SQL exactly as reports/search.py decides
it: width-normalised (NFKC: 全角 → 半角), trimmed, case-folded.
"""

from __future__ import annotations

import unicodedata

MIN_PHONE_DIGITS = 4
"""A phone query needs at least this many digits (a tail of the number is enough)."""


def norm(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


def digits_only(text: str) -> bool:
    """A query that is a number (with any punctuation), not words."""
    return bool(text) and all(ch.isdigit() or ch in " -.()+/#" for ch in text)
