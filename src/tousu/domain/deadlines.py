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
MARKETING = "市场营销部"  # owes 营销部审核 (第十六条)


@dataclass(frozen=True)
class Deadline:
    at: datetime
    basis: str  # how it was derived, for people
    uncovered: tuple[int, ...] = ()  # years counted Monday–Friday for want of a schedule


@dataclass(frozen=True, slots=True)
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
        """Who must act: 95598班 dispatches and revisits, 市场营销部 reviews (第十四、十六条); the unit the rest."""
        if self.key == "review":
            return MARKETING
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
    day, special, uncovered = cal.span(start.date(), n)
    if rule == "same_clock":
        at = datetime.combine(day, start.timetz().replace(tzinfo=None), CHINA)
    else:
        at = datetime.combine(day + timedelta(days=1), time(), CHINA)
    basis = f"{human(start)} 起{n}个工作日"
    if special:
        basis += f"（{special}）"
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


REVIEW = StageLimit("review", "营销部审核", 0, "with_revisit", "第十六条")


def _done(s: Stage, at: datetime | None) -> Stage:
    """`s` done at `at` (None: pending again); dataclasses.replace, without its look at every field."""
    return Stage(s.key, s.name, s.cycle, s.started, s.deadline, s.basis, s.clause, s.unit, at, s.uncovered)


class _Clocks:
    """Replays a complaint's steps into stage clocks; one method per kind of step."""

    def __init__(self, c: Complaint, rules: Rules, cal: WorkCalendar) -> None:
        self.c, self.rules, self.cal = c, rules, cal
        self.out: list[Stage | None] = []
        self.open: dict[str, int] = {}  # stage key → index in out of the open one
        self.unknown: set[int] = set()  # stages started at a time_unknown event (imported): only a bound
        self.cycle = 0
        self.unit: str | None = None
        self.dispatched_at: datetime | None = None
        self.replied: Event | None = None
        self.severity = c.severity

    def deadline(self, key: str, at: datetime) -> tuple[StageLimit, Deadline]:
        limit = self.rules.stages.get(key) or REVIEW
        if limit.unit == "with_revisit":  # SPEC §3: review is due with the revisit unless it has a limit of its own
            d = deadline_for(self.rules.stages["revisit"], at, self.cal, self.rules.working_day_rule)
            return limit, Deadline(d.at, f"{d.basis}（与回访同一期限）", d.uncovered)
        return limit, deadline_for(limit, at, self.cal, self.rules.working_day_rule)

    def start(self, key: str, at: datetime, bound: bool = False, done_at: datetime | None = None) -> None:
        limit, d = self.deadline(key, at)
        self.out.append(Stage(key, limit.name, self.cycle, to_china(at), d.at, d.basis, limit.clause, self.unit,
                              None if done_at is None else to_china(done_at), d.uncovered))
        if done_at is None:
            self.open[key] = len(self.out) - 1
        if bound:
            self.unknown.add(len(self.out) - 1)

    def finish(self, key: str, ev: Event) -> None:
        """Done at the event; a stage that starts or ends at an unknown time is not judged (dropped)."""
        i = self.open.pop(key, None)
        if i is not None:
            self.out[i] = None if (ev.time_unknown or i in self.unknown) else \
                _done(self.out[i], to_china(ev.at))  # type: ignore[arg-type]

    def drop(self, key: str) -> None:
        i = self.open.pop(key, None)
        if i is not None:
            self.out[i] = None

    def add(self, ev: Event) -> None:
        self.start("dispatch", self.c.received_at)
        if self.severity in SERIOUS:
            self.start("notify", self.c.received_at)

    def dispatch(self, ev: Event) -> None:
        self.finish("dispatch", ev)
        self.cycle += 1
        self.unit, self.dispatched_at = ev.unit, ev.at
        self.start("contact", ev.at, bool(ev.time_unknown))
        self.start("reply", ev.at, bool(ev.time_unknown))

    def contact(self, ev: Event) -> None:
        self.finish("contact", ev)

    def return_(self, ev: Event) -> None:
        # A returned dispatch was never this unit's matter: its contact and reply
        # clocks are withdrawn, a contact already made included (docs/rates.md).
        self.drop("contact")
        self.drop("reply")
        for i, s in enumerate(self.out):
            if s is not None and s.key == "contact" and s.cycle == self.cycle:
                self.out[i] = None
        # 第十七条: judged only when the unit does return it.
        self.start("return", self.dispatched_at or ev.at, done_at=ev.at)
        self.start("dispatch", ev.at)

    def extend(self, ev: Event) -> None:
        if "reply" in self.open:
            i = self.open["reply"]
            until = to_china(ev.until)  # type: ignore[arg-type]
            self.out[i] = replace(self.out[i], deadline=until, uncovered=(),  # type: ignore[arg-type]
                                  basis=f"经{ev.approved_by}批准延期至 {human_deadline(until)}（{ev.reason}）")

    def reply(self, ev: Event) -> None:
        self.finish("reply", ev)
        self.replied = ev
        # 第十六条: the reply waits for 营销部审核 (owed by 市场营销部); the revisit clock starts after it.
        self.start("review", ev.at, bool(ev.time_unknown))

    def review(self, ev: Event) -> None:
        self.finish("review", ev)
        if ev.approved is False:
            # The rejected reply does not count: the reply stage is pending again.
            last = max((i for i, s in enumerate(self.out) if s is not None and s.key == "reply"), default=None)
            if last is not None:
                self.out[last] = _done(self.out[last], None)  # type: ignore[arg-type]
                self.open["reply"] = last
            return
        # deadlines.revisit.starts: the 24 hours run from the reply (default) or from the review.
        since = ev if self.rules.revisit_starts == "review" or self.replied is None else self.replied
        self.start("revisit", since.at, bool(since.time_unknown))

    def revisit(self, ev: Event) -> None:
        self.finish("revisit", ev)
        if ev.satisfied is False:
            self.start("dispatch", ev.at, bool(ev.time_unknown))

    def grade(self, ev: Event) -> None:
        raised = ev.severity in SERIOUS and ev.severity != self.severity
        self.severity = ev.severity or self.severity
        if raised and "notify" not in self.open:
            self.start("notify", ev.at)

    def notify(self, ev: Event) -> None:
        self.finish("notify", ev)


def stages(c: Complaint, rules: Rules, cal: WorkCalendar) -> list[Stage]:
    """Every stage clock of a complaint, in the order they started; none for a voided one (作废)."""
    if c.voided:
        return []
    k = _Clocks(c, rules, cal)
    steps = {"add": k.add, "dispatch": k.dispatch, "contact": k.contact, "return": k.return_, "extend": k.extend,
             "reply": k.reply, "review": k.review, "revisit": k.revisit, "grade": k.grade, "notify": k.notify}
    for ev in c.steps:
        step = steps.get(ev.action)
        if step is not None:
            step(ev)
    return [s for s in k.out if s is not None]


def pending_deadline(c: Complaint, key: str, rules: Rules, cal: WorkCalendar) -> datetime | None:
    """The deadline of the complaint's open `key` stage (e.g. the reply an extension extends), if any."""
    return next((s.deadline for s in stages(c, rules, cal) if s.key == key and s.pending), None)
