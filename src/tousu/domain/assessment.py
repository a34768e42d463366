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
- 第二十八条: fines come out of the month's 绩效 of the month the assessment is
  recorded in; what a month cannot cover carries to the next until paid.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from tousu.errors import TousuError, choices
from tousu.domain.labels import verdict
from tousu.domain.model import Complaint
from tousu.config.org import Org
from tousu.config.rules import PenaltyRule, Rules
from tousu.timeutil import CHINA, YEARS, iso, to_china

HALVES = {1: "上半年", 2: "下半年"}


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


# ---------------------------------------------------------------- ledger (第二十八条)


@dataclass(frozen=True)
class Fine:
    """One assessment read off a complaint's history."""

    id: str
    at: datetime
    rule: str
    amount: int
    person: str | None
    unit: str | None

    @property
    def month(self) -> tuple[int, int]:
        t = to_china(self.at)
        return t.year, t.month


def fines(complaints: Iterable[Complaint]) -> list[Fine]:
    """Every assessment in the records, by time."""
    out = [Fine(c.id, to_china(e.at), e.rule or "", e.amount or 0, e.person, e.unit)
           for c in complaints for e in c.history if e.action == "assess"]
    return sorted(out, key=lambda f: (f.at, f.id))


def _penalty_row(f: Fine, rules: Rules) -> dict[str, Any]:
    rule = rules.penalty(f.rule)
    row: dict[str, Any] = {"id": f.id, "rule": f.rule, "rule_name": rule.name if rule else f.rule}
    if f.person:
        row["person"] = f.person
    else:
        row["unit"] = f.unit
    row.update({"amount": f.amount, "clause": rule.clause if rule else "", "at": iso(f.at),
                "sanction": rule.sanction if rule else ""})
    return row


def month_penalties(complaints: Iterable[Complaint], rules: Rules, year: int, month: int) -> list[dict[str, Any]]:
    """Assessments recorded (`at`, China time) in the month, sorted by time."""
    return [_penalty_row(f, rules) for f in fines(complaints) if f.month == (year, month)]


def _next(ym: tuple[int, int]) -> tuple[int, int]:
    y, m = ym
    return (y + 1, 1) if m == 12 else (y, m + 1)


def ledger(complaints: Iterable[Complaint], org: Org, year: int, month: int) -> list[dict[str, Any]]:
    """The month's deductions from each person's 绩效, with what carries over (第二十八条).

    due = carried_in + assessed; deducted = min(due, monthly_performance);
    carried = due − deducted. One row per person with anything due that month,
    in org.yaml order (people no longer in org.yaml last, with 0 绩效).
    """
    target = (year, month)
    by_person: dict[str, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
    for f in fines(complaints):
        if f.person and f.month <= target:
            by_person[f.person][f.month] += f.amount
    staff = {p.name: p for p in org.staff}
    order = {p.name: i for i, p in enumerate(org.staff)}
    rows = []
    for name in sorted(by_person, key=lambda n: (order.get(n, len(order)), n)):
        months = by_person[name]
        p = staff.get(name)
        perf = p.monthly_performance if p else 0
        ym, carried = min(months), 0
        while True:
            carried_in, assessed = carried, months.get(ym, 0)
            due = carried_in + assessed
            deducted = min(due, perf)
            carried = due - deducted
            if ym == target:
                break
            ym = _next(ym)
        if due > 0:
            rows.append({"person": name, "unit": p.unit if p else None, "monthly_performance": perf,
                         "carried_in": carried_in, "assessed": assessed, "due": due,
                         "deducted": deducted, "carried": carried})
    return rows


def unit_fines(complaints: Iterable[Complaint], rules: Rules, year: int, month: int) -> list[dict[str, Any]]:
    """Unit-charged fines of the month (第二十六条), totalled per unit, by unit name."""
    per: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in month_penalties(complaints, rules, year, month):
        if "unit" in row:
            per[row["unit"]].append(row)
    return [{"unit": u, "count": len(rows), "amount": sum(r["amount"] for r in rows), "penalties": rows}
            for u, rows in sorted(per.items())]


# ---------------------------------------------------------------- half year (第二十七条)


def parse_half(text: str) -> tuple[int, int]:
    """'2026H2' (or 2026-H2, 2026h2) → (2026, 2); TousuError naming the value otherwise."""
    s = str(text).strip().upper().replace("-", "")
    if len(s) == 6 and s[:4].isdigit() and s[4] == "H" and s[5] in "12" and int(s[:4]) in YEARS:
        return int(s[:4]), int(s[5])
    raise TousuError(f"半年「{text}」无效，应为 YYYYH1（1—6月）或 YYYYH2（7—12月），如 2026H2")


def half_bounds(year: int, half: int) -> tuple[datetime, datetime]:
    """[start, end) of the half year in China time."""
    if half not in HALVES:
        raise TousuError(f"半年「{half}」无效，应为 1（1—6月）或 2（7—12月）")
    start = datetime(year, 1 if half == 1 else 7, 1, tzinfo=CHINA)
    end = datetime(year, 7, 1, tzinfo=CHINA) if half == 1 else datetime(year + 1, 1, 1, tzinfo=CHINA)
    return start, end


def half_year(complaints: Iterable[Complaint], rules: Rules, org: Org, year: int, half: int) -> dict[str, Any]:
    """The half-year statistics and 考核意见 the 市场营销部 proposes (第二十七条).

    Complaints are those 受理 in the half year; penalties those recorded in it.
    `unassessed` lists counted complaints of the half year with no assessment yet.
    """
    start, end = half_bounds(year, half)
    complaints = list(complaints)
    received = [c for c in complaints if start <= to_china(c.received_at) < end]
    counted = [c for c in received if c.counted]

    by_category: dict[str, dict[str, Any]] = {
        cat: {"counted": 0, "items": {item: 0 for item in items}} for cat, items in rules.taxonomy.items()}
    for c in counted:
        cat = by_category.setdefault(c.category, {"counted": 0, "items": {}})
        cat["counted"] += 1
        cat["items"][c.item] = cat["items"].get(c.item, 0) + 1

    def unit_row() -> dict[str, int]:
        return {"received": 0, "counted": 0, "person_fines": 0, "unit_fines": 0, "total": 0}

    by_unit: dict[str, dict[str, int]] = {u: unit_row() for u in org.unit_names}
    for c in received:
        if c.unit:
            row = by_unit.setdefault(c.unit, unit_row())
            row["received"] += 1
            row["counted"] += c.counted

    staff = {p.name: p for p in org.staff}
    in_half = [f for f in fines(complaints) if start <= f.at < end]
    by_person: dict[str, dict[str, Any]] = {}
    for f in in_half:
        if f.person:
            p = staff.get(f.person)
            row = by_person.setdefault(f.person, {"unit": p.unit if p else None, "count": 0, "amount": 0})
            row["count"] += 1
            row["amount"] += f.amount
            if p:
                by_unit.setdefault(p.unit, unit_row())["person_fines"] += f.amount
        elif f.unit:
            by_unit.setdefault(f.unit, unit_row())["unit_fines"] += f.amount
    for row in by_unit.values():
        row["total"] = row["person_fines"] + row["unit_fines"]

    assessed_ids = {f.id for f in fines(complaints)}
    return {
        "half": f"{year}H{half}",
        "label": f"{year}年{HALVES[half]}",
        "from": iso(start),
        "to": iso(end),
        "received": len(received),
        "counted": len(counted),
        "by_category": by_category,
        "by_unit": by_unit,
        "by_person": by_person,
        "penalties": [_penalty_row(f, rules) for f in in_half],
        "total_fines": sum(f.amount for f in in_half),
        "unassessed": [{"id": c.id, "unit": c.unit, "item": c.item, "severity": c.current_severity,
                        "escalated_to": list(c.all_escalations)}
                       for c in counted if c.id not in assessed_ids],
    }
