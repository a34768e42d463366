"""A month's bulletin counted in two halves on two cores (tousu.forking) gives the very answer of one process.

month_report counts the month's complaints one by one into its tables; at a province's scale (13,000 a
month) the second half is counted in a forked helper and the two counts are joined. Whatever the split
and whatever happens to the helper — it raises, it dies, it sends garbage — the bulletin is the one a
single process gives, key for key and in the same order.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from test_report import ALL, CAL, RULES, UNITS, ev, mk, reply, t
from tousu import forking
from tousu.cli import app
from tousu.reports.monthly import month_report

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
import make_data  # noqa: E402

needs_fork = pytest.mark.skipif(not forking.can_fork(), reason="the helper is forked on Linux with 2 cores")


# December: a deadline in 2027, whose calendar is not known (a warning), and a step of unknown time.
DECEMBER = [
    mk("TS202612010001", "2026-12-01 09:00", ev("dispatch", "2026-12-01 09:30", unit="城关供电所"),
       ev("contact", "2026-12-01 10:00"), reply("2026-12-03 10:00")),
    mk("TS202612150001", "2026-12-15 09:00", ev("dispatch", "2026-12-15 09:30", unit="西郊供电所", time_unknown=True),
       ev("contact", "2026-12-16 10:00"), phone="13900001111"),
    mk("TS202612300001", "2026-12-30 10:00", ev("dispatch", "2026-12-30 10:30", unit="东城供电所"),
       item="电费电价", phone="13900002222"),
    mk("TS202612310001", "2026-12-31 10:00", phone="13900003333", channel="来访"),
]


# November again, with what the counting carries from one complaint to the next: a unit first met as a
# returned dispatch (X1) whose every later stage of another complaint has an unknown time (X2: the unit
# has no stage there, only its revisit); 市场营销部 owing a late review (Y1) before it is met as a unit
# (Y2, dispatched there by mistake and returned); a complaint escalated (越级).
UNKNOWN = {"time_unknown": True}
X1 = mk("TS202611040001", "2026-11-04 09:00", ev("dispatch", "2026-11-04 09:30", unit="甲所"),
        ev("return", "2026-11-04 11:00", reason="不属本所"), ev("dispatch", "2026-11-04 11:30", unit="乙所"),
        phone="13900004444")
X2 = mk("TS202611050001", "2026-11-05 09:00", ev("dispatch", "2026-11-05 09:30", unit="甲所", **UNKNOWN),
        ev("contact", "2026-11-05 10:00", **UNKNOWN), replace(reply("2026-11-06 10:00"), time_unknown=True),
        ev("review", "2026-11-06 11:00", approved=True, **UNKNOWN),
        ev("revisit", "2026-11-06 12:00", satisfied=False, **UNKNOWN),
        ev("dispatch", "2026-11-06 13:00", unit="丙所"), phone="13900005555")
Y1 = mk("TS202611060001", "2026-11-06 09:00", ev("dispatch", "2026-11-06 09:10", unit="城关供电所"),
        ev("contact", "2026-11-06 10:00"), reply("2026-11-06 15:00"), phone="13900006666")
Y2 = mk("TS202611090001", "2026-11-09 09:00", ev("dispatch", "2026-11-09 09:10", unit="市场营销部"),
        ev("return", "2026-11-09 10:00", reason="应派供电所"), ev("dispatch", "2026-11-09 10:30", unit="城关供电所"),
        phone="13900007777")
ESCALATED = replace(mk("TS202611110001", "2026-11-11 09:00", ev("dispatch", "2026-11-11 09:20", unit="东城供电所"),
                       ev("contact", "2026-11-11 10:00"), reply("2026-11-12 10:00"),
                       ev("review", "2026-11-12 11:00", approved=True), phone="13900008888"),
                    escalated_to=("国家能源局派出机构/12398",))
CARRIED = [X1, X2, Y1, Y2, ESCALATED]


def _report(monkeypatch: pytest.MonkeyPatch, least: int, complaints=ALL, units=UNITS):  # noqa: ANN001, ANN202
    monkeypatch.setattr(forking, "HALVES_MIN", least)
    if complaints[0].received_at.month == 12:
        return month_report(complaints, RULES, CAL, 2026, 12, as_of=t("2027-01-08 00:00"), units=units)
    return month_report(complaints, RULES, CAL, 2026, 11, as_of=t("2026-12-02 00:00"), units=units)


@pytest.fixture
def delivered(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each helper's result came back (a helper that always failed would pass unseen otherwise:
    its half is then counted here, with the same answer)."""
    got: list[bool] = []
    real = forking._Helper.result

    def result(self):  # noqa: ANN001, ANN202
        r = real(self)
        got.append(r is not None)
        return r

    monkeypatch.setattr(forking._Helper, "result", result)
    return got


@needs_fork
def test_the_month_counted_in_halves_is_the_month_counted_at_once(monkeypatch: pytest.MonkeyPatch,
                                                                   delivered: list[bool]) -> None:
    one = _report(monkeypatch, 10**9)
    assert delivered == []
    for units in (UNITS, ()):  # units listed by org.yaml, and units met only in the complaints
        delivered.clear()
        two = _report(monkeypatch, 2, units=units)
        assert delivered == [True], "the second half was not counted in a helper"
        expected = one if units else _report(monkeypatch, 10**9, units=units)
        assert json.dumps(two, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


def test_a_unit_met_only_in_a_revisit_and_a_late_review_before_its_owner_is_a_unit(monkeypatch) -> None:  # noqa: ANN001
    """X2's 甲所 has no stage (every step of its dispatch has an unknown time), only the revisit of its reply:
    it is counted (before, a KeyError when no earlier complaint had met 甲所). 市场营销部's late review (Y1)
    is in its row's late stages though the row is made later (Y2): the summary and the row agree."""
    r = _report(monkeypatch, 10**9, complaints=CARRIED, units=())
    assert r["by_unit"]["甲所"]["rate_counts"]["revisit_satisfied"] == {"numerator": 0, "denominator": 1}
    late = {o["owner"]: o["total"] for o in r["late_owners"]}
    assert late["市场营销部"] == r["by_unit"]["市场营销部"]["late_stages"] == 1
    assert r["escalated"]["received"] == 1 and r["escalated"]["ids"] == ["TS202611110001"]
    assert _report(monkeypatch, 10**9, complaints=[X2], units=())["by_unit"]["甲所"]["received"] == 0


@needs_fork
@pytest.mark.parametrize("month", [ALL, DECEMBER, CARRIED], ids=["11月", "12月", "11月续"])
def test_every_split_point_joins_to_the_same_counts(monkeypatch: pytest.MonkeyPatch, month,  # noqa: ANN001
                                                    delivered: list[bool]) -> None:
    """The month's complaints are counted in 受理 order, cut in the middle: its prefixes and suffixes put each
    complaint in the first half of some and the second half of others."""
    ordered = sorted(month, key=lambda c: (c.received_at, c.id))
    parts = [ordered[i:] for i in range(len(ordered) - 1)] + [ordered[:j] for j in range(2, len(ordered))]
    for part in parts:
        one = _report(monkeypatch, 10**9, complaints=part, units=())
        two = _report(monkeypatch, 2, complaints=part, units=())
        assert json.dumps(two, ensure_ascii=False) == json.dumps(one, ensure_ascii=False)
    assert delivered and all(delivered)  # (a part with fewer than two complaints of the month is not cut)
    whole = _report(monkeypatch, 10**9, complaints=month, units=())
    assert whole["warnings"] and whole["time_unknown"] if month is DECEMBER else whole["late"]


def test_below_the_minimum_or_without_a_second_core_there_is_one_part(monkeypatch: pytest.MonkeyPatch) -> None:
    assert forking.in_parts(sorted, [3, 1, 2], min_items=4) == [[1, 2, 3]]
    monkeypatch.setattr(forking, "can_fork", lambda: False)
    assert forking.in_parts(sorted, [3, 1, 2], min_items=2) == [[1, 2, 3]]


def _pid(part: list[int]) -> tuple[int, list[int]]:
    return os.getpid(), [x * x for x in part]


@needs_fork
def test_the_second_half_is_worked_out_in_another_process() -> None:
    (mine, a), (theirs, b) = forking.in_parts(_pid, list(range(10)), min_items=2)
    assert a + b == [x * x for x in range(10)]
    assert mine == os.getpid() != theirs


PARENT = os.getpid()


def _raises_in_helper(part: list[int]) -> list[int]:
    if os.getpid() != PARENT:
        raise RuntimeError("helper fails")
    return [x + 1 for x in part]


def _dies_in_helper(part: list[int]) -> list[int]:
    if os.getpid() != PARENT:
        os._exit(3)
    return [x + 1 for x in part]


def _garbage_from_helper(part: list[int]) -> object:
    if os.getpid() != PARENT:  # a class only the helper has: its pickle names what the parent cannot find
        only = type("OnlyInHelper", (), {"__module__": __name__})
        setattr(sys.modules[__name__], "OnlyInHelper", only)
        return only()
    return [x + 1 for x in part]


@needs_fork
@pytest.mark.parametrize("work", [_raises_in_helper, _dies_in_helper, _garbage_from_helper])
def test_a_failing_helper_costs_only_time(work, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(sys.modules[__name__], "PARENT", os.getpid())
    assert forking.in_parts(work, list(range(6)), min_items=2) == [[1, 2, 3], [4, 5, 6]]


@needs_fork
def test_when_this_process_fails_the_helper_is_not_left_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    pids: list[int] = []
    real = forking._fork

    def fork(work, part, made) -> bool:  # noqa: ANN001
        started = real(work, part, made)
        pids.extend(h.pid for h in made)
        return started

    monkeypatch.setattr(forking, "_fork", fork)
    parent = os.getpid()

    def work(part: list[int]) -> list[int]:
        if os.getpid() == parent:
            raise KeyboardInterrupt
        return part

    with pytest.raises(KeyboardInterrupt):
        forking.in_parts(work, list(range(6)), min_items=2)
    [pid] = pids
    with pytest.raises(ChildProcessError):  # killed and reaped: no zombie
        os.waitpid(pid, os.WNOHANG)


@needs_fork
def test_the_bulletin_of_generated_data_is_the_same_in_halves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             delivered: list[bool]) -> None:
    """End to end through `tousu report`: a few hundred generated complaints, the JSON and the terminal."""
    data = tmp_path / "data"
    make_data.generate(400, data, seed=20261202)
    shutil.copy(REPO / "rules.yaml", data / "rules.yaml")
    monkeypatch.setenv("TOUSU_CACHE_DIR", str(tmp_path / "cache"))
    runner = CliRunner()

    def report(least: int, *args: str) -> str:
        monkeypatch.setattr(forking, "HALVES_MIN", least)
        r = runner.invoke(app, ["--data", str(data), "report", "--month", "2026-07", "--at", "2026-11-20 10:00",
                                *args])
        assert r.exit_code in (0, 1), r.output
        return r.stdout

    for args in (("--format", "json"), ()):
        assert report(2, *args) == report(10**9, *args)
    assert delivered == [True, True]
    assert json.loads(report(10**9, "--format", "json"))["escalated"]["received"] > 0
