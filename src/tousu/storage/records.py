"""Complaint ⇄ YAML file: stable key order, typed fields, problems with file:line."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

from tousu.config import yamlio
from tousu.domain import states
from tousu.storage import files, seal
from tousu.errors import Problem, shown
from tousu.domain.model import ACTIONS, EVENT_FIELDS, ID_PATTERN, Complaint, Customer, Event
from tousu.timeutil import iso, parse_datetime
from tousu.config.yamlio import LDict, line_of

OLD_HEADER = "手工修改后请运行 tousu show ".encode()
"""In the first line of the files of a tousu that sealed events but not yet the record (before 2026-12-02):
such a file without a record seal is accepted as it is, and gets one on its next write."""
HEADER = "# 投诉工单 {id}：由 tousu 维护。history 只追加、不改写；改正请用 undo、void、correct；手工修改后请运行 tousu check 检查。\n"

# Stable codes (domain/audit.CODES): every problem reading a record finds carries one.
BROKEN = "E100"  # unreadable, not YAML, or keys and values a record cannot have
INTAKE = "E101"  # no history, or it does not open with the 受理 at received_at
ORDER = "E102"  # a step earlier than the one it follows on its track

_TOP = ("id", "ref", "received_at", "channel", "received_by", "customer", "category", "item",
        "content", "attitude", "severity", "escalated_to", "history", "seal")
_CUSTOMER = ("name", "phone", "address", "account")
_TEXTS = ("id", "ref", "received_at", "channel", "received_by", "category", "item", "content", "attitude", "severity",
          "seal")
_REQUIRED = ("id", "received_at", "channel", "received_by", "customer", "category", "item", "content")
_TIMES = {"at", "until", "withdrawn_at"}
_BOOLS = {"verified", "responsible", "approved", "satisfied", "time_unknown"}
# What a step's event cannot do without: a hand-edited file missing one must be a
# located problem, not a crash of `check-overdue` or a silently different state.
_NEEDS = {"dispatch": ("unit",), "extend": ("until",), "reply": ("verified", "responsible"),
          "review": ("approved",), "revisit": ("satisfied",), "grade": ("severity",),
          "undo": ("withdrawn", "reason"), "void": ("reason",), "correct": ("fact", "reason")}


def to_data(c: Complaint) -> dict[str, Any]:
    """Plain data in the file's key order."""
    data: dict[str, Any] = {
        "id": c.id,
        "ref": c.ref,
        "received_at": iso(c.received_at),
        "channel": c.channel,
        "received_by": c.received_by,
        "customer": {k: getattr(c.customer, k) for k in _CUSTOMER},
        "category": c.category,
        "item": c.item,
        "content": c.content,
        "attitude": c.attitude,
        "severity": c.severity,
        "escalated_to": list(c.escalated_to),
        "history": [],
    }
    if c.ref is None:
        del data["ref"]
    data["history"] = [event_data(e) for e in c.history]
    return data


_event_values = attrgetter(*EVENT_FIELDS)


def event_data(e: Event) -> dict[str, Any]:
    """One event as the file has it (its seal aside): what the seal is a hash of."""
    # every event's seal is checked from it on each load: one C call for the fields
    ev = {name: v for name, v in zip(EVENT_FIELDS, _event_values(e)) if v is not None}
    if not ev.get("note", True):
        del ev["note"]
    for name in _TIMES.intersection(ev):
        ev[name] = iso(ev[name])
    return ev


def dumps(c: Complaint) -> str:
    """The file's text: the record with every event sealed, and its own seal after the history
    (storage/seal.py)."""
    data = to_data(c)
    stored = [e.seal for e in c.history]
    new = [e.line == 0 for e in c.history]  # added in this write (an event read from the file has its line)
    seal.seal(c.id, data["history"], stored, new)
    head = seal.head(c.id, data["history"], stored, c.seal, new, c.legacy_head)
    if head:
        data["seal"] = head  # last: every step appends its event and changes only this line
    return HEADER.format(id=c.id) + yamlio.dumps(data)


def seal_problems(c: Complaint) -> list[Problem]:
    """Where the record's history no longer fits its seals (E110–E113), each with its line."""
    events = [({**event_data(e), "seal": e.seal} if e.seal else event_data(e), e.line) for e in c.history]
    return seal.problems(c.path or c.id, c.id, events, c.seal, c.seal_line, c.legacy_head)


def _text(v: Any) -> str:
    return "" if v is None else str(v)


class _Reader:
    """One record file's parsed data → typed values; every problem with its line, no content echoed unbounded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def bad(self, line: int, msg: str, code: str = BROKEN) -> None:
        self.problems.append(Problem(self.path, line, msg, code))

    def when(self, container: Any, key: str) -> datetime | None:
        if isinstance(container[key], (dict, list)) or len(str(container[key])) > 40:
            self.bad(line_of(container, key), f"「{key}」的值「{shown(container[key], 40)}」不是时间")
            return None
        try:
            return parse_datetime(str(container[key]))
        except ValueError as exc:
            self.bad(line_of(container, key), str(exc))
            return None

    def top(self, data: Any) -> None:
        for key in data:
            if key not in _TOP:
                self.bad(line_of(data, key), f"未知的键「{shown(key)}」")
        for key in _REQUIRED:
            if data.get(key) in (None, ""):
                self.bad(getattr(data, "line", 1), f"缺少必填的键「{key}」")

    def texts(self, data: Any) -> None:
        for where, container, keys in (("", data, _TEXTS), ("customer.", data["customer"], _CUSTOMER)):
            for key in keys if isinstance(container, dict) else ():
                if isinstance(container.get(key), (dict, list)):
                    self.bad(line_of(container, key), f"「{where}{key}」应为文字，不是{shown(container[key])}")
        if isinstance(data.get("escalated_to"), list) and any(isinstance(x, (dict, list)) for x in data["escalated_to"]):
            self.bad(line_of(data, "escalated_to"), "「escalated_to」应为文字的列表")

    def ident(self, data: Any) -> str:
        cid = str(data["id"])
        if not ID_PATTERN.match(cid):
            self.bad(line_of(data, "id"), f"编号「{shown(cid)}」格式不对，应为 TS+8位日期+4位序号")
        elif self.path.stem != cid:
            self.bad(line_of(data, "id"), f"编号「{cid}」与文件名「{self.path.name}」不一致")
        return cid

    def customer(self, data: Any) -> Any:
        cust = data["customer"]
        if not isinstance(cust, dict):
            self.bad(line_of(data, "customer"), "「customer」应为键值表（name、phone、address、account）")
            return LDict()
        for key in cust:
            if key not in _CUSTOMER:
                self.bad(line_of(cust, key), f"customer 中有未知的键「{shown(key)}」")
        return cust

    def value(self, item: Any, key: str, value: Any) -> Any:
        if key in _TIMES:
            return self.when(item, key)
        if key in _BOOLS:
            if not isinstance(value, bool):
                self.bad(line_of(item, key), f"「{key}」的值「{shown(value)}」应为 true 或 false")
            return value
        if key == "amount":
            if isinstance(value, bool) or not isinstance(value, int):
                self.bad(line_of(item, key), f"金额「{shown(value)}」应为整数（元）")
            return value
        if isinstance(value, (dict, list)):
            self.bad(line_of(item, key), f"「{key}」应为文字，不是{shown(value)}")
            return None
        return _text(value)

    def event(self, item: Any, at_line: int) -> Event | None:
        if not isinstance(item, dict):
            self.bad(at_line, "history 中的事件应为键值表")
            return None
        kw: dict[str, Any] = {"line": at_line}
        for key, value in item.items():
            if key in EVENT_FIELDS or key == "seal":
                kw[key] = self.value(item, key, value)
            else:
                self.bad(line_of(item, key), f"事件中有未知的键「{shown(key)}」")
        action = kw.get("action")
        if action not in ACTIONS:
            self.bad(line_of(item, "action", at_line), f"未知的事件「{shown(action)}」，可用：{'、'.join(ACTIONS)}")
        if not kw.get("at") or not kw.get("by"):
            self.bad(at_line, "事件缺少 at（时间）或 by（经办人）")
        for key in _NEEDS.get(action, ()):
            if kw.get(key) in (None, ""):
                self.bad(at_line, f"「{ACTIONS[action]}」事件缺少「{key}」")
        return None if self.problems else Event(**kw)

    def history(self, data: Any) -> list[Event]:
        raw = data.get("history") or []
        if not isinstance(raw, list):
            self.bad(line_of(data, "history"), "「history」应为事件列表")
            raw = []
        events = [self.event(item, line_of(raw, i)) for i, item in enumerate(raw)]
        history = [e for e in events if e is not None]
        # Time order per track (SPEC §2): a main-line step after the one it follows, a side step after its own.
        for ev, before in states.out_of_order(history) if not self.problems else ():
            self.bad(ev.line, f"事件时间 {iso(ev.at)} 早于它所接续的「{before.label}」{iso(before.at)}", ORDER)
        return history


def from_data(data: Any, path: Path) -> tuple[Complaint | None, list[Problem]]:
    """Build a Complaint from a parsed file; every problem names its line."""
    if not isinstance(data, dict) or not any(key in data for key in _REQUIRED):
        # Say nothing of what it holds: it may be any file that was given a record's name.
        return None, [Problem(path, 1, "文件内容不是投诉工单（应为含 id、received_at、customer、history 等键的键值表）",
                              BROKEN)]
    r = _Reader(path)
    r.top(data)
    if not r.problems:
        r.texts(data)
    if r.problems:
        return None, r.problems
    cid = r.ident(data)
    received_at = r.when(data, "received_at")
    cust = r.customer(data)
    escalated = data.get("escalated_to") or []
    if isinstance(escalated, str):
        escalated = [escalated]
    history = r.history(data)
    if not r.problems:
        _check_intake(history, received_at, line_of(data, "history"), r.bad)
    if r.problems:
        return None, r.problems
    return Complaint(
        id=cid,
        ref=_text(data.get("ref")) or None,
        received_at=received_at,  # type: ignore[arg-type]
        channel=_text(data["channel"]),
        received_by=_text(data["received_by"]),
        customer=Customer(**{k: _text(cust.get(k)) for k in _CUSTOMER}),
        category=_text(data["category"]),
        item=_text(data["item"]),
        content=_text(data["content"]),
        attitude=_text(data.get("attitude")) or "平和",
        severity=_text(data.get("severity")) or "一般",
        escalated_to=tuple(_text(x) for x in escalated),
        history=tuple(history),
        path=path,
        seal=_text(data.get("seal")) or None,
        seal_line=line_of(data, "seal") if "seal" in data else 0,
    ), []


def _check_intake(history: list[Event], received_at: datetime | None, line: int,
                  bad: Any) -> None:
    """Every history opens with the 受理 (add) at received_at: without it the record has no clocks.

    A 更正 of the 受理时间 keeps the 受理 event at the time first recorded (the first correction's old value).
    """
    fixed = next((e for e in history if e.action == "correct" and e.fact == "received_at"), None)
    if fixed is not None and fixed.old:
        try:
            received_at = parse_datetime(fixed.old)
        except ValueError:
            bad(fixed.line, f"更正事件的原受理时间「{shown(fixed.old, 40)}」无效", INTAKE)
            return
    if not history:
        bad(line, "处理记录为空（history 中没有任何事件）：第一个事件应为受理（add），时间与 received_at 相同", INTAKE)
    elif history[0].action != "add" or (received_at is not None and history[0].at != received_at):
        first = history[0]
        bad(first.line, f"第一个事件应为受理（add），时间与 received_at {iso(received_at)} 相同；"
                        f"现为「{ACTIONS.get(first.action, first.action)}」{iso(first.at)}", INTAKE)


def read(path: Path, max_bytes: int = files.MAX_RECORD_BYTES) -> tuple[Complaint | None, list[Problem]]:
    """The record at `path` (a regular file inside its data folder, of at most `max_bytes`)."""
    try:
        raw = record_bytes(path, max_bytes)
    except yamlio.Unreadable as exc:
        return None, [exc.problem]
    return parse(raw, path)


def record_bytes(path: Path, max_bytes: int = files.MAX_RECORD_BYTES) -> bytes:
    """storage.files.record_bytes, its problem coded as a record's (E100)."""
    try:
        return files.record_bytes(path, max_bytes)
    except yamlio.Unreadable as exc:
        raise yamlio.Unreadable(replace(exc.problem, code=BROKEN)) from None


def parse(raw: bytes, path: Path) -> tuple[Complaint | None, list[Problem]]:
    """`read` of bytes already read (the parse cache hashes and parses the very same bytes)."""
    try:
        data = yamlio.load_bytes(raw, path)
    except yamlio.YamlProblem as exc:
        return None, [replace(exc.problem, code=BROKEN)]
    c, problems = from_data(data, path)
    if c is not None and c.seal is None and OLD_HEADER in raw[:raw.find(b"\n")]:
        c = replace(c, legacy_head=True)
    return c, problems
