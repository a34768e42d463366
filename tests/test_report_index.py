"""The monthly bulletin reads, of the months before its window, only the files with an assessment (and the
unreadable ones), as the index (storage/index.py) names them; without the index it reads every file of those
months. The answer must be the same either way, also after an assessment is registered on an old record."""

from __future__ import annotations

import json
import os
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
