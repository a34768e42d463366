"""All Chinese wording of a work order's events and verdicts, in one place.

The terminal (`show`), the bulletin (经过) and the Excel 台账 word an event the
same way through `describe`; the verdict words of 第九条 (属实/供电责任), of
审核 and of 回访 (第十六条) are written here only.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from tousu.timeutil import human, human_deadline

Event = Any  # model.Event (model words its events through this module, so no import back)

ACTIONS = {
    "add": "受理", "dispatch": "派发", "contact": "首次联系", "return": "退回", "extend": "延期",
    "reply": "答复", "review": "审核", "revisit": "回访", "archive": "归档", "grade": "定级",
    "notify": "上报", "escalate": "越级登记", "assess": "考核", "urge": "催办",
    "undo": "撤销", "void": "作废", "correct": "更正",
}

STATES = {
    "pending_dispatch": "待派发",
    "dispatched": "处理中",
    "replied": "待审核",
    "reviewed": "待回访",
    "revisited": "待归档",
    "archived": "已归档",
    "voided": "已作废",
}

# Verdict words: (yes, no) of each boolean fact of an event.
VERDICTS: dict[str, tuple[str, str]] = {
    "verified": ("属实", "不属实"),  # 核实结论 (第九条)
    "responsible": ("供电责任", "非供电责任"),  # 责任认定 (第九条)
    "approved": ("通过", "驳回"),  # 营销部审核 (第十六条)
    "satisfied": ("满意", "不满意"),  # 回访结果 (第十六条)
}

# Intake facts `correct` may change (SPEC §4), as people name them.
FIELDS = {
    "name": "客户姓名", "phone": "联系电话", "address": "客户地址", "account": "户号", "item": "投诉项",
    "content": "诉求内容", "ref": "95598工单编号", "channel": "受理渠道", "received_at": "受理时间",
}


def verdict(key: str, value: bool | None, missing: str | None = None) -> str | None:
    """属实 / 不属实 …; `missing` (or None) when the fact is not known yet."""
    if value is None:
        return missing
    yes, no = VERDICTS[key]
    return yes if value else no


def label(action: str) -> str:
    return ACTIONS.get(action, action)


def state(key: str) -> str:
    return STATES.get(key, key)


def _same(s: str) -> str:
    return s


def describe(e: Event, text: Callable[[str], str] = _same, rule_names: Mapping[str, str] | None = None) -> str:
    """What an event did, in one Chinese phrase; `text` filters free text people typed (masking);
    `rule_names` gives a penalty rule's Chinese name and clause for its id."""
    t = lambda s: text(s or "")  # noqa: E731
    a = e.action
    if a == "dispatch":
        return f"派发至{e.unit}"
    if a == "return":
        return f"退回（{t(e.reason)}）"
    if a == "extend":
        return f"经{e.approved_by}批准延期至{human_deadline(e.until)}"
    if a == "reply":
        return f"答复客户（{verdict('verified', e.verified)}，{verdict('responsible', e.responsible)}）"
    if a == "review":
        return "审核通过" if e.approved else f"审核驳回（{t(e.reason)}）"
    if a == "revisit":
        return "回访满意" if e.satisfied else "回访不满意，再分发" + (f"（{t(e.reason)}）" if e.reason else "")
    if a == "grade":
        return f"定为{e.severity}事件"
    if a == "notify":
        return "上报营销部"
    if a == "escalate":
        return f"越级至{e.escalated_to}"
    if a == "assess":
        return f"{(rule_names or {}).get(e.rule or '', e.rule)}：{e.person or e.unit} {e.amount}元"
    if a == "urge":
        return f"催办{e.unit}" if e.unit else "催办"
    if a == "undo":
        return f"撤销 {human(e.withdrawn_at)} 的「{label(e.withdrawn or '')}」（{t(e.reason)}）"
    if a == "void":
        return f"作废（{t(e.reason)}）"
    if a == "correct":
        return f"更正{FIELDS.get(e.fact or '', e.fact)}：{t(e.old)} → {t(e.new)}（{t(e.reason)}）"
    return label(a)


def detail(e: Event, text: Callable[[str], str] = _same, rule_names: Mapping[str, str] | None = None) -> str:
    """`describe` plus the reason and note a person wrote, for `show`'s 内容 column."""
    parts = [] if e.action in ("add", "contact", "archive") else [describe(e, text, rule_names)]
    if e.action == "extend" and e.reason:
        parts.append(text(e.reason))
    if e.note:
        parts.append(text(e.note))
    return "；".join(parts)


def step_line(e: Event, text: Callable[[str], str] = _same) -> str:
    """One step of the bulletin's 处理经过: time, what, who."""
    return f"{human(e.at)} {describe(e, text)}（{e.by}）"
