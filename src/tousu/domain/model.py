"""A complaint work order and its append-only history (SPEC §2).

Records are frozen: a step makes a new record with one more event
(`dataclasses.replace`). The intake facts are stored as received; everything
that changes later (unit, verdict, severity, state …) is read off the history,
so nothing is stored twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import cached_property
from datetime import datetime
from pathlib import Path

from tousu.domain import states
from tousu.domain.labels import ACTIONS, STATES, label, verdict  # noqa: F401 - ACTIONS, STATES re-exported

ID_PATTERN = re.compile(r"^TS(\d{4})(\d{2})(\d{2})(\d{4})$")

@dataclass(frozen=True)
class Customer:
    name: str
    phone: str
    address: str = ""
    account: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    """One step in a complaint's history: who, when, what; never rewritten. With slots: a province's
    bulletin holds some 100 000 events, a third of the memory a dict each would take."""

    action: str
    at: datetime
    by: str
    note: str = ""
    unit: str | None = None  # dispatch; assess (unit fine)
    reason: str | None = None  # return, extend, review reject
    until: datetime | None = None  # extend
    approved_by: str | None = None  # extend
    verified: bool | None = None  # reply: 属实
    responsible: bool | None = None  # reply: 供电责任
    cause: str | None = None  # reply
    process: str | None = None  # reply
    measures: str | None = None  # reply
    approved: bool | None = None  # review
    satisfied: bool | None = None  # revisit
    severity: str | None = None  # grade
    escalated_to: str | None = None  # escalate
    rule: str | None = None  # assess
    person: str | None = None  # assess
    amount: int | None = None  # assess
    time_unknown: bool | None = None  # imported (95598): done, but `at` is only a bound, not its time
    withdrawn: str | None = None  # undo: the action of the step withdrawn
    withdrawn_at: datetime | None = None  # undo: its time
    fact: str | None = None  # correct: which intake fact (labels.FIELDS)
    old: str | None = None  # correct: the value before
    new: str | None = None  # correct: the value after
    stage: str | None = None  # urge: the stage key urged (its owner in `unit`)
    seal: str | None = field(default=None, compare=False)  # storage.seal: a short hash chained from the previous
    line: int = field(default=0, compare=False)

    @property
    def label(self) -> str:
        return label(self.action)


EVENT_FIELDS = tuple(f.name for f in fields(Event) if f.name not in ("line", "seal"))


@dataclass(frozen=True)
class Complaint:
    """A complaint work order as received, plus its history."""

    id: str
    received_at: datetime
    channel: str
    received_by: str
    customer: Customer
    category: str
    item: str
    content: str
    attitude: str = "平和"
    severity: str = "一般"  # at intake; later changes are `grade` events
    escalated_to: tuple[str, ...] = ()  # at intake; later ones are `escalate` events
    ref: str | None = None  # 95598 工单编号
    history: tuple[Event, ...] = ()
    path: Path | None = field(default=None, compare=False)
    seal: str | None = field(default=None, compare=False)  # storage.seal: over the history's head and length
    seal_line: int = field(default=0, compare=False)  # where the file has it (0: it has none)
    legacy_head: bool = field(default=False, compare=False)  # written by a tousu that put no record seal

    # ---- facts read off the history -------------------------------------

    @cached_property
    def withdrawn(self) -> frozenset[int]:
        """Indexes in `history` of the steps an `undo` withdrew (撤销: the latest main-line step each time)."""
        if not any(e.action == "undo" for e in self.history):
            return frozenset()
        live: list[int] = []
        gone: set[int] = set()
        for i, e in enumerate(self.history):
            if e.action == "undo":
                if live:
                    gone.add(live.pop())
            elif e.action in states.MAIN_LINE and e.action != "add":
                live.append(i)
        return frozenset(gone)

    @cached_property
    def steps(self) -> tuple[Event, ...]:
        """The history as it counts: withdrawn steps and the corrections themselves left out.

        State, deadlines and figures are read off `steps`; `show` and the file keep every event.
        """
        gone = self.withdrawn
        if not gone and not any(e.action in ("undo", "correct") for e in self.history):
            return self.history
        return tuple(e for i, e in enumerate(self.history)
                     if i not in gone and e.action not in ("undo", "correct"))

    def last(self, action: str) -> Event | None:
        return next((e for e in reversed(self.steps) if e.action == action), None)

    @cached_property
    def state(self) -> str:
        """The state the history leads to, through the one transition table (domain/states.py)."""
        return states.replay(self.steps)

    @cached_property
    def voided(self) -> bool:
        """作废: out of every count, list, deadline and bulletin (but listed under 作废)."""
        return any(e.action == "void" for e in self.history)

    @property
    def state_zh(self) -> str:
        return STATES[self.state]

    @cached_property
    def unit(self) -> str | None:
        """责任单位: the unit of the latest dispatch."""
        e = self.last("dispatch")
        return e.unit if e else None

    @cached_property
    def reply(self) -> Event | None:
        return self.last("reply")

    @cached_property
    def verified(self) -> bool | None:
        return self.reply.verified if self.reply else None

    @cached_property
    def responsible(self) -> bool | None:
        return self.reply.responsible if self.reply else None

    @property
    def urges(self) -> tuple[tuple[str, datetime], ...]:
        """(stage key urged, when) of every 催办 that counts (an undone one does not)."""
        return tuple((e.stage or "", e.at) for e in self.steps if e.action == "urge")

    @cached_property
    def counted(self) -> bool:
        """属实 and 供电责任: counted in statistics and assessed (第九条)."""
        return bool(self.verified) and bool(self.responsible)

    @cached_property
    def current_severity(self) -> str:
        e = self.last("grade")
        return e.severity if e and e.severity else self.severity

    @property
    def all_escalations(self) -> tuple[str, ...]:
        later = tuple(e.escalated_to for e in self.steps if e.action == "escalate" and e.escalated_to)
        return self.escalated_to + later

    @property
    def dispatch_count(self) -> int:
        return sum(1 for e in self.steps if e.action == "dispatch")

    @property
    def revisit_result(self) -> str | None:
        e = self.last("revisit")
        return None if e is None else verdict("satisfied", e.satisfied)
