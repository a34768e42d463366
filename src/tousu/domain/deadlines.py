"""Stage clocks (SPEC §3): when each stage started, its limit, its deadline, met or not.

Pure functions over a complaint's history. Calendar hours for `dispatch` and
`revisit` (第十四条、第十六条), working days for `contact`, `return` and `reply`
(第十五条、第十七条), the same calendar day for `notify` (第十九条). A step done
at or before its deadline is on time; a pending stage is overdue once the time
is past it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from tousu.domain.workdays import WorkCalendar, uncovered_warning
from tousu.domain.model import Complaint, Event
from tousu.config.rules import Rules, StageLimit
from tousu.timeutil import CHINA, human, human_deadline, to_china

SERIOUS = ("严重", "重大")
HOTLINE = "95598班"
HOTLINE_STAGES = ("dispatch", "revisit")


@dataclass(frozen=True)
class Deadline:
    at: datetime
    basis: str  # how it was derived, for people
    uncovered: tuple[int, ...] = ()  # years counted Monday–Friday for want of a schedule


@dataclass(frozen=True)
class Stage:
    """One stage clock of one complaint."""

    key: str
    name: str
    cycle: int  # which dispatch it belongs to (0 before the first)
    started: datetime
    deadline: datetime
    basis: str
    clause: str
    unit: str | None = None
    done_at: datetime | None = None
    uncovered: tuple[int, ...] = ()

    @property
    def pending(self) -> bool:
        return self.done_at is None

    @property
    def owner(self) -> str:
        """Who must act: 95598班 dispatches and revisits (第十四、十六条); the unit does the rest."""
        if self.key in HOTLINE_STAGES or not self.unit:
            return HOTLINE
        return self.unit

    def late(self, now: datetime | None = None) -> bool:
        """Done after the deadline, or (pending) past it at `now`."""
        if self.done_at is not None:
            return self.done_at > self.deadline
        return now is not None and now > self.deadline

    def status(self, now: datetime) -> str:
        if self.done_at is not None:
            return "late" if self.done_at > self.deadline else "met"
        return "overdue" if now > self.deadline else "pending"

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(uncovered_warning(y) for y in self.uncovered)


STATUS_ZH = {"met": "按时", "late": "超时完成", "pending": "进行中", "overdue": "已超期"}


def working_day_deadline(start: datetime, n: int, cal: WorkCalendar, rule: str = "civil_code") -> Deadline:
    """N working days from `start` (SPEC §3).

    civil_code (《民法典》第二百零一、二百零三条): the day of `start` is not counted;
    the deadline is 24:00 of the n-th working day after it. same_clock: the same
    clock time on that day.
    """
    start = to_china(start)
    day = cal.nth_workday_after(start.date(), n)
    if rule == "same_clock":
        at = datetime.combine(day, start.timetz().replace(tzinfo=None), CHINA)
    else:
        at = datetime.combine(day + timedelta(days=1), time(), CHINA)
    special = cal.explain(start.date() + timedelta(days=1), day)
    basis = f"{human(start)} 起{n}个工作日"
    if special:
        basis += f"（{special}）"
    uncovered = cal.uncovered_years(start.date(), day)
    if uncovered:
        basis += "；" + "、".join(f"{y}年按周一至周五" for y in uncovered)
    return Deadline(at, basis, uncovered)


def deadline_for(limit: StageLimit, start: datetime, cal: WorkCalendar, rule: str) -> Deadline:
    """The deadline of a stage whose clock started at `start`."""
    start = to_china(start)
    if limit.unit == "hours":
        return Deadline(start + timedelta(hours=limit.limit), f"{human(start)} 起{limit.limit}小时")
    if limit.unit == "same_day":
        end = datetime.combine(start.date() + timedelta(days=1), time(), CHINA)
        return Deadline(end, f"{human(start)} 当日24:00前")
    return working_day_deadline(start, limit.limit, cal, rule)


def stages(c: Complaint, rules: Rules, cal: WorkCalendar) -> list[Stage]:
    """Every stage clock of a complaint, in the order they started."""
    out: list[Stage] = []
    open_: dict[str, int] = {}  # stage key → index in out of the open one
    cycle = 0
    unit: str | None = None
    dispatched_at: datetime | None = None

    unknown: set[int] = set()  # stages started at a time_unknown event (imported): only a bound

    def start(key: str, at: datetime, bound: bool = False) -> None:
        limit = rules.stages[key]
        d = deadline_for(limit, at, cal, rules.working_day_rule)
        out.append(Stage(key, limit.name, cycle, to_china(at), d.at, d.basis, limit.clause, unit,
                         uncovered=d.uncovered))
        open_[key] = len(out) - 1
        if bound:
            unknown.add(len(out) - 1)

    def finish(key: str, ev: Event) -> None:
        """Done at the event; a stage that starts or ends at an unknown time is not judged (dropped)."""
        i = open_.pop(key, None)
        if i is not None:
            out[i] = None if (ev.time_unknown or i in unknown) else replace(out[i], done_at=to_china(ev.at))  # type: ignore[call-overload]

    def drop(key: str) -> None:
        i = open_.pop(key, None)
        if i is not None:
            out[i] = None  # type: ignore[call-overload]

    severity = c.severity
    for ev in c.history:
        a = ev.action
        if a == "add":
            start("dispatch", c.received_at)
            if severity in SERIOUS:
                start("notify", c.received_at)
        elif a == "dispatch":
            finish("dispatch", ev)
            cycle += 1
            unit, dispatched_at = ev.unit, ev.at
            start("contact", ev.at, bool(ev.time_unknown))
            start("reply", ev.at, bool(ev.time_unknown))
        elif a == "contact":
            finish("contact", ev)
        elif a == "return":
            # A returned dispatch was never this unit's matter: its contact and reply
            # clocks are withdrawn, a contact already made included (docs/rates.md).
            drop("contact")
            drop("reply")
            for i, s in enumerate(out):
                if s is not None and s.key == "contact" and s.cycle == cycle:
                    out[i] = None  # type: ignore[call-overload]
            # 第十七条: judged only when the unit does return it.
            limit = rules.stages["return"]
            d = deadline_for(limit, dispatched_at or ev.at, cal, rules.working_day_rule)
            out.append(Stage("return", limit.name, cycle, to_china(dispatched_at or ev.at), d.at, d.basis,
                             limit.clause, unit, to_china(ev.at), d.uncovered))
            start("dispatch", ev.at)
        elif a == "extend" and "reply" in open_:
            i = open_["reply"]
            until = to_china(ev.until)
            out[i] = replace(out[i], deadline=until, uncovered=(),
                             basis=f"经{ev.approved_by}批准延期至 {human_deadline(until)}（{ev.reason}）")
        elif a == "reply":
            finish("reply", ev)
            start("revisit", ev.at, bool(ev.time_unknown))
        elif a == "review" and ev.approved is False:
            drop("revisit")
            # The rejected reply does not count: the reply stage is pending again.
            last = max((i for i, s in enumerate(out) if s is not None and s.key == "reply"), default=None)
            if last is not None:
                out[last] = replace(out[last], done_at=None)
                open_["reply"] = last
        elif a == "revisit":
            finish("revisit", ev)
            if ev.satisfied is False:
                start("dispatch", ev.at, bool(ev.time_unknown))
        elif a == "grade":
            raised = ev.severity in SERIOUS and ev.severity != severity
            severity = ev.severity or severity
            if raised and "notify" not in open_:
                start("notify", ev.at)
        elif a == "notify":
            finish("notify", ev)
    return [s for s in out if s is not None]


def pending_deadline(c: Complaint, key: str, rules: Rules, cal: WorkCalendar) -> datetime | None:
    """The deadline of the complaint's open `key` stage (e.g. the reply an extension extends), if any."""
    return next((s.deadline for s in stages(c, rules, cal) if s.key == key and s.pending), None)
