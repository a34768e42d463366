"""Tamper-evident history (issue #9 §6; 第二十六条 弄虚作假): each event carries a short hash chained from the one before.

tousu writes `seal` on every event: a hash of the previous event's seal (the record's
ID for the first) and of the event as written. Editing an event, deleting one or
changing their order breaks the chain from that event on.
Anyone can recompute a hash, so this catches hand edits, not a determined forger.

Records written before sealing are accepted as they are and sealed on their next
write. The file's text only grows (history is appended to), so a removed *last* event
cannot be told from one never written: the chain shows every other change. A seal already written is kept as it stands, so a tampered event stays
visible after the next step; only events after the last sealed one are sealed anew.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tousu.errors import Problem


def _hash(prev: str, data: dict[str, Any]) -> str:
    text = prev + "\n" + json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


def seal(cid: str, events: list[dict[str, Any]], stored: list[str | None]) -> None:
    """Put `seal` on each event dict (as written), keeping the seals the file already had."""
    last_sealed = max((i for i, s in enumerate(stored) if s), default=-1)
    prev = cid
    for i, ev in enumerate(events):
        own = stored[i] if i < len(stored) else None
        if own:
            ev["seal"] = own
        elif i > last_sealed:
            ev["seal"] = _hash(prev, ev)
        prev = ev.get("seal") or _hash(prev, ev)


def problems(path: Any, cid: str, events: list[tuple[dict[str, Any], int]]) -> list[Problem]:
    """Breaks in the chain, given each event as written (a dict, its seal included) and its line."""
    if not any(ev.get("seal") for ev, _ in events):
        return []  # written before sealing: accepted, sealed on the next write
    out: list[Problem] = []
    prev = cid
    for ev, line in events:
        want = _hash(prev, {k: v for k, v in ev.items() if k != "seal"})
        got = ev.get("seal")
        if not got:
            out.append(Problem(path, line, "事件缺少封签（seal）：封签被删除，或事件是手工添加的", "E111"))
        elif got != want:
            out.append(Problem(path, line, "事件与封签不符：此事件被修改，或它之前的事件被删除、调换了顺序", "E110"))
            break  # every later seal follows from this one: one finding per break
        prev = got or want
    return out
