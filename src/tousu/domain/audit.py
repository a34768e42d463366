"""`tousu check`: what a readable record may still hide (issue #9 §6; 第九条、第十五—二十条、第二十六条).

A hand edit can make a record that loads but tells a false story: a reply with no
contact before it, a revisit without a review, an archive without a satisfied
revisit, a 受理时间 on another day than its ID, an assessment outside its rule's
range or on a complaint that is not 属实+供电责任. Each finding carries a stable code.
"""

from __future__ import annotations

from tousu.config.rules import Rules
from tousu.domain import states
from tousu.domain.assessment import effective_range, refusal
from tousu.domain.labels import STATES
from tousu.domain.lifecycle import rule_problems
from tousu.domain.model import Complaint
from tousu.errors import Problem

CODES = {  # README's table of codes says the same
    "E001": "rules.yaml 有误",
    "E002": "org.yaml 有误",
    "E100": "记录文件无法读取或结构有误",
    "E101": "处理记录为空，或第一个事件不是受理时间的受理",
    "E102": "事件时间早于它所接续的步骤（按主线/旁路分别比较）",
    "E103": "受理时间不在编号所示的受理日",
    "E104": "状态机不允许的步骤（如未联系先答复、未审核先回访、未满意先归档）",
    "E105": "考核金额不在条款范围内，或考核条款不存在",
    "E106": "考核了不属实或非供电责任的投诉（第九条）",
    "E107": "核实结论「不属实」却认定「供电责任」（第九条）",
    "E110": "事件与封签不符：被修改、删除或调换了顺序",
    "E111": "事件缺少封签",
    "E112": "记录缺少总封签（处理记录已封签）：总封签被删除，可能连同最后的事件",
    "E113": "总封签与处理记录不符：最后的事件被删除或调换了顺序",
    "E120": "rules.yaml 中没有的值",
}


def findings(c: Complaint, rules: Rules) -> list[Problem]:
    """Every problem `tousu check` finds in one readable record (its seals aside: storage/seal.py)."""
    return story(c, rules) + rule_problems(c, rules)  # E120, E107: coded where they are found


def story(c: Complaint, rules: Rules) -> list[Problem]:
    """The findings beyond the values rules.yaml does not know (which every loader notes already):
    the 受理日, the steps the state machine allows, the assessments (E103–E106)."""
    return history(c) + _assessments(c, rules, c.path or c.id)


def history(c: Complaint) -> list[Problem]:
    """What the record's own history contradicts, whatever rules.yaml says now: the 受理日 and the steps
    the state machine allows (E103, E104). The assessments are judged against today's rules.yaml, which
    may have changed since they were recorded: `tousu check` only."""
    where = c.path or c.id
    out: list[Problem] = []
    if c.received_at.strftime("TS%Y%m%d") != c.id[:10]:
        out.append(Problem(where, c.history[0].line if c.history else 0,
                           f"受理时间 {c.received_at:%Y-%m-%d %H:%M} 不在编号 {c.id} 所示的受理日", "E103"))
    return out + _steps(c, where)


def _steps(c: Complaint, where: object) -> list[Problem]:
    """Replay the main line through the one transition table; a reply also needs a contact in its dispatch."""
    out: list[Problem] = []
    state, contacted = "pending_dispatch", False
    for e in c.steps:
        if e.action in states.MAIN_LINE and e.action != "add":
            if not states.allowed(e.action, state):
                want = "、".join(STATES[s] for s in states.allowed_after(e.action))
                out.append(Problem(where, e.line, f"「{e.label}」不能在「{STATES[state]}」状态下进行"
                                                  f"（只适用于「{want}」）", "E104"))
            elif e.action == "reply" and not contacted:
                out.append(Problem(where, e.line, "答复之前没有首次联系客户（第十五条）", "E104"))
        if e.action == "dispatch":
            contacted = False
        elif e.action == "contact":
            contacted = True
        state = states.after(state, e)
    return out


def _assessments(c: Complaint, rules: Rules, where: object) -> list[Problem]:
    out: list[Problem] = []
    for e in c.steps:
        if e.action != "assess":
            continue
        rule = rules.penalty(e.rule or "")
        if rule is None:
            out.append(Problem(where, e.line, f"考核条款「{e.rule}」不在 rules.yaml 中", "E105"))
            continue
        why = refusal(c, rule, rules.source)
        if why:
            out.append(Problem(where, e.line, why, "E106"))
            continue
        rng = effective_range(rule, c)
        if e.amount is None or not rng.admits(e.amount):
            out.append(Problem(where, e.line, f"考核金额 {e.amount} 元不在条款「{rule.id}」的范围内：{rng.describe()}",
                               "E105"))
    return out
