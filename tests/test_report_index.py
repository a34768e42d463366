"""The monthly bulletin reads, of the months before its window, only the files with an assessment (and the
unreadable ones), as the index (storage/index.py) names them; without the index it reads every file of those
months. The answer must be the same either way, also after an assessment is registered on an old record."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import Cli
from tousu.config import rules as rules_mod
from tousu.domain.workdays import WorkCalendar
from tousu.storage import cachedir, index, parsecache
from tousu.storage.store import Store

AT = "2026-07-31 18:00"


@pytest.fixture(autouse=True)
def _index_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUSU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TOUSU_NO_INDEX", raising=False)
    cachedir.notices()


def _counted(cli: Cli, received: str, unit: str = "城关供电所") -> str:
    cid = cli.add(received_at=f"{received} 09:00")
    for args in (("dispatch", cid, "--unit", unit, "--at", f"{received} 09:30"),
                 ("contact", cid, "--at", f"{received} 14:00"),
                 ("reply", cid, "--verified", "--responsible", "--cause", "态度生硬", "--process", "致歉",
                  "--at", f"{received} 16:00")):
        r = cli(*args)
        assert r.exit_code == 0, r.output
    return cid


def _assess(cli: Cli, cid: str, at: str, amount: str = "500") -> None:
    r = cli("assess", cid, "--rule", "attitude.poor", "--person", "孙七", "--amount", amount, "--at", at)
    assert r.exit_code == 0, r.output


def _report(cli: Cli, monkeypatch: pytest.MonkeyPatch, off: bool) -> tuple[int, str, str]:
    with monkeypatch.context() as m:
        if off:
            m.setenv("TOUSU_NO_INDEX", "1")
        r = cli("report", "--month", "2026-07", "--format", "json", "--at", AT)
    return r.exit_code, r.stdout, r.stderr


def _chosen(data: Path) -> list[str]:
    rules = rules_mod.load(rules_mod.builtin_path())
    key = index.key_of(rules_mod.builtin_path(), data / "org.yaml")
    paths = index.ledger_files(Store(data), rules, WorkCalendar(rules.holidays, rules.workdays), key,
                               [(2025, 1), (2025, 2), (2025, 3)])
    return [p.name for p in paths]


def test_the_ledger_reads_only_assessed_old_records_and_answers_as_the_files(
        cli: Cli, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    org = data_dir / "org.yaml"  # 孙七 with 20 of 绩效 a month: 140 of a 500 fine of January 2025 still due in July 2026
    org.write_text(org.read_text(encoding="utf-8").replace("monthly_performance: 300", "monthly_performance: 20"),
                   encoding="utf-8")
    fined = _counted(cli, "2025-01-06")
    _assess(cli, fined, "2025-01-10 10:00")
    later = _counted(cli, "2025-02-03")  # counted, not assessed (yet)
    cli.add(received_at="2025-03-03 09:00")
    broken = data_dir / "complaints" / "2025-02" / "TS202502030099.yaml"
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    _counted(cli, "2026-07-06")

    on, off = _report(cli, monkeypatch, False), _report(cli, monkeypatch, True)
    assert on == off
    assert on[0] == 2 and "TS202502030099.yaml" in on[2]  # the unreadable old file is still reported
    assert _chosen(data_dir) == [f"{fined}.yaml", broken.name]  # read in full: these two, not all four
    carried = json.loads(on[1])["ledger"]
    assert [(x["person"], x["carried_in"]) for x in carried] == [("孙七", 140)]

    _assess(cli, later, "2026-07-15 10:00")  # an assessment registered now on a record of last February
    assert _chosen(data_dir) == [f"{fined}.yaml", later + ".yaml", broken.name]
    on, off = _report(cli, monkeypatch, False), _report(cli, monkeypatch, True)
    assert on == off
    assert [p["id"] for p in json.loads(on[1])["penalties"]] == [later]  # filed under the month it was recorded


def test_loading_some_files_of_a_month_keeps_the_parse_cache_of_the_others(
        cli: Cli, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsecache, "MIN_FILES", 0)
    ids = [cli.add(received_at=f"2025-01-0{d} 09:00") for d in (6, 7, 8)]
    store = Store(data_dir)
    store.load_all([(2025, 1)])
    shard = parsecache._folder(data_dir) / "2025-01.json"
    assert set(json.loads(shard.read_text(encoding="utf-8"))["records"]) == {f"{i}.yaml" for i in ids}
    found, problems = store.load_files([store.path_for(ids[1])])
    assert [c.id for c in found] == [ids[1]] and problems == []
    assert set(json.loads(shard.read_text(encoding="utf-8"))["records"]) == {f"{i}.yaml" for i in ids}
    os.remove(store.path_for(ids[0]))
    store.load_all([(2025, 1)])  # a whole month's load drops the entry of a file gone
    assert set(json.loads(shard.read_text(encoding="utf-8"))["records"]) == {f"{i}.yaml" for i in ids[1:]}


def _counts(cli: Cli, monkeypatch: pytest.MonkeyPatch, at: str) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    outs = []
    for off in (False, True):
        with monkeypatch.context() as m:
            if off:
                m.setenv("TOUSU_NO_INDEX", "1")
            r = cli("report", "--month", "2026-07", "--format", "json", "--at", at)
        outs.append((r.exit_code, r.stdout, r.stderr))
    return outs[0], outs[1]


def test_the_trend_counts_what_the_index_tallies_as_the_files_do(
        cli: Cli, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The 12-month trend, 环比 and 同比 take the records of their months from the index's tallies when
    nothing can change their counts any more; a record with a step after --at, a 催办 in the report month,
    a void, an unknown value (a note) or a finding must count exactly as when every file is read."""
    for m, d in ((1, 6), (3, 3), (5, 6), (5, 7)):
        _counted(cli, f"2026-0{m}-0{d}")
    cli.add(received_at="2026-02-03 09:00")  # received, not 属实: received but not counted
    cli.add(received_at="2025-07-07 09:00")  # 同比
    voided = cli.add(received_at="2026-04-06 09:00")
    assert cli("void", voided, "--reason", "重复受理", "--at", "2026-04-06 10:00").exit_code == 0
    old = cli.add(received_at="2025-05-05 09:00")  # before the trend and 同比: still pending, urged in July
    r = cli("dispatch", old, "--unit", "城关供电所", "--at", "2025-05-05 09:30")
    assert r.exit_code == 0, r.output
    assert cli("urge", old, "--at", "2026-07-09 10:00").exit_code == 0
    urged = cli.add(received_at="2026-03-02 09:00")
    r = cli("dispatch", urged, "--unit", "城关供电所", "--at", "2026-03-02 09:30")
    assert r.exit_code == 0, r.output
    assert cli("urge", urged, "--at", "2026-07-08 10:00").exit_code == 0  # a 催办 of July on a March record
    _counted(cli, "2026-06-01")  # counted only from 06-01 16:00: later than one --at below
    noted = cli.add(received_at="2026-05-11 09:00")
    path = data_dir / "complaints" / "2026-05" / f"{noted}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("服务态度", "服务太度"), encoding="utf-8")  # a note
    _counted(cli, "2026-07-06")

    for at in (AT, "2026-06-01 15:00"):
        on, off = _counts(cli, monkeypatch, at)
        assert on == off, at
    data = json.loads(_counts(cli, monkeypatch, AT)[0][1])
    trend = {t["month"]: (t["received"], t["counted"]) for t in data["trend"]}
    assert trend["2026-01"] == (1, 1) and trend["2026-02"] == (1, 0) and trend["2026-04"] == (0, 0)
    assert trend["2026-05"] == (3, 2) and trend["2026-06"] == (1, 1)
    assert data["year_on_year"]["received"]["previous"] == 1
    assert data["urges_total"] == 2  # the March one and the one of May 2025
    early = json.loads(_counts(cli, monkeypatch, "2026-06-01 15:00")[0][1])
    assert {t["month"]: t["counted"] for t in early["trend"]}["2026-06"] == 0  # not yet 属实 at 15:00
    assert "服务太度" in _counts(cli, monkeypatch, AT)[0][2]  # the tallied record's note is still printed

    rules = rules_mod.load(rules_mod.builtin_path())
    key = index.key_of(rules_mod.builtin_path(), data_dir / "org.yaml")
    july = datetime(2026, 7, 1, tzinfo=timezone(timedelta(hours=8)))
    picked = index.count_files(Store(data_dir), rules, WorkCalendar(rules.holidays, rules.workdays), key,
                               [(2026, m) for m in range(1, 7)], july)
    assert [p.stem for p in picked.paths] == [urged]  # read in full: only the one with a July event
    # 4 settled, the one not 属实, the voided, the late and the noted one (the index knows its note)
    assert len(picked.tallies) == 4 + 4 and sum(t.voided for t in picked.tallies) == 1


def test_the_repeat_window_is_tallied_with_its_customers_and_answers_as_the_files(
        cli: Cli, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The months of the repeat window before the report month are counted, not read: the index keeps each
    record's customer keys (户号, phone digits) and 投诉项, so a July complaint repeating a June one is found
    as when every file is read; a June record urged in July is still read in full (its 催办 counts)."""
    first = cli.add(received_at="2026-06-20 09:00", phone="139-1234-5678", account="0012345")
    second = cli.add(received_at="2026-06-22 09:00", phone="13800000000", item="抄表质量")  # another customer
    other = cli.add(received_at="2026-06-25 09:00", phone="13700000000", account="0099")
    r = cli("dispatch", other, "--unit", "城关供电所", "--at", "2026-06-25 09:30")
    assert r.exit_code == 0, r.output
    assert cli("urge", other, "--at", "2026-07-02 10:00").exit_code == 0
    again = cli.add(received_at="2026-07-06 09:00", phone="13912345678", account="9999")
    by_account = cli.add(received_at="2026-07-07 09:00", phone="13600000000", account="0099")

    on, off = _counts(cli, monkeypatch, AT)
    assert on == off
    data = json.loads(on[1])
    assert [(x["id"], x["previous_id"], x["match"]) for x in data["repeats"]] == [
        (again, first, "电话"), (by_account, other, "户号")]
    assert data["urges_total"] == 1

    rules = rules_mod.load(rules_mod.builtin_path())
    key = index.key_of(rules_mod.builtin_path(), data_dir / "org.yaml")
    july = datetime(2026, 7, 1, tzinfo=timezone(timedelta(hours=8)))
    picked = index.count_files(Store(data_dir), rules, WorkCalendar(rules.holidays, rules.workdays), key,
                               [(2026, 6)], july)
    assert [p.stem for p in picked.paths] == [other]  # read in full: only the one urged in July
    assert sorted(t.id for t in picked.tallies) == sorted([first, second])
