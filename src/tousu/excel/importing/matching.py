"""Each rebuilt row against the data folder: new, unchanged, or a conflict (SPEC §4).

By 95598 工单编号, by ID, else (a hand-kept 台账 with neither) by the natural
key: 受理时间 to the minute, the digits of 联系电话, 投诉项 and 诉求内容. A
record that has moved on since the sheet was made is unchanged, not a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from tousu.domain.model import Complaint, Event
from tousu.storage import records
from tousu.timeutil import human, to_china


@dataclass(frozen=True)
class Item:
    """One valid row, rebuilt: its complaint (id '' when it is to get a new one)."""

    row: int
    complaint: Complaint
    full_history: bool  # True when the history came from 处理记录 (by and note included)


@dataclass(frozen=True)
class Outcome:
    item: Item
    status: str  # new | update (later steps added) | unchanged | conflict
    existing: str | None = None  # the ID already in the data folder
    detail: str = ""

    @property
    def complaint(self) -> Complaint:
        return self.item.complaint


STATUS_ZH = {"new": "新增", "update": "更新", "unchanged": "未变", "conflict": "冲突"}
_INTAKE_ZH = {"ref": "95598工单编号", "received_at": "受理时间", "channel": "受理渠道", "received_by": "受理人",
              "customer": "客户信息", "category": "投诉大类", "item": "投诉项", "content": "诉求内容",
              "attitude": "客户态度", "severity": "事件等级", "escalated_to": "越级渠道"}


def _event_key(e: Event, full: bool, unknown: bool) -> Event:
    """What must agree: everything, less who and notes (a main sheet cannot know them), less the
    time when either side does not know it (an imported 95598 step at an unknown time)."""
    if not full:
        e = replace(e, by="", note="")
    return replace(e, at=datetime.min, time_unknown=None) if unknown else e


def _same(a: Event, b: Event, full: bool) -> bool:
    unknown = bool(a.time_unknown or b.time_unknown)
    return _event_key(a, full, unknown) == _event_key(b, full, unknown)


def compare(item: Item, existing: Complaint) -> tuple[str, str]:
    """(status, detail): unchanged, update (the row has later steps than the record) or conflict.

    The record may have moved on since the sheet was made: the row's history
    need only be the beginning of the record's. A row that goes further (a later
    95598 export of the same order) adds its later steps, after checking that
    everything before them agrees.
    """
    mine, theirs = records.to_data(item.complaint), records.to_data(existing)
    diff = [zh for key, zh in _INTAKE_ZH.items() if mine.get(key) != theirs.get(key)]
    if diff:
        return "conflict", "、".join(diff) + "不同"
    h, eh = item.complaint.history, existing.history
    for i, (a, b) in enumerate(zip(h, eh)):
        if not _same(a, b, item.full_history):
            return "conflict", f"第{i + 1}步处理记录不同（表中：{a.label} {human(a.at)}；数据中：{b.label} {human(b.at)}）"
    if len(h) <= len(eh):
        return "unchanged", ""
    extra = h[len(eh):]
    if extra[0].at < eh[-1].at:
        return "conflict", (f"表中第{len(eh) + 1}步「{extra[0].label}」{human(extra[0].at)} 早于数据中最后一步"
                            f"「{eh[-1].label}」{human(eh[-1].at)}")
    return "update", "追加" + "、".join(e.label for e in extra)


def differs(item: Item, existing: Complaint) -> str | None:
    """None when the row says nothing the record does not already say; else what differs."""
    status, detail = compare(item, existing)
    if status == "update":
        return f"表中有{len(item.complaint.history)}步处理记录，数据中只有{len(existing.history)}步"
    return detail if status == "conflict" else None


NaturalKey = tuple[str, str, str, str]


def natural_key(c: Complaint) -> NaturalKey:
    """What identifies a complaint with neither ID nor 工单编号: 受理时间 to the minute, the digits of
    联系电话, 投诉项, 诉求内容. A row that differs only in spacing of the phone or in seconds finds its
    record by this key; it is then compared in full, so it is listed as a conflict, never added twice."""
    return (f"{to_china(c.received_at):%Y-%m-%d %H:%M}", re.sub(r"\D", "", c.customer.phone or ""),
            c.item, (c.content or "").strip())


def classify(items: list[Item], existing: Iterable[Complaint]) -> list[Outcome]:
    """New, unchanged or conflicting, by 95598 工单编号, by ID, else by natural key (read once: no per-row scans)."""
    by_id: dict[str, Complaint] = {}
    by_ref: dict[str, Complaint] = {}
    by_key: dict[NaturalKey, Complaint] = {}
    for c in existing:
        by_id[c.id] = c
        if c.ref:
            by_ref.setdefault(c.ref, c)
        by_key.setdefault(natural_key(c), c)
    out = []
    for it in items:
        c = it.complaint
        a = by_id.get(c.id) if c.id else None
        b = by_ref.get(c.ref) if c.ref else None
        if a is not None and b is not None and a.id != b.id:
            out.append(Outcome(it, "conflict", a.id, f"编号对应 {a.id}，工单编号却对应 {b.id}"))
            continue
        match = a or b or (by_key.get(natural_key(c)) if not c.id and not c.ref else None)
        if match is None:
            out.append(Outcome(it, "new"))
            continue
        status, detail = compare(it, match)
        if status == "update":  # the record with the row's later steps after its own
            extra = it.complaint.history[len(match.history):]
            it = replace(it, complaint=replace(match, history=match.history + extra))
        out.append(Outcome(it, status, match.id, detail))
    return out
