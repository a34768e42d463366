"""Assessment: penalty rules applied to complaints, and the 绩效 ledger (第九条, 第二十三—二十八条).

Pure functions over records: nothing here reads the clock or the disk. A penalty
is an `assess` event in the complaint's history; everything else (month totals,
what each person still owes, the half-year statistics) is computed from those
events and org.yaml, never stored.

- 第九条: only complaints verified 属实 and 供电责任 are assessed (a rule may say
  `needs_verified: false`, as 第二十六条 弄虚作假 does).
- 第二十四条: per case, per person; 重大/严重 rules only for such events.
- 第二十五条: a case the customer also took outside the company (越级) is
  assessed double: both bounds of a doubling rule double.
The fines once recorded (the 绩效 ledger, 第二十八条) are domain/ledger.py's;
the half-year statistics (第二十七条) are reports/half_year.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tousu.errors import TousuError, choices
from tousu.domain.labels import verdict
from tousu.domain.model import Complaint
from tousu.config.rules import PenaltyRule, Rules


# ---------------------------------------------------------------- ranges


@dataclass(frozen=True)
class Range:
    """The amounts a rule allows for one complaint: the rule's, doubled for 越级 (第二十五条)."""

    rule: PenaltyRule
    min: int | None
    max: int | None  # None: 不少于 min, no upper bound
    doubled: bool

    def admits(self, amount: int) -> bool:
        if self.min is None:
            return False
        return amount >= self.min and (self.max is None or amount <= self.max)

    def describe(self) -> str:
        text = describe_range(self.min, self.max)
        if self.doubled:
            text += f"（越级投诉加倍考核，第二十五条；原为 {describe_range(self.rule.min, self.rule.max)}）"
        return text

    @property
    def fixed(self) -> int | None:
        """The amount when the range admits exactly one (e.g. 第二十六条: 每件500元)."""
        return self.min if self.min is not None and self.min == self.max else None


def describe_range(lo: int | None, hi: int | None) -> str:
    """'100～200 元', '不少于 800 元', '500 元', or '未设定'."""
    if lo is None:
        return "未设定"
    if hi is None:
        return f"不少于 {lo} 元"
    if hi == lo:
        return f"{lo} 元"
    return f"{lo}～{hi} 元"


def effective_range(rule: PenaltyRule, c: Complaint) -> Range:
    """The rule's bounds for this complaint; both doubled when it went 越级 and the rule doubles."""
    doubled = rule.doubles and bool(c.all_escalations) and rule.amount_set
    factor = 2 if doubled else 1
    lo = None if rule.min is None else rule.min * factor
    hi = None if rule.max is None else rule.max * factor
    return Range(rule, lo, hi, doubled)


def charges_zh(rule: PenaltyRule) -> str:
    return "责任单位" if rule.charges == "unit" else "责任人"


# ---------------------------------------------------------------- fit


def _verdict_zh(c: Complaint) -> str:
    if c.reply is None:
        return "尚未答复核实"
    v = verdict("verified", bool(c.verified))
    r = verdict("responsible", bool(c.responsible))
    return f"核实结论为「{v}」、责任认定为「{r}」"


def refusal(c: Complaint, rule: PenaltyRule, source: object = "rules.yaml") -> str | None:
    """Why this rule cannot be applied to this complaint's facts (None: it can)."""
    if not rule.amount_set:
        return (f"考核条款「{rule.id}」（{rule.name}，{rule.clause}）尚未设定金额，金额由本公司的考核文件规定；"
                f"请在 rules.yaml（{source} 第 {rule.line} 行）填写 min / max 后再考核")
    if rule.needs_verified and not c.counted:
        return (f"投诉 {c.id} {_verdict_zh(c)}，不能按条款「{rule.id}」考核"
                f"（第九条：经核实属实且属供电单位责任的，才列入投诉统计并纳入考核）")
    if c.reply is None:
        return f"投诉 {c.id} 尚无责任单位的答复，不能按条款「{rule.id}」（{rule.clause}）考核：考核在责任单位答复之后"
    severity = c.current_severity
    if rule.severity is not None and rule.severity != severity:
        return (f"条款「{rule.id}」只适用于{rule.severity}投诉事件（{rule.clause}），投诉 {c.id} 的事件等级为「{severity}」；"
                f"如需定级请用 tousu grade {c.id} --severity {rule.severity}")
    return None


def fits_item(rule: PenaltyRule, c: Complaint) -> bool:
    """Whether the rule's `items` (if any) name this complaint's 投诉项 or 大类."""
    return not rule.items or c.item in rule.items or c.category in rule.items


def suggest(c: Complaint, rules: Rules) -> dict[str, Any]:
    """The rules that fit the complaint's facts (verdict, severity, 越级, 投诉项), with effective ranges."""
    fitting, other, unset = [], [], []
    for rule in rules.penalties:
        if not rule.amount_set:
            unset.append(rule.id)
            continue
        if refusal(c, rule) is not None:
            continue
        (fitting if fits_item(rule, c) else other).append(rule)
    return {
        "id": c.id,
        "item": c.item,
        "category": c.category,
        "counted": c.counted,
        "verdict": _verdict_zh(c),
        "severity": c.current_severity,
        "escalated_to": list(c.all_escalations),
        "rules": [_rule_row(r, c) for r in fitting],
        "other": [r.id for r in other],
        "unset": unset,
    }


def _rule_row(rule: PenaltyRule, c: Complaint) -> dict[str, Any]:
    rng = effective_range(rule, c)
    return {
        "rule": rule.id,
        "name": rule.name,
        "clause": rule.clause,
        "charges": rule.charges,
        "role": rule.role,
        "min": rng.min,
        "max": rng.max,
        "range": rng.describe(),
        "doubled": rng.doubled,
        "sanction": rule.sanction,
    }


# ---------------------------------------------------------------- steps


def rule_of(rules: Rules, rule_id: str | None) -> PenaltyRule:
    """The penalty rule `--rule` names; TousuError listing the rules otherwise."""
    if not rule_id:
        raise TousuError("缺少考核条款：请用 --rule 给出，或用 --suggest 查看本投诉适用的条款", field="rule")
    rule = rules.penalty(rule_id)
    if rule is None:
        raise TousuError(f"考核条款「{rule_id}」不存在，可选：{choices(p.id for p in rules.penalties)}", field="rule")
    return rule


def parse_amount(text: str | int | None) -> int | None:
    """'500', '500元' → 500; TousuError naming the value otherwise."""
    if text is None or text == "":
        return None
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    s = str(text).strip().removesuffix("元").strip()
    if not s.isascii() or not s.isdigit():
        raise TousuError(f"考核金额「{text}」无效，应为整数（元），如 --amount 300", field="amount")
    return int(s)


def warnings_after_escalate(c: Complaint) -> list[str]:
    """Assessments made before the 越级 was known were not doubled: say so."""
    done = [e for e in c.history if e.action == "assess"]
    if not done:
        return []
    return [f"投诉 {c.id} 已有 {len(done)} 项考核是在登记越级之前做出的，未按第二十五条加倍；如需调整请报市场营销部"]


def warnings_for_assess(c: Complaint, rule: PenaltyRule) -> list[str]:
    out = []
    if not fits_item(rule, c):
        out.append(f"条款「{rule.id}」通常适用于{'、'.join(rule.items)}，本投诉为「{c.category} › {c.item}」，请确认")
    return out
