"""Per-unit figures of the monthly bulletin when an order changes hands (第二十一条; docs/rates.md).

Each dispatch's stages count to the unit that handled that dispatch; a revisit counts to the unit whose
reply it revisited; 一次解决率 to the unit that closed the order. Ranking is of 基层单位 only.
"""

from __future__ import annotations

from test_report import AS_OF, CAL, RULES, ev, mk, reply
from tousu.reports.monthly import month_report, summary_units

UNITS = ("城关供电所", "东城供电所")

# 城关: contact and reply on time, revisit unsatisfied; re-dispatched to 东城: contact late (due 11-03 24:00),
# reply on time, revisit satisfied, archived.
HANDED_ON = mk("TS202611020001", "2026-11-02 09:00",
               ev("dispatch", "2026-11-02 09:30", unit="城关供电所"),
               ev("contact", "2026-11-02 14:00"),
               reply("2026-11-03 16:00"),
               ev("review", "2026-11-03 17:00", approved=True),
               ev("revisit", "2026-11-04 09:00", satisfied=False),
               ev("dispatch", "2026-11-04 09:30", unit="东城供电所"),
               ev("contact", "2026-11-06 10:00"),
               reply("2026-11-06 16:00"),
               ev("review", "2026-11-06 17:00", approved=True),
               ev("revisit", "2026-11-07 09:00", satisfied=True),
               ev("archive", "2026-11-07 10:00"))


def counts(r: dict, unit: str) -> dict[str, tuple[int, int]]:
    return {k: (v["numerator"], v["denominator"]) for k, v in r["by_unit"][unit]["rate_counts"].items()}


def test_each_dispatch_counts_to_the_unit_that_handled_it() -> None:
    r = month_report([HANDED_ON], RULES, CAL, 2026, 11, as_of=AS_OF, units=UNITS)
    assert counts(r, "城关供电所") == {"first_time_resolution": (0, 0), "contact_on_time": (1, 1),
                                   "reply_on_time": (1, 1), "revisit": (1, 1), "revisit_satisfied": (0, 1)}
    assert counts(r, "东城供电所") == {"first_time_resolution": (0, 1), "contact_on_time": (0, 1),
                                   "reply_on_time": (1, 1), "revisit": (1, 1), "revisit_satisfied": (1, 1)}
    # The order itself is still 东城's (受理 and 属实), and the company-wide rates count it once.
    assert (r["by_unit"]["东城供电所"]["received"], r["by_unit"]["城关供电所"]["received"]) == (1, 0)
    assert {k: (v["numerator"], v["denominator"]) for k, v in r["rate_counts"].items()} == {
        "first_time_resolution": (0, 1), "contact_on_time": (1, 2), "reply_on_time": (2, 2),
        "revisit": (1, 1), "revisit_satisfied": (1, 1)}


def test_rate_definitions_say_how_a_redispatched_order_counts() -> None:
    r = month_report([HANDED_ON], RULES, CAL, 2026, 11, as_of=AS_OF, units=UNITS)
    text = "".join(d["unit_rule"] for d in r["rate_definitions"].values())
    assert "承办该次派发的单位" in text


def test_only_grassroots_units_are_ranked() -> None:
    """第二十一条 监督 of 基层单位: a 职能部门 shows for the late stages it owes, never with a place."""
    units = UNITS + ("市场营销部", "运维检修部")
    r = month_report([HANDED_ON], RULES, CAL, 2026, 11, as_of=AS_OF, units=units, ranked=UNITS)
    assert {u: r["by_unit"][u]["rank"] for u in units} == {
        "城关供电所": 2, "东城供电所": 1, "市场营销部": None, "运维检修部": None}
    names = [name for name, _, _ in summary_units(r)]
    assert "运维检修部" not in names  # nothing received, nothing late: no row
    assert names[:2] == ["城关供电所", "东城供电所"]


def test_functional_department_with_late_stage_keeps_its_row() -> None:
    pending_review = mk("TS202611020002", "2026-11-02 09:00",
                        ev("dispatch", "2026-11-02 09:30", unit="城关供电所"),
                        ev("contact", "2026-11-02 14:00"), reply("2026-11-03 16:00"))
    r = month_report([pending_review], RULES, CAL, 2026, 11, as_of=AS_OF,
                     units=("城关供电所", "市场营销部"), ranked=("城关供电所",))
    rows = {name: (u and u["rank"], late) for name, u, late in summary_units(r)}
    assert rows["市场营销部"] == (None, 1)  # the 营销部审核 it owes
    assert rows["城关供电所"] == (1, 0)
