"""Issue #14 §2: an import is all or nothing even when SIGKILLed, and stray temp files are cleaned safely.

An import of 120 rows runs in a subprocess and is killed at random moments (bounded: 8 kills,
seeded: before the transaction, while it stages, after it committed); the next tousu command,
whatever it is, completes or rolls back the interrupted transaction and says so, and the data folder then holds none or all of the 120.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ORG, Cli
from openpyxl import Workbook

from tousu.storage import journal

ROWS = 120
KILLS = 8


def _data(path: Path) -> Path:
    (path / "complaints").mkdir(parents=True)
    (path / "org.yaml").write_text(ORG, encoding="utf-8")
    return path


def _workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["工单编号", "受理时间", "客户名称", "联系方式", "投诉分类", "受理内容", "受理方式"])
    for i in range(ROWS):
        ws.append([f"2511{i:06d}", f"2025-11-{1 + i // 60:02d} {9 + i % 60 // 6:02d}:{i % 6 * 10:02d}",
                   f"客户{i}", f"1380000{i:04d}", "服务态度", "态度差", "来电"])
    wb.save(path)
    return path


def _tousu(data: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.Popen([sys.executable, "-m", "tousu", "--data", str(data), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)


def _records(data: Path) -> int:
    return sum(1 for _ in (data / "complaints").rglob("TS*.yaml"))


def _leftovers(data: Path) -> list[Path]:
    return [p for p in data.rglob(".*") if p.name not in (".tousu.lock", ".tousu-ids")]


def _kill_at(data: Path, xlsx: Path, delay: float, after: str | None) -> subprocess.Popen:
    """Start an import and SIGKILL it `delay` seconds after it started, or after `after` (a path in the
    data folder: the journal, or its COMMITTED mark) appeared."""
    p = _tousu(data, "import", str(xlsx))
    if after is not None:
        deadline = time.monotonic() + 60
        while not (data / after).exists() and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
    time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=60)
    return p


def test_a_killed_import_is_none_or_all_after_the_next_command(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    xlsx = _workbook(tmp_path / "rows.xlsx")
    clean = _data(tmp_path / "clean")
    start = time.monotonic()
    p = _tousu(clean, "import", str(xlsx))
    _, err = p.communicate(timeout=120)
    took = time.monotonic() - start
    assert p.returncode == 0, err
    assert _records(clean) == ROWS
    rnd = random.Random(20261201)
    # Kills anywhere (mostly before the transaction), in its staging, and after its commit (moving in).
    committed = f"{journal.JOURNAL}/COMMITTED"
    kinds = [(None, lambda: rnd.uniform(0.2, took)), (journal.JOURNAL, lambda: rnd.uniform(0, 0.1)),
             (journal.JOURNAL, lambda: rnd.uniform(0, 0.01)), (committed, lambda: rnd.uniform(0, 0.005))]
    plan = [(k, kinds[k % 4][1](), kinds[k % 4][0]) for k in range(KILLS)]
    folders = [_data(tmp_path / f"k{k}") for k in range(KILLS)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda t: _kill_at(folders[t[0]], xlsx, t[1], t[2]), plan))
    told = []
    for k, data in enumerate(folders):
        # Any command over the data folder recovers first: here `show` of the first row's record.
        r = Cli(data)("show", "TS202511010001")
        n = _records(data)
        assert n in (0, ROWS), (k, n, r.stderr)
        assert r.exit_code == (0 if n else 2), r.output
        assert _leftovers(data) == [], (k, r.stderr)
        if "上次的导入被中断" in r.stderr:
            told.append("已完成" if n == ROWS else "已撤销")
        if k % 5 == 0:  # importing again afterwards gives all of them, once
            r = Cli(data)("import", xlsx)
            assert r.exit_code == 0 and f"新增 {ROWS - n} 件" in r.stdout, r.output
            assert _records(data) == ROWS
    assert len(told) >= KILLS // 3 and "已撤销" in told, told  # the kills did hit transactions, each was told


def test_recovery_completes_a_committed_journal_and_undoes_an_uncommitted_one(tmp_path: Path) -> None:
    from tousu.storage.store import Store

    data = _data(tmp_path / "d")
    target = data / "complaints" / "2025-11" / "TS202511030001.yaml"
    j = journal.Journal(data)
    j.begin()
    j.stage(target, "id: TS202511030001\n", new=True)
    assert Store(data).recover() == ["上次的导入被中断（未提交）：已撤销，该次导入没有写入任何记录"]
    assert not target.exists() and not (data / journal.JOURNAL).exists()
    j = journal.Journal(data)
    j.begin()
    j.stage(target, "id: TS202511030001\n", new=True)
    j.commit()  # killed here, before anything was moved in
    assert Store(data).recover() == ["上次的导入被中断（已提交）：已完成，移入 1 个记录文件"]
    assert target.read_text(encoding="utf-8") == "id: TS202511030001\n"
    assert Store(data).recover() == []


def test_stray_temp_files_are_removed_only_when_theirs_and_their_writer_is_gone(tmp_path: Path) -> None:
    from tousu.storage.store import Store

    data = _data(tmp_path / "d")
    month = data / "complaints" / "2025-11"
    month.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = int(dead.stdout)
    stray = month / f".TS202511030001.yaml.{gone}.abc123_x.tmp"
    live = month / f".TS202511030002.yaml.{os.getppid()}.def456.tmp"  # a live process (pytest's parent)
    mine = month / ".笔记.txt"  # not a tousu temp name
    other = month / f".TS202511030003.yaml.{gone}.tmp.bak"
    for p in (stray, live, mine, other):
        p.write_text("half a record", encoding="utf-8")
    assert Store(data).recover() == ["已清理 1 个被中断的 tousu 命令留下的临时文件"]
    assert not stray.exists() and live.exists() and mine.exists() and other.exists()
    found, problems = Store(data).load_all()
    assert found == [] and problems == []  # temp files are never read as records


def test_a_stray_temp_file_of_the_id_register_is_removed_too(tmp_path: Path) -> None:
    """A command killed while it wrote .tousu-ids (the highest ID of each day) leaves its temp file in the
    data folder itself, not in a month folder: the next command removes it as it removes a record's."""
    from tousu.storage.store import Store

    data = _data(tmp_path / "d")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = int(dead.stdout)
    stray = data / f"..tousu-ids.{gone}.k9x_2ab.tmp"
    live = data / f"..tousu-ids.{os.getppid()}.q1w2e3.tmp"  # a live writer's
    note = data / f"..tousu-ids.{gone}.k9x_2ab.tmp.bak"  # not a tousu temp name
    for p in (stray, live, note):
        p.write_text("TS20251103: 1\n", encoding="utf-8")
    assert Store(data).recover() == ["已清理 1 个被中断的 tousu 命令留下的临时文件"]
    assert not stray.exists() and live.exists() and note.exists()
    assert sorted(_leftovers(data)) == sorted([live, note])


def test_a_kill_while_the_finished_journal_is_deleted_leaves_nothing_to_recover(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal is renamed away before it is deleted: a kill in the deletion (here: MANIFEST gone, COMMITTED
    left, as a SIGKILL after rmtree's first removals leaves it) leaves .tousu-journal.old, which the next command
    only deletes; before, every later command failed on the half-deleted journal (无法读写 …/MANIFEST) until it
    was removed by hand, and a kill one removal later made recover say the import was undone though it was not."""
    from tousu.storage.store import Store

    data = _data(tmp_path / "d")
    target = data / "complaints" / "2025-11" / "TS202511030001.yaml"
    j = journal.Journal(data)
    j.begin()
    j.stage(target, "id: TS202511030001\n", new=True)
    j.commit()
    with monkeypatch.context() as m:
        m.setattr(journal.shutil, "rmtree", lambda p, *a, **k: (Path(p) / "MANIFEST").unlink())  # "killed" there
        j.apply()
    assert not (data / journal.JOURNAL).exists() and (data / journal.OLD / "COMMITTED").exists()
    assert Store(data).recover() == []
    assert target.read_text(encoding="utf-8") == "id: TS202511030001\n"
    assert _leftovers(data) == [] and not (data / journal.OLD).exists()

    # A link of that name, to a folder of someone else's, is only unlinked (its target kept), and the next
    # import goes through.
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "keep").mkdir(parents=True)
    (data / journal.OLD).symlink_to(elsewhere, target_is_directory=True)
    j = journal.Journal(data)
    j.begin()
    j.stage(target.with_name("TS202511030002.yaml"), "id: TS202511030002\n", new=True)
    j.commit()
    j.apply()
    assert (elsewhere / "keep").is_dir() and not (data / journal.OLD).exists()
    assert target.with_name("TS202511030002.yaml").exists() and Store(data).recover() == []
