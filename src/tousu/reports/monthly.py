"""The monthly bulletin's figures (SPEC §6; 第九、二十、二十一、二十二条).

One pure computation, `month_report`, returns a JSON-able dict; the terminal
table, the JSON output and the spreadsheet (bulletin_xlsx) only render it.

Scope: the complaints whose 受理时间 falls in the month (China time), as they
stood at `as_of` (events after it are ignored, so a report can be re-run for a
past moment). Statistics of complaints count only 属实 + 供电责任 (第九条); the
handling rates are over every complaint received in the month, counted or not
(第二十一条 measures the handling, not the verdict). Rate definitions are in
docs/rates.md and in `RATES` below. Customers' data is masked unless `unmask`
(对投诉举报者严格保密).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from tousu.domain.workdays import WorkCalendar
from tousu.domain.deadlines import Stage, stages
from tousu.domain.labels import step_line
from tousu.domain.model import Complaint
from tousu.domain.privacy import Masker
from tousu.config.rules import Rules
from tousu.reports.listing import stage_json
from tousu.timeutil import CHINA, duration_zh, human, iso, to_china

NOT_DISPATCHED = "（未派发）"


@dataclass(frozen=True)
class Rate:
    """A handling rate: what is divided by what (docs/rates.md)."""

    key: str
    name: str
    numerator: str
    denominator: str
    clause: str


RATES: tuple[Rate, ...] = (
    Rate("first_time_resolution", "一次解决率",
         "已归档且只派发过一次（未退回、未再分发）的件数",
         "已归档的件数", "第二条、第二十一条"),
    Rate("contact_on_time", "首日联系率",
         "在时限内（1个工作日）首次联系客户的派发次数",
         "已联系或已过联系期限的派发次数（被退回的派发不计）", "第十五条、第二十一条"),
    Rate("reply_on_time", "按时办结率",
         "在时限内（4个工作日或批准的延期）答复客户的派发次数",
         "已答复或已过答复期限的派发次数（被退回的派发不计；审核驳回后以重新答复为准）", "第十五条、第二十一条"),
    Rate("revisit", "回访率",
         "应回访且已回访的件数（规定为100%）",
         "应回访的件数：已答复（审核未驳回），且已回访或已过24小时回访期限", "第十六条、第二十条"),
    Rate("revisit_satisfied", "回访满意率",
         "最近一次回访结果为满意的件数",
         "已回访的件数", "第二十条、第二十一条"),
)
RATE_KEYS = tuple(r.key for r in RATES)


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def zh(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=CHINA)

    @property
    def end(self) -> datetime:
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def prev(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def last_year(self) -> Month:
        return Month(self.year - 1, self.month)


# ---------------------------------------------------------------- helpers


def as_of_view(c: Complaint, as_of: datetime) -> Complaint:
    """The complaint as it stood at `as_of` (later events ignored)."""
    if not c.history or c.history[-1].at <= as_of:
        return c
    return replace(c, history=tuple(e for e in c.history if e.at <= as_of))


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else round(num / den, 4)


def _change(now: int, then: int) -> dict[str, Any]:
    return {"current": now, "previous": then, "change": now - then,
            "ratio": None if then == 0 else round((now - then) / then, 4)}


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")


# ---------------------------------------------------------------- rates


@dataclass
class _Tally:
    """Numerators and denominators of the five rates."""

    counts: dict[str, list[int]]

    @classmethod
    def new(cls) -> _Tally:
        return cls({k: [0, 0] for k in RATE_KEYS})

    def add(self, key: str, hit: bool) -> None:
        self.counts[key][1] += 1
        self.counts[key][0] += bool(hit)

    def rates(self) -> dict[str, float | None]:
        return {k: _ratio(n, d) for k, (n, d) in self.counts.items()}

    def detail(self) -> dict[str, dict[str, int]]:
        return {k: {"numerator": n, "denominator": d} for k, (n, d) in self.counts.items()}


def _tally(t: _Tally, c: Complaint, st: list[Stage], as_of: datetime) -> None:
    """Add one complaint to the rate counts (definitions: RATES, docs/rates.md)."""
    if c.state == "archived":
        t.add("first_time_resolution", c.dispatch_count == 1)
    for key, rate in (("contact", "contact_on_time"), ("reply", "reply_on_time")):
        for s in st:
            if s.key != key:
                continue
            if s.done_at is not None:
                t.add(rate, s.done_at <= s.deadline)
            elif as_of > s.deadline:
                t.add(rate, False)
    due = [s for s in st if s.key == "revisit" and (s.done_at is not None or as_of > s.deadline)]
    if due:
        t.add("revisit", all(s.done_at is not None for s in due))
    last = c.last("revisit")
    if last is not None:
        t.add("revisit_satisfied", bool(last.satisfied))


# ---------------------------------------------------------------- pieces


def _late_row(c: Complaint, s: Stage, as_of: datetime) -> dict[str, Any]:
    end = s.done_at if s.done_at is not None else as_of
    minutes = int((end - s.deadline).total_seconds() // 60)
    return {
        "id": c.id,
        **stage_json(s),
        "item": c.item,
        "pending": s.done_at is None,
        "minutes_late": minutes,
        "late_by": duration_zh(timedelta(minutes=minutes)),
    }


def _repeats(month_cs: list[Complaint], pool: Iterable[Complaint], window_days: int,
             unmask: bool) -> list[dict[str, Any]]:
    """Complaints of the month whose customer (same 户号 or phone) complained of the same 项 within the window.

    Each is listed once, against the latest earlier complaint that matches.
    """
    index: dict[tuple[str, str, str], list[Complaint]] = defaultdict(list)
    for c in pool:
        for kind, key in _customer_keys(c):
            index[(kind, c.item, key)].append(c)
    window = timedelta(days=window_days)
    out = []
    for c in month_cs:
        earlier: dict[str, tuple[Complaint, list[str]]] = {}
        for kind, key in _customer_keys(c):
            for p in index[(kind, c.item, key)]:
                if (p.received_at, p.id) < (c.received_at, c.id) and c.received_at - p.received_at <= window:
                    earlier.setdefault(p.id, (p, []))[1].append(kind)
        if not earlier:
            continue
        prev, kinds = max(earlier.values(), key=lambda pk: (pk[0].received_at, pk[0].id))
        m = Masker(c, unmask)
        out.append({
            "id": c.id,
            "previous_id": prev.id,
            "previous_received_at": iso(prev.received_at),
            "received_at": iso(c.received_at),
            "days_apart": round((c.received_at - prev.received_at).total_seconds() / 86400, 1),
            "match": "、".join(kinds),
            "earlier_count": len(earlier),
            "item": c.item,
            "unit": c.unit,
            "customer": m.name,
            "phone": m.phone,
            "account": m.account,
        })
    return out


def _customer_keys(c: Complaint) -> list[tuple[str, str]]:
    keys = []
    if c.customer.account.strip():
        keys.append(("户号", c.customer.account.strip()))
    if _digits(c.customer.phone):
        keys.append(("电话", _digits(c.customer.phone)))
    return keys


_STEP_WORDS = {"dispatch", "contact", "return", "extend", "reply", "review", "revisit", "archive", "grade", "notify"}


def _assessments(c: Complaint, rules: Rules) -> list[dict[str, Any]]:
    out = []
    for e in c.history:
        if e.action != "assess":
            continue
        rule = rules.penalty(e.rule or "")
        out.append({"rule": e.rule, "rule_name": rule.name if rule else e.rule, "clause": rule.clause if rule else "",
                    "sanction": rule.sanction if rule else "", "person": e.person, "unit": e.unit if not e.person else None,
                    "amount": e.amount, "at": iso(e.at)})
    return out


def _bulletin(c: Complaint, rules: Rules, unmask: bool) -> dict[str, Any]:
    """One 《投诉事件通报》 (第二十二条): 经过, 处理过程, 原因, 责任, 整改措施, 人员处理考核意见."""
    m = Masker(c, unmask)
    r = c.reply
    course = f"{human(c.received_at)} 客户{m.name}通过{c.channel}投诉（{c.category}·{c.item}）：{m.text(c.content)}"
    if c.attitude and c.attitude != "平和":
        course += f"。客户态度：{c.attitude}"
    if c.all_escalations:
        course += f"。客户另向{'、'.join(c.all_escalations)}投诉（越级，第二十五条）"
    steps = "；".join(step_line(e, m.text) for e in c.history if e.action in _STEP_WORDS)
    process = m.text(r.process if r else "") or "（答复未写处理过程）"
    process += f"\n处理经过：{steps}" if steps else ""
    assessed = _assessments(c, rules)
    people = list(dict.fromkeys(a["person"] or a["unit"] for a in assessed))
    responsibility = f"责任单位：{c.unit or NOT_DISPATCHED}；核实属实，供电责任（第九条）"
    if c.current_severity != "一般":
        responsibility += f"；{c.current_severity}投诉事件"
    if people:
        responsibility += f"；被考核：{'、'.join(people)}"
    opinion = "；".join(
        f"{a['person'] or a['unit']}：{a['rule_name']}（{a['clause']}），考核{a['amount']}元"
        + (f"，{a['sanction']}" if a["sanction"] else "") for a in assessed) or "尚未提出考核意见"
    return {
        "id": c.id,
        "ref": c.ref,
        "received_at": iso(c.received_at),
        "channel": c.channel,
        "category": c.category,
        "item": c.item,
        "severity": c.current_severity,
        "unit": c.unit,
        "state": c.state_zh,
        "customer": m.customer(),
        "course": course,
        "process": process,
        "cause": m.text(r.cause if r else "") or "—",
        "responsibility": responsibility,
        "measures": m.text(r.measures if r else "") or "—",
        "opinion": opinion,
        "assessments": assessed,
        "revisit": c.revisit_result,
    }


# ---------------------------------------------------------------- the report


def month_report(
    complaints: Sequence[Complaint],
    rules: Rules,
    cal: WorkCalendar,
    year: int,
    month: int,
    *,
    as_of: datetime,
    units: Sequence[str] = (),
    penalties: Sequence[dict[str, Any]] = (),
    ledger: Sequence[dict[str, Any]] = (),
    unit_fines: Sequence[dict[str, Any]] = (),
    unmask: bool = False,
) -> dict[str, Any]:
    """The monthly bulletin as plain data (SPEC §4, §6).

    `complaints` may hold more than the month (the previous month, the same month
    last year and the repeat window are taken from it); `units` are listed even
    with nothing to show; penalties, ledger and unit_fines come from assessment.
    """
    as_of = to_china(as_of)
    mon = Month(year, month)
    seen = [as_of_view(c, as_of) for c in complaints if to_china(c.received_at) <= as_of]
    start, end = mon.start, mon.end
    current = sorted((c for c in seen if start <= c.received_at < end), key=lambda c: (c.received_at, c.id))

    taxonomy = rules.taxonomy
    unit_names = list(dict.fromkeys(list(units) + sorted({c.unit or NOT_DISPATCHED for c in current})))
    by_unit: dict[str, dict[str, Any]] = {u: {"received": 0, "counted": 0, "late_stages": 0, "_t": _Tally.new()}
                                          for u in unit_names}
    by_item: dict[str, dict[str, Any]] = {
        item: {"category": cat, "received": 0, "counted": 0, "by_unit": {}}
        for cat, items in taxonomy.items() for item in items}
    by_channel: dict[str, dict[str, int]] = {ch: {"received": 0, "counted": 0} for ch in rules.channels}
    by_severity: dict[str, int] = {s: 0 for s in rules.severities}
    states: dict[str, int] = defaultdict(int)
    tally = _Tally.new()
    late: list[dict[str, Any]] = []
    bulletins: list[dict[str, Any]] = []
    warnings: dict[str, None] = {}
    late_by_owner: dict[str, int] = {}

    for c in current:
        unit = c.unit or NOT_DISPATCHED
        counted = c.counted
        st = stages(c, rules, cal)
        for s in st:
            for w in s.warnings:
                warnings[w] = None
        u = by_unit[unit]
        u["received"] += 1
        u["counted"] += counted
        row = by_item.setdefault(c.item, {"category": c.category, "received": 0, "counted": 0, "by_unit": {}})
        row["received"] += 1
        row["counted"] += counted
        if counted:
            row["by_unit"][unit] = row["by_unit"].get(unit, 0) + 1
            by_severity[c.current_severity] = by_severity.get(c.current_severity, 0) + 1
            bulletins.append(_bulletin(c, rules, unmask))
        ch = by_channel.setdefault(c.channel, {"received": 0, "counted": 0})
        ch["received"] += 1
        ch["counted"] += counted
        states[c.state_zh] += 1
        _tally(tally, c, st, as_of)
        _tally(u["_t"], c, st, as_of)
        for s in st:
            if s.late(as_of):
                late.append(_late_row(c, s, as_of))
                late_by_owner[s.owner] = late_by_owner.get(s.owner, 0) + 1
                if s.owner in by_unit:
                    by_unit[s.owner]["late_stages"] += 1
    late.sort(key=lambda r: (r["deadline"], r["id"], r["stage"]))

    by_category: dict[str, dict[str, Any]] = {}
    for item, row in by_item.items():
        cat = by_category.setdefault(row["category"], {"received": 0, "counted": 0, "items": {}, "items_received": {}})
        cat["received"] += row["received"]
        cat["counted"] += row["counted"]
        cat["items"][item] = row["counted"]
        cat["items_received"][item] = row["received"]

    for u in by_unit.values():
        t = u.pop("_t")
        u["rates"] = t.rates()
        u["rate_counts"] = t.detail()

    def totals(m: Month) -> dict[str, Any]:
        lo, hi = m.start, m.end
        cs = [c for c in seen if lo <= c.received_at < hi]
        return {"month": m.label, "received": len(cs), "counted": sum(c.counted for c in cs)}

    received, counted = len(current), sum(c.counted for c in current)

    def compare(m: Month) -> dict[str, Any]:
        then = totals(m)
        return {"month": m.label, "received": _change(received, then["received"]),
                "counted": _change(counted, then["counted"])}

    window_start = mon.start - timedelta(days=rules.repeat_window_days)
    pool = [c for c in seen if window_start <= to_china(c.received_at) < mon.end]

    return {
        "month": mon.label,
        "title": f"{mon.zh}客户投诉通报",
        "period": {"start": iso(mon.start), "end": iso(mon.end)},
        "as_of": iso(as_of),
        "unmasked": unmask,
        "received": received,
        "counted": counted,
        "not_counted": received - counted,
        "states": dict(states),
        "by_severity": by_severity,
        "month_on_month": compare(mon.prev()),
        "year_on_year": compare(mon.last_year()),
        "by_unit": by_unit,
        "by_category": by_category,
        "by_item": by_item,
        "by_channel": by_channel,
        "rates": tally.rates(),
        "rate_counts": tally.detail(),
        "rate_definitions": {r.key: {"name": r.name, "numerator": r.numerator, "denominator": r.denominator,
                                     "clause": r.clause} for r in RATES},
        "late": late,
        "late_by_owner": late_by_owner,
        "repeats": _repeats(current, pool, rules.repeat_window_days, unmask),
        "repeat_window_days": rules.repeat_window_days,
        "bulletins": bulletins,
        "penalties": [jsonable(p) for p in penalties],
        "unit_fines": [jsonable(p) for p in unit_fines],
        "ledger": [jsonable(p) for p in ledger],
        "warnings": list(warnings),
    }


def jsonable(value: Any) -> Any:
    """Datetimes as ISO 8601 (+08:00), dates as YYYY-MM-DD, tuples as lists, recursively."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value

