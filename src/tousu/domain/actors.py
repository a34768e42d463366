"""Who may be recorded as 经办人 (--by), and who may record a unit's own step (第十五、十七条).

--by is the audit trail, not an account. By default (rules.yaml `operators: open`) a name that is
not in org.yaml (a temporary worker, a leader) is recorded as given. A company can make it strict:
`operators: strict` wants a person of org.yaml's staff, a list of names one of them; the name is
matched as people type it (SPEC §8) and a missing --by falls back to TOUSU_USER or the login name
only when that is a valid name too.

A person in org.yaml who belongs to another 基层单位 than the one the complaint is
dispatched to may not record that unit's step; staff of a 职能部门 (e.g. 市场营销部)
may record on the unit's behalf, and the event's note says so.
"""

from __future__ import annotations

from tousu.config.matching import Match, Vocabulary
from tousu.config.org import Org
from tousu.config.rules import Rules
from tousu.domain.labels import label
from tousu.domain.model import Complaint
from tousu.errors import TousuError, choices

UNIT_STEPS = ("contact", "return", "reply")
BY_OPTION = "--by"


def operators(rules: Rules, org: Org) -> Vocabulary | None:
    """The names --by may take, or None when any name goes (`operators: open`)."""
    if rules.operators == "strict":
        if not org.staff:
            raise TousuError(f"rules.yaml 的 operators: strict 要求经办人是组织机构（{org.source}）中的人员，但其中"
                             "没有 staff：请先在 org.yaml 的 staff 中列出经办人，或把 operators 改为 open", field="by")
        return Vocabulary("经办人", org.person_names, unknown=f"（{BY_OPTION}）不是组织机构（{org.source}）中的人员"
                          "（rules.yaml 的 operators: strict 要求经办人是其中的人员），可选")
    if rules.operators == "list":
        return Vocabulary("经办人", rules.operator_names, unknown=f"（{BY_OPTION}）不在 rules.yaml 的 operators 名单中，可选")
    return None


def operator(name: str, source: str, rules: Rules, org: Org) -> Match:
    """The 经办人 to record: `name` as given (open), else the valid name it stands for. `source` is where
    it came from: "--by", or the fallback ("环境变量 TOUSU_USER", "登录名") a refusal names."""
    vocab = operators(rules, org)
    if vocab is None:
        return Match(name)
    if source == BY_OPTION:
        return vocab.resolve(name, BY_OPTION)
    try:
        return vocab.resolve(name, source)
    except TousuError:
        wanted = (f"rules.yaml 的 operators: strict 要求经办人是组织机构（{org.source}）中的人员"
                  if rules.operators == "strict" else "rules.yaml 的 operators 要求经办人是名单中的人")
        raise TousuError(f"缺少经办人（{BY_OPTION}）：{wanted}，{source}「{name}」不是；请用 {BY_OPTION} 给出，"
                         f"可选：{choices(vocab.values)}", field="by") from None


def on_behalf(c: Complaint, action: str, by: str, org: Org) -> str:
    """'' when `by` may record `action` for the complaint's unit as itself; the note to add when a
    职能部门 records it on the unit's behalf; TousuError (field "by") naming both units otherwise."""
    person = next((p for p in org.staff if p.name == by), None)
    if action not in UNIT_STEPS or person is None or c.unit is None or person.unit == c.unit:
        return ""
    kind = next((u.kind for u in org.units if u.name == person.unit), "基层单位")
    if kind == "基层单位":
        raise TousuError(f"{by}是{person.unit}的人员，投诉 {c.id} 派发给{c.unit}："
                         f"{label(action)}须由{c.unit}的人员（或职能部门代为）登记", field="by")
    return f"{person.unit}{by}代{c.unit}登记"


def with_note(note: str, behalf: str) -> str:
    """The event's note with the on-behalf remark after what the clerk wrote."""
    if not behalf:
        return note
    return f"{note}（{behalf}）" if note else behalf
