"""The five rates of the bulletin (第二十、二十一条): their definitions, and how they are counted.

`RATES` is the one table the terminal, the JSON, the xlsx 说明 sheet and the 公文 show;
`Tally` counts numerators and denominators for the company and per unit (each dispatch's
stages to the unit that handled that dispatch).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tousu.domain.deadlines import Stage
from tousu.domain.model import Complaint


@dataclass(frozen=True)
class Rate:
    """A handling rate: what is divided by what (docs/rates.md)."""

    key: str
    name: str
    numerator: str
    denominator: str
    clause: str
    unit_rule: str


RATES: tuple[Rate, ...] = (
    Rate("first_time_resolution", "一次解决率",
         "已归档且只派发过一次（未退回、未再分发）的件数",
         "已归档的件数", "第二条、第二十一条",
         "按单位统计时记入最后承办（归档时）的单位；被再次派发的件对该单位不算一次解决"),
    Rate("contact_on_time", "首日联系率",
         "在时限内（1个工作日）首次联系客户的派发次数",
         "已联系或已过联系期限的派发次数（被退回的派发不计）", "第十五条、第二十一条",
         "按单位统计时，每次派发记入承办该次派发的单位：再次派发的件，前一轮记前一单位，后一轮记后一单位"),
    Rate("reply_on_time", "按时办结率",
         "在时限内（4个工作日或批准的延期）答复客户的派发次数",
         "已答复或已过答复期限的派发次数（被退回的派发不计；审核驳回后以重新答复为准）", "第十五条、第二十一条",
         "按单位统计时，每次派发记入承办该次派发的单位：再次派发的件，前一轮记前一单位，后一轮记后一单位"),
    Rate("revisit", "回访率",
         "应回访且已回访的件数（规定为100%）",
         "应回访的件数：已答复（审核未驳回），且已回访或已过24小时回访期限", "第十六条、第二十条",
         "按单位统计时，回访记入被回访答复所属的单位，即承办该次派发的单位（每件每单位计一次）"),
    Rate("revisit_satisfied", "回访满意率",
         "最近一次回访结果为满意的件数",
         "已回访的件数", "第二十条、第二十一条",
         "按单位统计时，回访记入被回访答复所属的单位，即承办该次派发的单位；"
         "同一单位答复过两次的，以对该单位答复的最近一次回访为准"),
)
RATE_KEYS = tuple(r.key for r in RATES)


def ratio(num: int, den: int) -> float | None:
    return None if den == 0 else round(num / den, 4)


@dataclass
class Tally:
    """Numerators and denominators of the five rates."""

    counts: dict[str, list[int]]

    @classmethod
    def new(cls) -> Tally:
        return cls({k: [0, 0] for k in RATE_KEYS})

    def add(self, key: str, hit: bool) -> None:
        self.counts[key][1] += 1
        self.counts[key][0] += bool(hit)

    def join(self, other: Tally) -> None:
        """Add another tally's counts to these."""
        for k, (n, d) in other.counts.items():
            mine = self.counts.setdefault(k, [0, 0])
            mine[0] += n
            mine[1] += d

    def rates(self) -> dict[str, float | None]:
        return {k: ratio(n, d) for k, (n, d) in self.counts.items()}

    def detail(self) -> dict[str, dict[str, int]]:
        return {k: {"numerator": n, "denominator": d} for k, (n, d) in self.counts.items()}


def tally(t: Tally, c: Complaint, st: list[Stage], as_of: datetime) -> None:
    """Add one complaint to the rate counts (definitions: RATES, docs/rates.md)."""
    if c.state == "archived":
        t.add("first_time_resolution", c.dispatch_count == 1)
    tally_stages(t, st, as_of)
    last = c.last("revisit")
    if last is not None:
        t.add("revisit_satisfied", bool(last.satisfied))


def tally_stages(t: Tally, st: list[Stage], as_of: datetime) -> None:
    """按时联系、按时办结 per dispatch; 回访 once over the given stages."""
    for key, rate in (("contact", "contact_on_time"), ("reply", "reply_on_time")):
        for s in st:
            if s.key != key:
                continue
            if s.done_at is not None:
                t.add(rate, s.done_at <= s.deadline)
            elif as_of > s.deadline:
                t.add(rate, False)
    due = [s for s in st if s.key == "revisit" and (s.done_at is not None or as_of > s.deadline)]
    # A reply still waiting for 营销部审核 past the revisit deadline was not revisited either (第二十条).
    due += [s for s in st if s.key == "review" and s.done_at is None and as_of > s.deadline]
    if due:
        t.add("revisit", all(s.done_at is not None for s in due))


def last_revisit_by_unit(c: Complaint) -> dict[str, bool]:
    """Each unit's latest revisit result: a revisit belongs to the unit of the dispatch whose reply it revisits."""
    out: dict[str, bool] = {}
    unit: str | None = None
    for e in c.steps:
        if e.action == "dispatch":
            unit = e.unit
        elif e.action == "revisit" and unit:
            out[unit] = bool(e.satisfied)
    return out


def tally_units(tallies: dict[str, Tally], c: Complaint, st: list[Stage], as_of: datetime) -> None:
    """Add one complaint to the per-unit counts: each dispatch's stages to the unit that handled it."""
    if c.state == "archived" and c.unit:
        tallies[c.unit].add("first_time_resolution", c.dispatch_count == 1)
    for unit in dict.fromkeys(s.unit for s in st if s.unit):
        tally_stages(tallies[unit], [s for s in st if s.unit == unit], as_of)
    for unit, satisfied in last_revisit_by_unit(c).items():
        tallies[unit].add("revisit_satisfied", satisfied)


# ---------------------------------------------------------------- pieces
