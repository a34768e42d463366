"""A row's history rebuilt through the lifecycle steps, so an import obeys the rules of hand entry.

Two sources: the 处理记录 sheet (one row per step, as tousu exports it) or the
main sheet's time columns (派发时间 … 归档时间, as a 95598 export or a
hand-kept 台账 has them). Each step names the field it refuses; that field
picks the column the problem is shown in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tousu.domain import assessment, lifecycle
from tousu.domain.model import ACTIONS, Complaint
from tousu.errors import TousuError, choices
from tousu.excel.fields import HISTORY, HISTORY_SHEET, MAIN_BY_KEY, STEP_TIMES
from tousu.excel.importing import cells
from tousu.excel.importing.cells import RowProblem
from tousu.excel.importing.rows import Rows
from tousu.timeutil import human

ACTION_BY_LABEL = {label: action for action, label in ACTIONS.items()}
HISTORY_KEYS = {c.key for c in HISTORY}
_HISTORY_TEXTS = ("note", "unit", "reason", "approved_by", "cause", "process", "measures", "severity",
                  "escalated_to", "rule", "person")
_HISTORY_FLAGS = ("verified", "responsible", "approved", "satisfied")

# ---------------------------------------------------------------- the main sheet's time columns

# The main line a work order walks; a 95598 export tells how far by 工单状态 and by what is filled in.
LADDER = ("dispatch", "contact", "reply", "review", "revisit", "archive")
_TIME_OF = {action: key for key, action in STEP_TIMES}
# How far each tousu state has come along LADDER (index of the last step done; -1: none).
_STATE_REACH = {"pending_dispatch": -1, "dispatched": 0, "replied": 2, "reviewed": 3, "revisited": 4, "archived": 5}
_REPLY_FACTS = ("verified", "responsible", "cause", "process", "measures")


@dataclass(frozen=True)
class MainFacts:
    times: dict[str, datetime | None]
    unit: str | None
    verified: bool | None
    responsible: bool | None
    satisfied: bool | None
    cause: str
    process: str
    measures: str
    reach: int  # index in LADDER of the last step the row says was done


def _reach(r: Rows, row: tuple[Any, ...], times: dict[str, datetime | None], state: str | None,
           satisfied: bool | None) -> int:
    """How far the order has come: by 工单状态, by the step times, by 处理单位 and by 回访结果.

    The state column wins over the unit column: a 待派单 order's 供电单位 is only the unit 95598
    means to send it to, not a dispatch (95598班 still owes it, judged from 受理时间).
    """
    reach = _STATE_REACH.get(state or "", -1)
    for i, action in enumerate(LADDER):
        if times[_TIME_OF[action]] is not None:
            reach = max(reach, i)
    if r.text(row, "unit") is not None and state != "pending_dispatch":
        reach = max(reach, 0)
    if satisfied is not None:
        reach = max(reach, LADDER.index("revisit"))
    return reach


def _main_facts(r: Rows, n: int, row: tuple[Any, ...]) -> MainFacts | None:
    """The step facts of a main-sheet row, checked; None (and problems) if any is wrong."""
    before = len(r.problems)
    times = {key: r.when(n, row, key) for key, _ in STEP_TIMES}
    unit = r.unit(n, row)
    flags = {k: r.boolean(n, r.text(row, k), k) for k in ("verified", "responsible", "satisfied")}
    state = r.order_state(n, row)
    bad_cells = {p.column for p in r.problems[before:]}
    reach = _reach(r, row, times, state, flags["satisfied"])
    replied = reach >= LADDER.index("reply")
    if not replied and r.header("replied_at") not in bad_cells:
        for key in _REPLY_FACTS:
            if r.text(row, key) is not None:
                r.bad(n, key, f"有{MAIN_BY_KEY[key].header}但没有{MAIN_BY_KEY['replied_at'].header}，"
                              f"请补上{MAIN_BY_KEY['replied_at'].header}")
    if reach >= 0 and unit is None and r.header("unit") not in bad_cells and not r.unit_unknown(n):
        r.bad(n, "unit", f"工单已派发（{_why_dispatched(r, row, times, state)}），须填责任单位")
    if replied:
        flags["responsible"] = r.responsible(flags["verified"], flags["responsible"])
        for key in ("verified", "responsible"):
            if flags[key] is None and r.header(key) not in bad_cells:
                r.bad(n, key, f"工单已答复，须填{MAIN_BY_KEY[key].header}")
    if reach >= LADDER.index("revisit") and flags["satisfied"] is None:
        if reach == LADDER.index("archive") and times["revisited_at"] is None:
            flags["satisfied"] = r.assumed_satisfied()
        elif r.header("satisfied") not in bad_cells:
            r.bad(n, "satisfied", "工单已回访，须填回访结果（满意/不满意）")
    if len(r.problems) > before or r.unit_unknown(n):
        return None
    process = r.text(row, "process") or ""
    return MainFacts(times, unit, flags["verified"], flags["responsible"], flags["satisfied"],
                     r.cause(row, process), process, r.text(row, "measures") or "", reach)


def _why_dispatched(r: Rows, row: tuple[Any, ...], times: dict[str, datetime | None], state: str | None) -> str:
    if state and _STATE_REACH.get(state, -1) >= 0:
        return f"工单状态为「{r.text(row, 'order_state')}」"
    key = next(k for k, _ in STEP_TIMES if times[k] is not None)
    return f"有{r.header(key)}"


MainStep = Callable[[Complaint, MainFacts, datetime, str, Rows], Complaint]

# The main sheet's steps; the 95598 班 (the intake's 受理人) dispatches, reviews, revisits, archives.
_MAIN_STEPS: dict[str, MainStep] = {
    "dispatch": lambda c, f, at, hq, r: lifecycle.dispatch(c, unit=f.unit or "", at=at, by=hq, org=r.org, now=r.now),
    "contact": lambda c, f, at, hq, r: lifecycle.contact(c, at=at, by=c.unit or hq, now=r.now),
    "reply": lambda c, f, at, hq, r: lifecycle.reply(
        c, verified=bool(f.verified), responsible=bool(f.responsible), cause=f.cause, process=f.process,
        measures=f.measures, at=at, by=c.unit or hq, now=r.now),
    "review": lambda c, f, at, hq, r: lifecycle.review(c, approve=True, reason=None, at=at, by=hq, now=r.now),
    "revisit": lambda c, f, at, hq, r: lifecycle.revisit(c, satisfied=bool(f.satisfied), at=at, by=hq, now=r.now),
    "archive": lambda c, f, at, hq, r: lifecycle.archive(c, at=at, by=hq, now=r.now),
}


def _mark_unknown(c: Complaint) -> Complaint:
    """The step just taken happened, but not at a known time: its `at` is only a bound."""
    return replace(c, history=c.history[:-1] + (replace(c.history[-1], time_unknown=True),))


def _intended_unit(c: Complaint, unit: str, r: Rows) -> Complaint:
    """A 待派单 order's 供电单位: kept in the intake's note (and said in --dry-run), never a dispatch."""
    r.translations[(r.header("unit"), unit, "工单待派单，未派发，记入受理备注")] += 1
    add = c.history[0]
    note = "；".join(n for n in (add.note, f"95598 拟派单位：{unit}") if n)
    return replace(c, history=(replace(add, note=note),) + c.history[1:])


def steps_from_main(r: Rows, n: int, row: tuple[Any, ...], c: Complaint | None) -> Complaint | None:
    """The history the main sheet tells: 派发 … 归档 as far as the order has come, each through lifecycle.

    A step the order has done but whose time the sheet lacks (a 95598 export has no 联系时间, often no
    派单时间) is taken at the time of the step before it (a lower bound) and marked time_unknown: a
    stage it completes, or that it starts and that is completed, is not judged (deadlines.stages).
    The cells are checked even when the intake failed (c is None).
    """
    facts = _main_facts(r, n, row)
    if c is None or facts is None:
        return None
    hq = c.received_by
    if facts.reach < 0 and facts.unit:
        c = _intended_unit(c, facts.unit, r)
    known = [facts.times[_TIME_OF[a]] for a in LADDER]
    for i, action in enumerate(LADDER[: facts.reach + 1]):
        key = _TIME_OF[action]
        at = known[i]
        bound = at or c.history[-1].at  # unknown: no earlier than the step before (a lower bound)
        try:
            c = _MAIN_STEPS[action](c, facts, bound, hq, r)
        except TousuError as exc:
            # A fact of the row when the step names one, else the time column of the step.
            column = exc.field if exc.field in MAIN_BY_KEY and exc.field != "at" else key
            r.bad(n, column, exc.message)
            return None
        if at is None:
            c = _mark_unknown(c)
    return c


# ---------------------------------------------------------------- the 处理记录 sheet


@dataclass(frozen=True)
class HistoryRow:
    """One 处理记录 row read: its step, time, who, texts and yes/no facts."""

    n: int
    action: str
    at: datetime
    until: datetime | None
    by: str
    texts: dict[str, str | None]
    flags: dict[str, bool | None]
    amount: Any

    def t(self, key: str) -> str:
        return self.texts[key] or ""

    def kw(self, r: Rows) -> dict[str, Any]:
        return {"at": self.at, "by": self.by, "now": r.now, "note": self.t("note")}


def _extend(c: Complaint, h: HistoryRow, r: Rows) -> Complaint:
    if h.until is None:
        raise TousuError("延期须填延期至", field="until")
    return lifecycle.extend(c, until=h.until, reason=h.t("reason"), approved_by=h.t("approved_by"), org=r.org,
                            rules=r.rules, cal=r.cal, **h.kw(r))


def _reply(c: Complaint, h: HistoryRow, r: Rows) -> Complaint:
    for k in ("verified", "responsible"):
        if h.flags[k] is None:
            raise TousuError("答复须填此项", field=k)
    return lifecycle.reply(c, verified=bool(h.flags["verified"]), responsible=bool(h.flags["responsible"]),
                           cause=h.t("cause"), process=h.t("process"), measures=h.t("measures"), **h.kw(r))


def _revisit(c: Complaint, h: HistoryRow, r: Rows) -> Complaint:
    if h.flags["satisfied"] is None:
        raise TousuError("回访须填回访结果（满意/不满意）", field="satisfied")
    return lifecycle.revisit(c, satisfied=bool(h.flags["satisfied"]), reason=h.texts["reason"], **h.kw(r))


def _assess(c: Complaint, h: HistoryRow, r: Rows) -> Complaint:
    return lifecycle.assess(c, rules=r.rules, org=r.org, rule=h.texts["rule"],
                            amount=assessment.parse_amount(cells.text(h.amount)),
                            person=h.texts["person"], unit=h.texts["unit"], **h.kw(r))


HistoryStep = Callable[[Complaint, HistoryRow, Rows], Complaint]

# Every step after 受理, as `tousu <step>` would take it.
_HISTORY_STEPS: dict[str, HistoryStep] = {
    "dispatch": lambda c, h, r: lifecycle.dispatch(c, unit=h.t("unit"), org=r.org, **h.kw(r)),
    "contact": lambda c, h, r: lifecycle.contact(c, **h.kw(r)),
    "return": lambda c, h, r: lifecycle.return_(c, reason=h.t("reason"), **h.kw(r)),
    "extend": _extend,
    "reply": _reply,
    "review": lambda c, h, r: lifecycle.review(c, approve=h.flags["approved"] is not False,
                                               reason=h.texts["reason"], **h.kw(r)),
    "revisit": _revisit,
    "archive": lambda c, h, r: lifecycle.archive(c, **h.kw(r)),
    "grade": lambda c, h, r: lifecycle.grade(c, severity=h.t("severity"), rules=r.rules, **h.kw(r)),
    "notify": lambda c, h, r: lifecycle.notify(c, **h.kw(r)),
    "escalate": lambda c, h, r: lifecycle.escalate(c, rules=r.rules, channel=h.t("escalated_to"), **h.kw(r)),
    "assess": _assess,
}

_REPLAYED = {"add", *_HISTORY_STEPS}
"""The steps a 处理记录 row may name: 受理 and those replayed through lifecycle (not 更正, 撤销, 作废, 催办)."""
_REPLAYED_LABELS = [label for action, label in ACTIONS.items() if action in _REPLAYED]


class _History:
    """The 处理记录 sheet's rows of one complaint, read and replayed."""

    def __init__(self, r: Rows) -> None:
        assert r.wb.history is not None
        self.r, self.sheet = r, r.wb.history

    def col(self, key: str) -> str:
        return self.sheet.headers.get(key) or next(h.header for h in HISTORY if h.key == key)

    def bad(self, n: int, key: str | None, message: str) -> None:
        self.r.problems.append(RowProblem(n, self.col(key) if key else None, message, HISTORY_SHEET))

    def _time(self, n: int, v: dict[str, Any], key: str) -> datetime | None:
        if not cells.text(v.get(key)):
            return None
        try:
            return cells.when(v[key], self.r.wb.epoch)
        except ValueError as exc:
            self.bad(n, key, str(exc))
            return None

    def read(self, n: int, v: dict[str, Any]) -> HistoryRow | None:
        """One row's cells checked; None (and problems) if any is wrong."""
        before = len(self.r.problems)
        label = cells.text(v.get("action"))
        action = ACTION_BY_LABEL.get(label or "", label if label in ACTIONS else None)
        if action is None:
            self.bad(n, "action", f"未知的步骤「{label or ''}」，可选：{choices(_REPLAYED_LABELS)}")
            return None
        if action not in _REPLAYED:
            self.bad(n, "action", f"步骤「{label}」不能从处理记录导入（导入只重现受理到考核的处理步骤），可选："
                                  f"{choices(_REPLAYED_LABELS)}；或删去这件投诉在「处理记录」中的行，按「投诉台账」中的一行导入")
            return None
        at = self._time(n, v, "at")
        if at is None and len(self.r.problems) == before:
            self.bad(n, "at", "不能为空")
        until = self._time(n, v, "until")
        by = cells.text(v.get("by"))
        if by is None:
            self.bad(n, "by", "不能为空")
        flags = {k: self.r.boolean(n, cells.text(v.get(k)), k, self.col(k), HISTORY_SHEET) for k in _HISTORY_FLAGS}
        if len(self.r.problems) > before:
            return None
        texts = {k: cells.text(v.get(k)) for k in _HISTORY_TEXTS}
        return HistoryRow(n, action, at, until, by, texts, flags, v.get("amount"))  # type: ignore[arg-type]

    def intake_event(self, c: Complaint, h: HistoryRow) -> Complaint | None:
        """The 受理 row: who took it, its note, the intake 事件等级 and 越级渠道 (later ones are events)."""
        rules, severity = self.r.rules, h.texts["severity"]
        if h.at != c.received_at:
            self.bad(h.n, "at", f"受理时间 {human(h.at)} 与投诉台账中的受理时间 {human(c.received_at)} 不一致")
            return None
        if severity is not None and severity not in rules.severities:
            self.bad(h.n, "severity", f"事件等级「{severity}」无效，可选：{choices(rules.severities)}")
            return None
        chans = tuple(p.strip() for p in re.split("[、，,；;\n]", h.texts["escalated_to"] or "") if p.strip())
        for ch in chans:
            if ch not in rules.escalation_channels:
                self.bad(h.n, "escalated_to", f"越级投诉渠道「{ch}」无效，可选：{choices(rules.escalation_channels)}")
                return None
        return replace(c, received_by=h.by, severity=severity or rules.severities[0], escalated_to=chans,
                       history=(replace(c.history[0], by=h.by, note=h.t("note")),) + c.history[1:])

    def step(self, c: Complaint, i: int, h: HistoryRow) -> Complaint | None:
        if h.action == "add":
            if i != 0:
                self.bad(h.n, "action", "「受理」只能是第一步")
                return None
            return self.intake_event(c, h)
        try:
            return _HISTORY_STEPS[h.action](c, h, self.r)
        except TousuError as exc:
            self.bad(h.n, exc.field if exc.field in HISTORY_KEYS else "action", exc.message)
            return None


def steps_from_history(r: Rows, c: Complaint, rows: list[tuple[int, dict[str, Any]]]) -> Complaint | None:
    """Replay 处理记录 rows through lifecycle; the 受理 row gives the intake 等级 and 越级渠道."""
    hist = _History(r)
    for i, (n, v) in enumerate(rows):
        h = hist.read(n, v)
        if h is None:
            return None
        step = hist.step(c, i, h)
        if step is None:
            return None
        c = step
    return c
