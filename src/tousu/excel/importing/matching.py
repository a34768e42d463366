"""Each rebuilt row against the data folder: new, unchanged, or a conflict (SPEC §4).

By 95598 工单编号, by ID, else (a hand-kept 台账 with neither) by the natural
key: 受理时间 to the minute, the digits of 联系电话, 投诉项 and 诉求内容. A
record that has moved on since the sheet was made is unchanged, not a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

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
    status: str  # new | unchanged | conflict
    existing: str | None = None  # the ID already in the data folder
    detail: str = ""

    @property
    def complaint(self) -> Complaint:
        return self.item.complaint


STATUS_ZH = {"new": "新增", "unchanged": "未变", "conflict": "冲突"}
_INTAKE_ZH = {"ref": "95598工单编号", "received_at": "受理时间", "channel": "受理渠道", "received_by": "受理人",
              "customer": "客户信息", "category": "投诉大类", "item": "投诉项", "content": "诉求内容",
              "attitude": "客户态度", "severity": "事件等级", "escalated_to": "越级渠道"}


def _event_key(e: Event, full: bool) -> Event:
    return e if full else replace(e, by="", note="")


def differs(item: Item, existing: Complaint) -> str | None:
    """None when the row says nothing the record does not already say; else what differs.

    The record may have moved on since the sheet was made: the row's history
    need only be the beginning of the record's. A history rebuilt from the main
    sheet's time columns is compared without who and notes, which it cannot know.
    """
    mine, theirs = records.to_data(item.complaint), records.to_data(existing)
    diff = [zh for key, zh in _INTAKE_ZH.items() if mine.get(key) != theirs.get(key)]
    if diff:
        return "、".join(diff) + "不同"
    h, eh = item.complaint.history, existing.history
    if len(h) > len(eh):
        return f"表中有{len(h)}步处理记录，数据中只有{len(eh)}步"
    for i, (a, b) in enumerate(zip(h, eh)):
        if _event_key(a, item.full_history) != _event_key(b, item.full_history):
            return f"第{i + 1}步处理记录不同（表中：{a.label} {human(a.at)}；数据中：{b.label} {human(b.at)}）"
    return None


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
        diff = differs(it, match)
        out.append(Outcome(it, "conflict" if diff else "unchanged", match.id, diff or ""))
    return out
