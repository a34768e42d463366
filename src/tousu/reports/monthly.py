"""The monthly bulletin's figures (SPEC §6; 第九、二十、二十一、二十二条).

One pure computation, `month_report`, returns a JSON-able dict; the terminal
table, the JSON output and the spreadsheet (bulletin_xlsx) only render it.

Scope: the complaints whose 受理时间 falls in the month (China time), as they
stood at `as_of` (events after it are ignored, so a report can be re-run for a
past moment). Statistics of complaints count only 属实 + 供电责任 (第九条); the
handling rates are over every complaint received in the month, counted or not
(第二十一条 measures the handling, not the verdict). Rate definitions are in
docs/rates.md and in `reports.rates.RATES`. Customers' data is masked unless `unmask`
(对投诉举报者严格保密).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import chain
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from tousu.domain.workdays import WorkCalendar
from tousu.domain.deadlines import HOTLINE, Stage, stages
from tousu.domain.model import Complaint
from tousu.domain.privacy import Masker
from tousu.config.rules import Rules
from tousu.forking import in_parts
from tousu.reports.cases import NOT_DISPATCHED, case_bulletin
from tousu.reports.listing import stage_json
from tousu.reports.rates import RATES, Tally, tally, tally_units
from tousu.reports.repeats import earlier, repeats
from tousu.timeutil import Month, duration_zh, human_deadline, iso, to_china



# ---------------------------------------------------------------- helpers


def as_of_view(c: Complaint, as_of: datetime) -> Complaint:
    """The complaint as it stood at `as_of` (later events ignored)."""
    if not c.history or c.history[-1].at <= as_of:
        return c
    return replace(c, history=tuple(e for e in c.history if e.at <= as_of))


def _change(now: int, then: int) -> dict[str, Any]:
    return {"current": now, "previous": then, "change": now - then,
            "ratio": None if then == 0 else round((now - then) / then, 4)}


def _late_row(c: Complaint, s: Stage, as_of: datetime) -> dict[str, Any]:
    end = s.done_at if s.done_at is not None else as_of
    minutes = int((end - s.deadline).total_seconds() // 60)
    return {
        "id": c.id,
        **stage_json(s),
        "item": c.item,
        "deadline_text": human_deadline(s.deadline),  # 24:00 notation for people (SPEC §3)
        "pending": s.done_at is None,
        "minutes_late": minutes,
        "late_by": duration_zh(timedelta(minutes=minutes)),
    }


# ---------------------------------------------------------------- the report

MARKETING = "市场营销部"
"""Owes 营销部审核 (SPEC §2): a row of the late-stage summary whether or not org.yaml lists it."""


def _unit_row() -> dict[str, Any]:
    """A unit's row of the bulletin before anything is counted in it (late_stages: at the end, `tables`)."""
    return {"received": 0, "counted": 0, "late_stages": 0, "_t": Tally.new()}


class _Counts:
    """The month's complaints counted one by one into the bulletin's tables."""

    def __init__(self, rules: Rules, cal: WorkCalendar, mon: Month, as_of: datetime, unit_names: list[str],
                 unmask: bool) -> None:
        self.rules, self.cal, self.mon, self.as_of, self.unmask = rules, cal, mon, as_of, unmask
        self.by_unit: dict[str, dict[str, Any]] = {
            u: _unit_row() for u in unit_names}
        self.by_item: dict[str, dict[str, Any]] = {
            item: {"category": cat, "received": 0, "counted": 0, "by_unit": {}}
            for cat, items in rules.taxonomy.items() for item in items}
        self.by_channel: dict[str, dict[str, int]] = {ch: {"received": 0, "counted": 0} for ch in rules.channels}
        self.by_severity: dict[str, int] = {s: 0 for s in rules.severities}
        self.states: dict[str, int] = defaultdict(int)
        self.tally = Tally.new()
        self.late: list[dict[str, Any]] = []
        self.bulletins: list[dict[str, Any]] = []
        self.warnings: dict[str, None] = {}
        self.escalated = {"received": 0, "counted": 0, "ids": []}
        self.unassessed: list[str] = []
        self.time_unknown = 0  # complaints with imported steps of unknown time: their stages are not judged

    def add(self, c: Complaint) -> None:
        unit = c.unit or NOT_DISPATCHED
        st = stages(c, self.rules, self.cal)
        self.time_unknown += any(e.time_unknown for e in c.history)
        self._verdict(c, unit)
        tally(self.tally, c, st, self.as_of)
        tally_units(self._unit_tallies(c, st), c, st, self.as_of)
        for s in st:
            self.warnings.update(dict.fromkeys(s.warnings))
            if s.late(self.as_of):
                self.late.append(_late_row(c, s, self.as_of))

    def _unit_tallies(self, c: Complaint, st: list[Stage]) -> dict[str, Tally]:
        """A row for every unit the complaint was dispatched to (in the order met, whatever the hash seed),
        also one with no stage left (every step of its dispatch of unknown time) but its revisit's result."""
        met = [s.unit for s in st] + [c.unit] + [e.unit for e in c.steps if e.action == "dispatch"]
        for name in dict.fromkeys(u for u in met if u):
            if name not in self.by_unit:  # handled a dispatch, though no order of the month is its now
                self.by_unit[name] = _unit_row()
        return {name: u["_t"] for name, u in self.by_unit.items()}

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (from a helper process, tousu.forking) without the rules and calendar it counted by."""
        return {**vars(self), "rules": None, "cal": None}

    def join(self, other: _Counts) -> None:
        """Add the counts of the complaints after these (another _Counts of the same month): every table
        then holds what adding those complaints here one by one would have given, in the same order (a
        name first met there comes after the names met here)."""
        later = vars(other)
        for name, u in later["by_unit"].items():
            mine = self.by_unit.setdefault(name, _unit_row())
            mine["received"] += u["received"]
            mine["counted"] += u["counted"]
            mine["_t"].join(u["_t"])
        for item, row in later["by_item"].items():
            mine = self.by_item.setdefault(item, {"category": row["category"], "received": 0, "counted": 0,
                                                  "by_unit": {}})
            mine["received"] += row["received"]
            mine["counted"] += row["counted"]
            for unit, n in row["by_unit"].items():
                mine["by_unit"][unit] = mine["by_unit"].get(unit, 0) + n
        for ch, row in later["by_channel"].items():
            mine = self.by_channel.setdefault(ch, {"received": 0, "counted": 0})
            mine["received"] += row["received"]
            mine["counted"] += row["counted"]
        for table in ("by_severity", "states"):
            for key, n in later[table].items():
                getattr(self, table)[key] = getattr(self, table).get(key, 0) + n
        self.tally.join(later["tally"])
        self.late.extend(later["late"])
        self.bulletins.extend(later["bulletins"])
        self.warnings.update(later["warnings"])
        for key in ("received", "counted"):
            self.escalated[key] += later["escalated"][key]
        self.escalated["ids"].extend(later["escalated"]["ids"])
        self.unassessed.extend(later["unassessed"])
        self.time_unknown += later["time_unknown"]

    def _verdict(self, c: Complaint, unit: str) -> None:
        counted = c.counted
        u = self.by_unit[unit]
        row = self.by_item.setdefault(c.item, {"category": c.category, "received": 0, "counted": 0, "by_unit": {}})
        ch = self.by_channel.setdefault(c.channel, {"received": 0, "counted": 0})
        for d in (u, row, ch):
            d["received"] += 1
            d["counted"] += counted
        self.states[c.state_zh] += 1
        if c.all_escalations:  # 越级 (第二十五条): doubles the penalties of the case
            self.escalated["received"] += 1
            self.escalated["counted"] += counted
            self.escalated["ids"].append(c.id)
        if counted:
            row["by_unit"][unit] = row["by_unit"].get(unit, 0) + 1
            self.by_severity[c.current_severity] = self.by_severity.get(c.current_severity, 0) + 1
            self.bulletins.append(case_bulletin(c, self.rules, self.mon, self.unmask))
            if not any(e.action == "assess" for e in c.history):
                self.unassessed.append(c.id)

    def tables(self) -> dict[str, Any]:
        self.late.sort(key=lambda r: (r["deadline"], r["id"], r["stage"]))
        for u in self.by_unit.values():
            t = u.pop("_t")
            u["rates"] = t.rates()
            u["rate_counts"] = t.detail()
        by_owner: dict[str, int] = {}
        for x in self.late:
            by_owner[x["owner"]] = by_owner.get(x["owner"], 0) + 1
        for name, u in self.by_unit.items():  # counted at the end: a row may be made after its late stages
            u["late_stages"] = by_owner.get(name, 0)
        return {
            "states": dict(self.states),
            "by_severity": self.by_severity,
            "by_unit": self.by_unit,
            "by_category": _by_category(self.by_item),
            "by_item": self.by_item,
            "by_channel": self.by_channel,
            "rates": self.tally.rates(),
            "rate_counts": self.tally.detail(),
            "late": self.late,
            "late_by_owner": by_owner,
            "late_owners": _late_owners(self.late, list(self.by_unit)),
            "escalated": self.escalated,
            "counted_unassessed": self.unassessed,
            "bulletins": self.bulletins,
        }


def _by_category(by_item: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item, row in by_item.items():
        cat = out.setdefault(row["category"], {"received": 0, "counted": 0, "items": {}, "items_received": {}})
        cat["received"] += row["received"]
        cat["counted"] += row["counted"]
        cat["items"][item] = row["counted"]
        cat["items_received"][item] = row["received"]
    return out


def _late_owners(late: list[dict[str, Any]], unit_names: list[str]) -> list[dict[str, Any]]:
    """Every late stage charged to who owed it (SPEC §2): 95598班, 市场营销部, then the units; sums to len(late)."""
    order = list(dict.fromkeys([HOTLINE, MARKETING] + [u for u in unit_names if u != NOT_DISPATCHED]
                               + [x["owner"] for x in late]))
    rows = {o: {"owner": o, "total": 0, "by_stage": {}} for o in order}
    for x in late:
        row = rows[x["owner"]]
        row["total"] += 1
        row["by_stage"][x["stage_name"]] = row["by_stage"].get(x["stage_name"], 0) + 1
    return list(rows.values())


def _add_households(by_unit: dict[str, dict[str, Any]], households: dict[str, int]) -> dict[str, Any]:
    """万户投诉率 (属实件数 ÷ 户数 × 10000) per unit that carries `households:`, and over those units."""
    known = {u: n for u, n in households.items() if n and u in by_unit}
    for unit, u in by_unit.items():
        n = known.get(unit)
        u["households"] = n
        u["per_10k_households"] = None if not n else round(u["counted"] * 10000 / n, 2)
    total = sum(known.values())
    counted = sum(by_unit[u]["counted"] for u in known)
    return {"units": list(known), "households": total,
            "per_10k_households": None if not total else round(counted * 10000 / total, 2)}


def _rank(by_unit: dict[str, dict[str, Any]], ranked: Sequence[str] | None) -> None:
    """Each 基层单位's place by 属实 complaints, most first (ties share a place), for the 通报's ranking;
    `rank` is None for the others (职能部门, （未派发）). `ranked` None: every unit is ranked."""
    names = set(by_unit if ranked is None else ranked)
    ordered = sorted((u for n, u in by_unit.items() if n in names), key=lambda u: -u["counted"])
    for u in by_unit.values():
        u["rank"] = None
    place = 0
    for i, u in enumerate(ordered, 1):
        if i == 1 or u["counted"] != ordered[i - 2]["counted"]:
            place = i
        u["rank"] = place


def _by_month(seen: Sequence[Complaint], tallied: Sequence[tuple[datetime, bool]],
              counts: dict[tuple[int, int], list[int]]) -> dict[tuple[int, int], list[int]]:
    """受理 and 属实+供电责任 per (year, month) of 受理 (China time), over every complaint counted: those read,
    those the index tallied, and those it only counted."""
    by_month: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for received_at, counted in chain(((c.received_at, c.counted) for c in seen), tallied):
        t = to_china(received_at)
        row = by_month[(t.year, t.month)]
        row[0] += 1
        row[1] += counted
    for month, (received, counted) in counts.items():
        by_month[month][0] += received
        by_month[month][1] += counted
    return by_month


def _trend(by_month: dict[tuple[int, int], list[int]], mon: Month, months: int = 12) -> list[dict[str, Any]]:
    """受理 and 属实 of the 12 months ending with this one, oldest first."""
    span = [mon.back(n) for n in range(months - 1, -1, -1)]
    return [{"month": m.label, "received": r, "counted": k}
            for m in span for r, k in [by_month.get((m.year, m.month), (0, 0))]]


def _compare(by_month: dict[tuple[int, int], list[int]], m: Month, received: int, counted: int) -> dict[str, Any]:
    """This month's 受理 and 属实 against month `m`'s (环比 with the month before, 同比 with last year's)."""
    then, then_counted = by_month.get((m.year, m.month), (0, 0))
    return {"month": m.label, "received": _change(received, then), "counted": _change(counted, then_counted)}


def summary_units(r: dict[str, Any]) -> list[tuple[str, dict[str, Any] | None, int]]:
    """The summary's rows: every ranked unit, an unranked one (职能部门) only when it received or owes late
    stages, and 95598班 / 市场营销部 where org.yaml has no such unit, each with the late stages it owed (so
    that the column adds up to every late stage); units first, for charts."""
    late = {o["owner"]: o["total"] for o in r["late_owners"]}
    urged = r.get("urges_by_unit", {})
    rows = [(unit, u, late.get(unit, 0)) for unit, u in r["by_unit"].items()
            if u.get("rank") is not None or u["received"] or late.get(unit) or urged.get(unit)]
    others = dict.fromkeys(o for o in [*late, *urged] if o not in r["by_unit"])
    return rows + [(owner, None, late.get(owner, 0)) for owner in others]


def _voided(complaints: Iterable[Complaint], start: datetime, end: datetime, unmask: bool) -> list[dict[str, Any]]:
    """The month's voided complaints (作废), each listed once: ID, 受理时间, 投诉项, when, by whom, why
    (the reason masked like every text of the bulletin: it may name the customer)."""
    out = []
    for c in complaints:
        e = c.last("void") if c.voided else None
        if e is not None and start <= c.received_at < end:
            out.append({"id": c.id, "received_at": iso(c.received_at), "item": c.item, "at": iso(e.at), "by": e.by,
                        "reason": Masker(c, unmask).text(e.reason)})
    return sorted(out, key=lambda r: r["id"])


def _urges(complaints: Iterable[Complaint], start: datetime, end: datetime) -> dict[str, int]:
    """催办 per unit urged, over the 催办 recorded in the month."""
    out: dict[str, int] = defaultdict(int)
    for c in complaints:
        for e in c.steps:
            if e.action == "urge" and start <= e.at < end:
                out[e.unit or NOT_DISPATCHED] += 1
    return dict(sorted(out.items()))


def month_report(
    complaints: Sequence[Complaint],
    rules: Rules,
    cal: WorkCalendar,
    year: int,
    month: int,
    *,
    as_of: datetime,
    units: Sequence[str] = (),
    ranked: Sequence[str] | None = None,
    households: dict[str, int] | None = None,
    penalties: Sequence[dict[str, Any]] = (),
    later_penalties: Sequence[dict[str, Any]] = (),
    ledger: Sequence[dict[str, Any]] = (),
    unit_fines: Sequence[dict[str, Any]] = (),
    unmask: bool = False,
    tallies: Sequence[Any] = (),
    tally_counts: dict[tuple[int, int], list[int]] | None = None,
) -> dict[str, Any]:
    """The monthly bulletin as plain data (SPEC §4, §6).

    `complaints` may hold more than the month (the previous month, the same month
    last year, the trend and the repeat window are taken from it); `units` are listed
    even with nothing to show; only `ranked` units (基层单位) get a rank; penalties (recorded in the month), later_penalties (of
    the month's complaints, recorded after it), ledger and unit_fines come from
    domain.ledger. `tallies` and `tally_counts`: what the index knows of complaints not read (reports/loading.py).
    """
    as_of = to_china(as_of)
    mon = Month(year, month)
    seen = [as_of_view(c, as_of) for c in complaints if c.received_at <= as_of]
    start, end = mon.start, mon.end  # (properties: worked out once, not per complaint)
    voided = _voided(seen, start, end, unmask)  # 作废: out of every count, listed once
    seen = [c for c in seen if not c.voided]
    # the records of the trend's months and the repeat window that the index counted without reading
    # (reports/loading.py)
    tallies = [t for t in tallies if not t.voided and t.received_at <= as_of]
    tallied = [(t.received_at, t.counted) for t in tallies]
    current = sorted((c for c in seen if start <= c.received_at < end), key=lambda c: (c.received_at, c.id))
    unit_names = list(dict.fromkeys(list(units) + sorted({c.unit or NOT_DISPATCHED for c in current})))

    def count(part: Sequence[Complaint]) -> _Counts:
        counted = _Counts(rules, cal, mon, as_of, unit_names, unmask)
        for c in part:
            counted.add(c)
        return counted

    # A province's month (13,000 complaints) is counted on two cores; the answer is one process's.
    counts, *later = in_parts(count, current)
    for part in later:
        counts.join(part)
    tables = counts.tables()
    received, counted = len(current), sum(c.counted for c in current)
    coverage = _add_households(tables["by_unit"], households or {})
    _rank(tables["by_unit"], ranked)
    urges = _urges(seen, start, end)
    by_month = _by_month(seen, tallied, tally_counts or {})
    window_start = start - timedelta(days=rules.repeat_window_days)
    pool = [*(earlier(c) for c in seen if window_start <= c.received_at < end),
            *(t for t in tallies if window_start <= t.received_at < end)]
    return {
        "month": mon.label,
        "month_zh": mon.zh,
        "title": f"{mon.zh}客户投诉通报",
        "period": {"start": iso(mon.start), "end": iso(mon.end)},
        "as_of": iso(as_of),
        "unmasked": unmask,
        "received": received,
        "counted": counted,
        "not_counted": received - counted,
        "month_on_month": _compare(by_month, mon.prev(), received, counted),
        "year_on_year": _compare(by_month, mon.last_year(), received, counted),
        "households": coverage,
        **tables,
        "trend": _trend(by_month, mon),
        "rate_definitions": {r.key: {"name": r.name, "numerator": r.numerator, "denominator": r.denominator,
                                     "clause": r.clause, "unit_rule": r.unit_rule} for r in RATES},
        "urges_by_unit": urges,
        "urges_total": sum(urges.values()),
        "voided": voided,
        "repeats": repeats(current, pool, rules.repeat_window_days, unmask),
        "repeat_window_days": rules.repeat_window_days,
        "penalties": [jsonable(p) for p in penalties],
        "later_penalties": [jsonable(p) for p in later_penalties],
        "unit_fines": [jsonable(p) for p in unit_fines],
        "ledger": [jsonable(p) for p in ledger],
        "time_unknown": counts.time_unknown,
        "warnings": list(counts.warnings) + ([
            f"{counts.time_unknown} 件投诉有时间未知的步骤（自 95598 导出表导入，表中没有该步的时间）："
            f"这些步骤所完成或开始的环节不计入按时率与超时明细"] if counts.time_unknown else []),
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

