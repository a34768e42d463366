"""Corrections on the record (SPEC §2): 撤销 undo, 作废 void, 更正 correct.

Nothing is fixed by editing files. Each correction is an event with who, when
and why; the withdrawn step or the old value stays in the history, so `show`
lists both. `Complaint.steps` leaves withdrawn steps out, so state, deadlines
and figures behave as if they had not happened; a corrected intake fact is the
record's value from then on, its old value kept in the 更正 event.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from tousu.config.rules import Rules
from tousu.domain import states
from tousu.domain.labels import FIELDS
from tousu.domain.lifecycle import _required, append, check_phone, check_time
from tousu.domain.model import Complaint, Event
from tousu.errors import TousuError, choices
from tousu.timeutil import human, iso, parse_datetime, to_china


def _live(c: Complaint, what: str) -> None:
    if c.voided:
        void = c.last("void")
        raise TousuError(f"投诉 {c.id} 已于 {human(void.at)} 作废（{void.reason}），不能再{what}")  # type: ignore[union-attr]


def undo(c: Complaint, *, reason: str, at: datetime, by: str, now: datetime, note: str = "") -> Complaint:
    """撤销 the latest main-line step: recorded, and then the record behaves as if it had not happened."""
    _live(c, "撤销")
    reason = _required(reason, "撤销理由", "--reason")
    step = next((e for e in reversed(c.steps) if states.is_main(e.action) and e.action != "add"), None)
    if step is None:
        raise TousuError(f"投诉 {c.id} 只有受理，没有可撤销的步骤；录入有误或重复的投诉请用 tousu void {c.id} --reason …")
    if step.action == "reply":
        assessed = [e for e in c.steps if e.action == "assess"]
        if assessed:
            rules_ = "、".join(dict.fromkeys(e.rule or "" for e in assessed))
            raise TousuError(f"投诉 {c.id} 已按这次答复考核（{rules_}），不能撤销答复；如考核有误请报市场营销部")
    at = check_time(c, at, now, "撤销", "undo")
    return append(c, Event("undo", at, by, note, reason=reason, withdrawn=step.action, withdrawn_at=step.at))


def void(c: Complaint, *, reason: str, at: datetime, by: str, now: datetime, note: str = "") -> Complaint:
    """作废 a complaint entered by mistake or twice: out of every count, list, deadline and bulletin."""
    _live(c, "作废")
    reason = _required(reason, "作废理由", "--reason")
    at = check_time(c, at, now, "作废", "void")
    return append(c, Event("void", at, by, note, reason=reason))


def _field(name: str) -> str:
    key = (name or "").strip()
    if key in FIELDS:
        return key
    by_zh = {zh: k for k, zh in FIELDS.items()}
    if key in by_zh:
        return by_zh[key]
    valid = "、".join(f"{k}（{zh}）" for k, zh in FIELDS.items())
    raise TousuError(f"更正字段「{name}」无效，可选：{valid}")


def _received_at(c: Complaint, value: str) -> datetime:
    try:
        at = to_china(parse_datetime(value))
    except ValueError as exc:
        raise TousuError(f"--value：{exc}") from None
    if at.strftime("TS%Y%m%d") != c.id[:10]:
        raise TousuError(f"受理时间 {human(at)} 不在编号 {c.id} 所示的受理日 {c.id[2:6]}-{c.id[6:8]}-{c.id[8:10]}；"
                         f"受理日期有误的投诉请作废后重新受理（tousu void）")
    later = [e for e in c.steps if e.action != "add"]
    if later and states.to_minute(at) > states.to_minute(later[0].at):
        raise TousuError(f"受理时间 {human(at)} 晚于「{later[0].label}」的时间 {human(later[0].at)}")
    return at


def _apply(c: Complaint, key: str, value: str, rules: Rules) -> tuple[Complaint, str, str]:
    """The record with one intake fact changed: (record, old text, new text)."""
    if key in ("name", "phone", "address", "account"):
        new = value.strip()
        if key == "name":
            new = _required(new, "客户姓名", "--value")
        if key == "phone":
            new = check_phone(_required(new, "联系电话", "--value"))
        old = getattr(c.customer, key)
        return replace(c, customer=replace(c.customer, **{key: new})), old, new
    if key == "item":
        if value not in rules.items:
            valid = "；".join(f"{cat}：{'、'.join(its)}" for cat, its in rules.taxonomy.items())
            raise TousuError(f"投诉项「{value}」无效，可选（第十条）：{valid}")
        return replace(c, item=value, category=rules.items[value]), c.item, value
    if key == "channel":
        if value not in rules.channels:
            raise TousuError(f"受理渠道「{value}」无效，可选：{choices(rules.channels)}")
        return replace(c, channel=value), c.channel, value
    if key == "received_at":
        at = _received_at(c, value)
        return replace(c, received_at=at), iso(c.received_at), iso(at)
    if key == "content":
        new = _required(value, "诉求内容", "--value")
        return replace(c, content=new), c.content, new
    new = value.strip()  # ref: 95598 工单编号 (empty removes it)
    return replace(c, ref=new or None), c.ref or "", new


def correct(c: Complaint, *, field: str, value: str, reason: str, rules: Rules, at: datetime, by: str,
            now: datetime, note: str = "") -> Complaint:
    """更正 an intake fact; the 更正 event keeps the old value and the new."""
    _live(c, "更正")
    key = _field(field)
    reason = _required(reason, "更正理由", "--reason")
    fixed, old, new = _apply(c, key, value if value is not None else "", rules)
    if old == new:
        raise TousuError(f"投诉 {c.id} 的{FIELDS[key]}已是「{new}」，无需更正")
    at = check_time(c, at, now, "更正", "correct")
    return append(fixed, Event("correct", at, by, note, reason=reason, fact=key, old=old, new=new))


def received_as(c: Complaint) -> datetime:
    """The 受理时间 as first recorded (the 受理 event's time), whatever corrections came after."""
    first = next((e for e in c.history if e.action == "correct" and e.fact == "received_at"), None)
    return parse_datetime(first.old) if first and first.old else c.received_at


def withdrawn_note(c: Complaint, i: int) -> str:
    """What `show` says of a withdrawn step."""
    return "（已撤销）" if i in c.withdrawn else ""

