"""The work order's state machine: the ONE table of which step may follow which state (SPEC §2).

`model.Complaint.state` replays the history through `after`; every step of
`lifecycle` asks `refusal` whether it fits the current state. Main-line steps
(第十四—二十一条) move the state; side steps (定级, 上报, 越级登记, 考核, 催办)
are done by other people in parallel and never move it; corrections (撤销,
作废, 更正) are on the record of their own (SPEC §2 "Corrections").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tousu.domain.labels import STATES

MAIN_LINE = ("add", "dispatch", "contact", "return", "extend", "reply", "review", "revisit", "archive")
SIDE_STEPS = ("grade", "notify", "escalate", "assess", "urge")
CORRECTIONS = ("undo", "void", "correct")
OPEN = tuple(s for s in STATES if s not in ("archived", "voided"))
LIVE = tuple(s for s in STATES if s != "voided")


@dataclass(frozen=True)
class Transition:
    """A step: the states it may follow, and the state it leaves (None: unchanged).

    `flag` names the event's verdict that chooses between `to` (true) and
    `otherwise` (false): an approved review leads to 待回访, a rejected one back
    to the unit; a satisfied revisit to 待归档, an unsatisfied one to 再分发.
    """

    after: tuple[str, ...]
    to: str | None = None
    flag: str | None = None
    otherwise: str | None = None


TABLE: dict[str, Transition] = {
    "add": Transition((), "pending_dispatch"),
    "dispatch": Transition(("pending_dispatch",), "dispatched"),  # 第十四条、第二十一条
    "contact": Transition(("dispatched",)),  # 第十五条
    "return": Transition(("dispatched",), "pending_dispatch"),  # 第十七条
    "extend": Transition(("dispatched",)),  # 第十五条
    "reply": Transition(("dispatched",), "replied"),  # 第十五条
    "review": Transition(("replied",), "reviewed", "approved", "dispatched"),  # 第十六条
    "revisit": Transition(("reviewed",), "revisited", "satisfied", "pending_dispatch"),  # 第十六、二十一条
    "archive": Transition(("revisited",), "archived"),  # 第二十条
    "grade": Transition(OPEN),  # 第十九条
    "notify": Transition(LIVE),  # 第十九条
    "escalate": Transition(LIVE),  # 第二十五条
    "assess": Transition(LIVE),  # 第二十三—二十八条
    "urge": Transition(OPEN),
    "undo": Transition(LIVE),
    "void": Transition(LIVE, "voided"),
    "correct": Transition(LIVE),
}


def after(state: str, event: object) -> str:
    """The state an event leaves (events that do not fit are replayed as they stand)."""
    t = TABLE.get(getattr(event, "action", ""))
    if t is None:
        return state
    if t.flag is not None and getattr(event, t.flag) is False:
        return t.otherwise or state
    return t.to or state


def allowed(step: str, state: str) -> bool:
    return state in TABLE[step].after


def allowed_after(step: str) -> tuple[str, ...]:
    return TABLE[step].after


def is_main(action: str) -> bool:
    return action in MAIN_LINE


def replay(events: object) -> str:
    """The state after a sequence of (effective) events."""
    state = "pending_dispatch"
    for e in events:  # type: ignore[attr-defined]
        state = after(state, e)
    return state


# ---------------------------------------------------------------- tracks (SPEC §2 "Main line and side steps")


class Tracks:
    """Which earlier event a step may not be dated before.

    A main-line step follows the main-line step before it (the steps an `undo`
    withdrew left out); a side step follows the step it depends on: 定级 and
    越级登记 the 受理, 上报 the 定级 that raised the event (or the 受理), 考核 the
    答复, 催办 the latest main-line step; a correction follows every event before it.
    Feed the history in order with `feed`; ask `prior(action)` before each.
    """

    def __init__(self) -> None:
        self.main: list[Any] = []
        self.grade: Any = None
        self.last: Any = None

    def feed(self, e: Any) -> None:
        a = e.action
        if a == "undo":
            if len(self.main) > 1:
                self.main.pop()
        elif a in MAIN_LINE:
            self.main.append(e)
        elif a == "grade":
            self.grade = e
        self.last = e

    def prior(self, action: str) -> Any:
        if not self.main:
            return self.last
        if action in MAIN_LINE or action in ("undo", "urge"):
            return self.main[-1]
        if action in ("grade", "escalate"):
            return self.main[0]
        if action == "notify":
            return self.grade or self.main[0]
        if action == "assess":
            return next((e for e in reversed(self.main) if e.action == "reply"), self.main[-1])
        return self.last


def to_minute(at: datetime) -> datetime:
    """Times are compared at the precision people see them (minutes)."""
    return at.replace(second=0, microsecond=0)


def out_of_order(history: Sequence[Any]) -> list[tuple[Any, Any]]:
    """(event, the event it may not precede) for every event dated before its track's prior step."""
    tracks = Tracks()
    bad = []
    for e in history:
        before = tracks.prior(e.action)
        if before is not None and to_minute(e.at) < to_minute(before.at):
            bad.append((e, before))
        tracks.feed(e)
    return bad
