"""One 《投诉事件通报》 per counted complaint (第二十二条): 经过, 处理过程, 原因, 责任, 整改措施, 人员处理考核意见.

Customers' data masked unless `unmask` (对投诉举报者严格保密); the 处理经过 in the wording of
domain/labels; assessments by their Chinese rule and clause, those recorded after the month
marked with their month (第二十八条 files them there). `most_serious` picks the 公文's 典型案例.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tousu.config.rules import Rules
from tousu.domain.labels import step_line
from tousu.domain.model import Complaint
from tousu.domain.privacy import Masker
from tousu.timeutil import Month, human, iso

NOT_DISPATCHED = "（未派发）"
SEVERITY_RANK = {"重大": 0, "严重": 1, "一般": 2}


_STEP_WORDS = {"dispatch", "contact", "return", "extend", "reply", "review", "revisit", "archive", "grade", "notify"}


def _assessments(c: Complaint, rules: Rules, mon: Month) -> list[dict[str, Any]]:
    """The case's assessments up to as_of; those recorded after the month are marked (第二十八条 files them there)."""
    out = []
    for e in c.history:
        if e.action != "assess":
            continue
        rule = rules.penalty(e.rule or "")
        later = Month.of(e.at) > mon
        out.append({"rule": e.rule, "rule_name": rule.name if rule else e.rule, "clause": rule.clause if rule else "",
                    "sanction": rule.sanction if rule else "", "person": e.person, "unit": e.unit if not e.person else None,
                    "amount": e.amount, "at": iso(e.at), "registered_later": later,
                    "registered_month": Month.of(e.at).label})
    return out


def _opinion(assessed: list[dict[str, Any]]) -> str:
    """人员处理考核意见: the Chinese rule and its clause per person; a later registration says its month."""
    parts = []
    for a in assessed:
        text = f"{a['person'] or a['unit']}：{a['rule_name']}（{a['clause']}），考核{a['amount']}元"
        if a["sanction"]:
            text += f"，{a['sanction']}"
        if a["registered_later"]:
            y, m = a["registered_month"].split("-")
            text += f"（{int(y)}年{int(m)}月登记）"
        parts.append(text)
    return "；".join(parts) or "尚未提出考核意见"


def case_bulletin(c: Complaint, rules: Rules, mon: Month, unmask: bool) -> dict[str, Any]:
    """One 《投诉事件通报》 (第二十二条): 经过, 处理过程, 原因, 责任, 整改措施, 人员处理考核意见."""
    m = Masker(c, unmask)
    r = c.reply
    course = f"{human(c.received_at)} 客户{m.name}通过{c.channel}投诉（{c.category}·{c.item}）：{m.text(c.content)}"
    if c.attitude and c.attitude != "平和":
        course += f"。客户态度：{c.attitude}"
    if c.all_escalations:
        course += f"。客户另向{'、'.join(c.all_escalations)}投诉（越级，第二十五条）"
    steps = "；".join(step_line(e, m.text) for e in c.steps if e.action in _STEP_WORDS)
    process = m.text(r.process if r else "") or "（答复未写处理过程）"
    process += f"\n处理经过：{steps}" if steps else ""
    assessed = _assessments(c, rules, mon)
    people = list(dict.fromkeys(a["person"] or a["unit"] for a in assessed))
    responsibility = f"责任单位：{c.unit or NOT_DISPATCHED}；核实属实，供电责任（第九条）"
    if c.current_severity != "一般":
        responsibility += f"；{c.current_severity}投诉事件"
    if people:
        responsibility += f"；被考核：{'、'.join(people)}"
    return {
        "id": c.id,
        "ref": c.ref,
        "received_at": iso(c.received_at),
        "channel": c.channel,
        "category": c.category,
        "item": c.item,
        "severity": c.current_severity,
        "escalated_to": list(c.all_escalations),
        "unit": c.unit,
        "state": c.state_zh,
        "customer": m.customer(),
        "course": course,
        "process": process,
        "cause": m.text(r.cause if r else "") or "—",
        "responsibility": responsibility,
        "measures": m.text(r.measures if r else "") or "—",
        "opinion": _opinion(assessed),
        "assessments": assessed,
        "penalty_total": sum(a["amount"] or 0 for a in assessed),
        "revisit": c.revisit_result,
    }


def most_serious(bulletins: Sequence[dict[str, Any]], n: int = 5) -> list[dict[str, Any]]:
    """The up-to-n most serious cases: 重大, then 严重, 越级 first, the highest penalty first, then by 受理."""
    key = lambda b: (SEVERITY_RANK.get(b["severity"], 9), not b["escalated_to"], -b["penalty_total"],  # noqa: E731
                     b["received_at"], b["id"])
    return sorted(bulletins, key=key)[:max(n, 0)]
