"""The bulletin under review findings: unreadable records, --at before an assessment, the person's unit."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Cli


def assessed(cli: Cli) -> str:
    cid = cli.add(received_at="2026-11-02 09:00")
    for args in (("dispatch", cid, "--unit", "东城供电所", "--at", "2026-11-02 09:30"),
                 ("contact", cid, "--at", "2026-11-02 10:00"),
                 ("reply", cid, "--verified", "--responsible", "--cause", "态度生硬", "--process", "致歉",
                  "--at", "2026-11-03 10:00"),
                 ("assess", cid, "--rule", "attitude.poor", "--person", "孙七", "--amount", "300",
                  "--at", "2026-11-03 12:00")):
        r = cli(*args)
        assert r.exit_code == 0, r.output
    return cid


def test_penalties_carry_the_persons_unit_and_respect_at(cli: Cli) -> None:
    cid = assessed(cli)
    data = json.loads(cli("report", "--month", "2026-11", "--format", "json", "--at", "2026-11-10 00:00").stdout)
    assert [(p["id"], p["person"], p["person_unit"], p["amount"]) for p in data["penalties"]] == \
        [(cid, "孙七", "东城供电所", 300)]
    assert [(r["person"], r["due"], r["deducted"], r["carried"]) for r in data["ledger"]] == [("孙七", 300, 300, 0)]
    before = json.loads(cli("report", "--month", "2026-11", "--format", "json", "--at", "2026-11-03 11:00").stdout)
    assert before["penalties"] == [] and before["ledger"] == []


def test_an_unreadable_record_makes_the_bulletin_exit_2(cli: Cli, data_dir: Path) -> None:
    assessed(cli)
    broken = data_dir / "complaints" / "2026-11" / "TS202611050001.yaml"
    broken.write_text("id: TS202611050001\n\"[/x]\": 1\n", encoding="utf-8")
    r = cli("report", "--month", "2026-11", "--format", "json", "--at", "2026-11-10 00:00")
    assert r.exit_code == 2
    assert json.loads(r.stdout)["received"] == 1
    assert f"{broken}:2: E100 未知的键「[/x]」" in r.stderr
    assert "统计不完整" in r.stderr


def test_half_year_respects_at_and_refuses_absurd_years(cli: Cli) -> None:
    assessed(cli)
    after = json.loads(cli("report", "--half", "2026H2", "--format", "json", "--at", "2026-11-10 00:00").stdout)
    before = json.loads(cli("report", "--half", "2026H2", "--format", "json", "--at", "2026-11-03 11:00").stdout)
    assert [p["amount"] for p in after["penalties"]] == [300] and before["penalties"] == []
    r = cli("report", "--half", "9999H2")
    assert r.exit_code == 2 and "半年「9999H2」无效" in r.stderr
