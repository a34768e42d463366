"""Tamper-evident history (issue #9 §6; 第二十六条 弄虚作假): each event carries a short hash chained from
the one before, and the record a seal over the chain's head and length.

tousu writes `seal` on every event: a hash of the previous event's seal (the record's
ID for the first) and of the event as written. Editing an event, deleting one or
changing their order breaks the chain from that event on. The record's own `seal`
(the file's last line, after `history`) is a hash of the last event's seal and the number of events, so
the chain's end is sealed too: a deleted *last* event, which leaves an intact but
shorter chain, no longer fits it.
Anyone can recompute a hash, so this catches hand edits, not a determined forger.

Records written before sealing (no seal anywhere) are accepted as they are and
sealed on their next write; so are the records of the tousu that sealed events but
not the record yet (its old header says so: records.OLD_HEADER), which get their
record seal on the next write. A seal already written is kept as it stands, so a
tampered event stays visible after the next step; in a sealed record only the events
tousu adds in this write are sealed — one added by hand stays unsealed, and reported.
The record's seal likewise: it is written anew only when the one in the file fits the
history as it was read, every event of the file included (or the record was never
sealed); one that is missing or does not fit stays as it is, and stays reported.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tousu.errors import Problem

EDITED = "E110"  # an event that does not fit its seal
UNSEALED = "E111"  # an event without a seal in a sealed record
NO_HEAD = "E112"  # a sealed history without the record's seal
BAD_HEAD = "E113"  # the record's seal does not fit the history's end


def _hash(prev: str, data: dict[str, Any]) -> str:
    text = prev + "\n" + json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


def _head(cid: str, last_seal: str | None, count: int) -> str:
    """The record's seal: over the last event's seal and how many events there are."""
    return _hash(last_seal or cid, {"events": count})


def seal(cid: str, events: list[dict[str, Any]], stored: list[str | None], new: list[bool]) -> None:
    """Put `seal` on each event dict (as written), keeping the seals the file already had; in a record
    already sealed only the `new` events (added in this write) are sealed."""
    sealed = any(stored)
    prev = cid
    for i, ev in enumerate(events):
        own = stored[i] if i < len(stored) else None
        if own:
            ev["seal"] = own
        elif not sealed or new[i]:
            ev["seal"] = _hash(prev, ev)
        prev = ev.get("seal") or _hash(prev, ev)


def head(cid: str, events: list[dict[str, Any]], stored: list[str | None], stored_head: str | None,
         new: list[bool], legacy: bool = False) -> str | None:
    """The record's seal to write over `events` (sealed by `seal`), given the event seals and the record's
    seal the file had: anew when that one fitted the file's every event (or nothing was sealed yet, or the
    file is `legacy`: of the tousu that sealed no record), else kept as it stands."""
    last_sealed = max((i for i, s in enumerate(stored) if s), default=-1)
    sealed = (last_sealed >= 0 and not legacy) or stored_head is not None
    in_file = sum(1 for n in new if not n)
    if sealed and (stored_head != _head(cid, stored[last_sealed] if last_sealed >= 0 else None, last_sealed + 1)
                   or in_file != last_sealed + 1):
        return stored_head
    return _head(cid, events[-1].get("seal") if events else None, len(events))


def problems(path: Any, cid: str, events: list[tuple[dict[str, Any], int]], stored_head: str | None = None,
             head_line: int = 0, legacy: bool = False) -> list[Problem]:
    """Breaks in the chain, given each event as written (a dict, its seal included) and its line, and the
    record's seal with its line."""
    if stored_head is None and not any(ev.get("seal") for ev, _ in events):
        return []  # written before sealing: accepted, sealed on the next write
    out: list[Problem] = []
    prev: str | None = cid
    for ev, line in events:
        want = _hash(prev, {k: v for k, v in ev.items() if k != "seal"})
        got = ev.get("seal")
        if not got:
            out.append(Problem(path, line, "事件缺少封签（seal）：封签被删除，或事件是手工添加的", UNSEALED))
        elif got != want:
            out.append(Problem(path, line, "事件与封签不符：此事件被修改，或它之前的事件被删除、调换了顺序", EDITED))
            prev = events[-1][0].get("seal")  # the head as written: the record's seal is judged by it
            break  # every later seal follows from this one: one finding per break
        prev = got or want
    last_line = events[-1][1] if events else head_line
    if stored_head is None:
        if not legacy:  # a record of the build that sealed events but no record yet: its next write does
            out.append(Problem(path, last_line, "记录缺少总封签（history 之后的 seal）：总封签被删除，"
                                                "可能连同最后的事件一起", NO_HEAD))
    elif stored_head != _head(cid, prev if events else None, len(events)):
        out.append(Problem(path, head_line, f"总封签与处理记录不符：最后的事件被删除或调换了顺序"
                                            f"（现有 {len(events)} 个事件）", BAD_HEAD))
    return out
