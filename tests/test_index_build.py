"""Building the index in two processes (storage/indexbuild.py) gives the index one process builds.

A refresh of many files shares the reading with a forked helper. Whatever happens to the helper —
it reads some parts, crashes at once, exits cleanly without its file, cannot be forked at all — the
index holds exactly the rows one process writes, and every command answers as the files do.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from tousu.config import rules as rules_mod
from tousu import forking
from tousu.domain.workdays import WorkCalendar
from tousu.storage import cachedir, index, indexbuild
from tousu.storage.store import Store

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
import make_data  # noqa: E402

pytestmark = pytest.mark.skipif(not forking.can_fork(), reason="the helper is forked on Linux with 2 cores")


@pytest.fixture(autouse=True)
def _index_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "MIN_FILES", 0)
    monkeypatch.setattr(index, "RACY_NS", 0)  # the files were written before the refresh began
    monkeypatch.setattr(indexbuild, "HELPER_MIN", 0)  # every refresh shares its reading ...
    monkeypatch.setattr(indexbuild, "PART", 4)  # ... in parts of 4 files
    monkeypatch.setenv("TOUSU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TOUSU_NO_INDEX", raising=False)
    cachedir.notices()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    make_data.generate(60, folder, seed=random.randrange(10**6))
    shutil.copy(REPO / "rules.yaml", folder / "rules.yaml")
    broken = sorted((folder / "complaints").rglob("TS*.yaml"))[3]  # an unreadable file has rows too
    broken.write_text(broken.read_text(encoding="utf-8").replace("history:", "history: [", 1), encoding="utf-8")
    return folder


def _build(data: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, list[tuple]], int]:
    """Build the index of `data` from nothing: its tables' rows, and how many parts the helper read."""
    store = Store(data)
    rules = rules_mod.load(data / "rules.yaml")
    cal = WorkCalendar(rules.holidays, rules.workdays)
    key = index.key_of(data / "rules.yaml", data / "org.yaml")
    helped = []
    real = indexbuild.store

    def spy(*a, **k):
        racy, n = real(*a, **k)
        helped.append(n)
        return racy, n

    monkeypatch.setattr(indexbuild, "store", spy)
    got = index._indexed(store, rules, cal, key, None, False)
    want = index.files_view(store, rules, cal)
    assert [(c.id, c.path, st) for c, st in got.items] == [(c.id, c.path, st) for c, st in want.items]
    assert (got.notes, got.problems, got.findings) == (want.notes, want.problems, want.findings)
    assert got.problems, "the broken file is reported"
    path = index.index_path(data)
    conn = sqlite3.connect(path)
    try:
        tables = {t: sorted(conn.execute(f"SELECT * FROM {t}"), key=repr) for t in ("files", "stages", "lookup", "folders")}
    finally:
        conn.close()
    assert not list(path.parent.glob("*.part-*")), "the helper's file is removed"
    shutil.rmtree(path.parent)  # the next build starts from nothing
    return tables, helped[0]


def _one_process(data: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple]]:
    with monkeypatch.context() as m:
        m.setattr(indexbuild, "HELPER_MIN", 10**9)
        tables, helped = _build(data, monkeypatch)
    assert helped == 0
    return tables


def test_a_build_shared_with_a_helper_is_the_build_of_one_process(data: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    want = _one_process(data, monkeypatch)
    real = indexbuild.rows_of

    def slow(found, ctx):  # both processes take parts: neither can finish them all before the other starts
        import time
        time.sleep(0.02)
        return real(found, ctx)

    monkeypatch.setattr(indexbuild, "rows_of", slow)
    got, helped = _build(data, monkeypatch)
    assert 0 < helped < 15  # 15 parts of 4 files: the helper read some of them, this process the others
    assert got == want


@pytest.mark.parametrize("how", ["crash at once", "crash after a part", "exit without its file", "no fork"])
def test_a_failed_helper_costs_only_time(data: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    want = _one_process(data, monkeypatch)

    def failing(queue, parts, ctx, part_file):
        if how != "crash at once":  # a part taken and read, nothing handed over
            indexbuild.rows_of(parts[int.from_bytes(os.read(queue, 4), "little")], ctx)
            os._exit(3 if how == "crash after a part" else 0)
        os.kill(os.getpid(), 9)

    monkeypatch.setattr(indexbuild, "_helper", failing)
    if how == "no fork":
        def no_fork():
            raise OSError(11, "Resource temporarily unavailable")

        monkeypatch.setattr(indexbuild.os, "fork", no_fork)
    got, helped = _build(data, monkeypatch)
    assert helped == 0 and got == want


def test_a_refresh_that_fails_ends_its_helper_and_leaves_no_file(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    me, forked, real_fork, real_rows = os.getpid(), [], indexbuild._fork, indexbuild.rows_of

    def fork(*a):
        forked.append(real_fork(*a))
        return forked[-1]

    def rows_of(found, ctx):
        if os.getpid() == me:
            raise RuntimeError("this process fails")
        return real_rows(found, ctx)

    monkeypatch.setattr(indexbuild, "_fork", fork)
    monkeypatch.setattr(indexbuild, "rows_of", rows_of)
    store = Store(data)
    rules = rules_mod.load(data / "rules.yaml")
    key = index.key_of(data / "rules.yaml", data / "org.yaml")
    with pytest.raises(RuntimeError):
        index._indexed(store, rules, WorkCalendar(rules.holidays, rules.workdays), key, None, False)
    assert forked and forked[0] is not None
    with pytest.raises(ChildProcessError):  # waited for: not left running, nor a zombie
        os.waitpid(forked[0], os.WNOHANG)
    assert not list(index.index_path(data).parent.glob("*.part-*"))


def test_a_helpers_file_left_by_a_killed_refresh_is_removed(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = index.index_path(data)
    path.parent.mkdir(parents=True)
    left = path.with_name(path.name + ".part-99999")
    left.write_bytes(b"not a database")
    store = Store(data)
    rules = rules_mod.load(data / "rules.yaml")
    key = index.key_of(data / "rules.yaml", data / "org.yaml")
    assert index._indexed(store, rules, WorkCalendar(rules.holidays, rules.workdays), key, None, False).items
    assert not left.exists() and path.exists()


def test_a_process_with_other_threads_builds_alone(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No fork where another thread runs (a program embedding tousu): the same tables from one process."""
    import threading

    want = _one_process(data, monkeypatch)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        got, helped = _build(data, monkeypatch)
    finally:
        stop.set()
        other.join()
    assert helped == 0 and got == want
