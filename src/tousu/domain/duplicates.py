"""Duplicate intake (issue #9 §4): the same customer phone, 投诉项 and 诉求内容 within a window.

Two people taking the same call, or one complaint typed in twice, must not make two
work orders that both count in the bulletin. `add` refuses an identical intake
within `intake.duplicate_window_hours` (rules.yaml, default 24) naming the existing
ID; `--allow-duplicate` insists. Voided complaints (作废) never match.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from tousu.domain.model import Complaint
from tousu.domain.privacy import phone_digits


def _key(c: Complaint) -> tuple[str, str, str]:
    return phone_digits(c.customer.phone), c.item, " ".join(c.content.split())


def duplicate_of(draft: Complaint, complaints: Iterable[Complaint], hours: int) -> Complaint | None:
    """The earliest complaint `draft` repeats, if any (hours ≤ 0: never)."""
    if hours <= 0:
        return None
    key, window = _key(draft), timedelta(hours=hours)
    same = [c for c in complaints if not c.voided and _key(c) == key
            and abs(c.received_at - draft.received_at) <= window]
    return min(same, key=lambda c: (c.received_at, c.id), default=None)
