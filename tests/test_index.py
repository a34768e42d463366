"""The derived index (storage/index.py) always answers what the record files answer.

Random records from bench/make_data.py, then random edits — hand edits, tousu steps,
deletes, renames, broken files, rules.yaml changes, an edit inside the racy window —
and after each the index's view must equal the view read from the files, and the
commands' output must be the same with the index and with TOUSU_NO_INDEX=1.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tousu.cli import app
from tousu.config import rules as rules_mod
from tousu.domain.deadlines import HOTLINE
from tousu.domain.model import STATES
from tousu.domain.workdays import WorkCalendar
from tousu.reports import listing, search
from tousu.reports import todo as todo_mod
from tousu.storage import cachedir, index, indexwalk
from tousu.storage import store as store_mod
from tousu.storage.store import Store

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
import make_data  # noqa: E402
from foundation_helpers import REPLY  # noqa: E402

AT = "2026-11-20 10:00"


@pytest.fixture(autouse=True)
def _index_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(index, "MIN_FILES", 0)
    monkeypatch.setenv("TOUSU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TOUSU_NO_INDEX", raising=False)
    cachedir.notices()  # none left over from another test
    return tmp_path / "cache"


@pytest.fixture
def bench_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    make_data.generate(60, data, seed=random.randrange(10**6))
    shutil.copy(REPO / "rules.yaml", data / "rules.yaml")
    return data


def _facts(c) -> tuple:
    return (c.id, c.received_at, c.channel, c.category, c.item, c.unit, c.state, c.state_zh, c.current_severity,
            c.customer, c.ref, c.content, c.path)


def _same_view(data: Path, **kw) -> index.View:
    """The index's view equals the files' view (and was answered by the index)."""
    store = Store(data)
    rules = rules_mod.load(data / "rules.yaml")
    cal = WorkCalendar(rules.holidays, rules.workdays)
    key = index.key_of(data / "rules.yaml", data / "org.yaml")
    got = index._indexed(store, rules, cal, key, kw.get("months"), kw.get("pending_only", False))
    want = index.files_view(store, rules, cal, kw.get("months"))
    if kw.get("pending_only"):
        want.items = [(c, st) for c, st in want.items if st]
    assert [(_facts(c), st) for c, st in got.items] == [(_facts(c), st) for c, st in want.items]
    assert got.notes == want.notes and got.problems == want.problems and got.findings == want.findings
    assert all(type(c) is index.Summary for c, _ in got.items)
    return got


def _run(data: Path, *args: str, off: bool = False):
    env = {"TOUSU_NO_INDEX": "1"} if off else {}
    return CliRunner(env=env).invoke(app, ["--data", str(data), "--rules", str(data / "rules.yaml"), *args],
                                     catch_exceptions=False)


COMMANDS = (("find", "139", "--format", "json", "--at", AT), ("find", "态度"), ("todo", "--at", AT),
            ("todo", "--unit", "城关供电所", "--format", "json", "--at", AT),
            ("check-overdue", "--at", AT, "--format", "json"), ("check-overdue", "--at", "2026-07-15 09:00"),
            ("list", "--format", "json", "--at", AT), ("list", "--month", "2026-07", "--at", AT),
            ("list", "--overdue", "--state", "处理中", "--format", "json", "--at", AT))


def _same_output(data: Path) -> None:
    for args in COMMANDS:
        on, off = _run(data, *args), _run(data, *args, off=True)
        assert (on.exit_code, on.stdout, on.stderr) == (off.exit_code, off.stdout, off.stderr), args


def _views(data: Path) -> None:
    assert _same_view(data).items, "an empty folder would make the comparisons say nothing"
    _same_view(data, pending_only=True)
    _same_view(data, months=[(2026, 7), (2026, 11)])
    _same_view(data, months=[(2025, 1)])


def _bytes(data: Path) -> dict[str, bytes]:
    """Every file of the folder (rules.yaml beside it included) and its bytes."""
    return {str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*.yaml"))}


def _pending_ids(data: Path) -> list[str]:
    return [c.id for c, st in _same_view(data, pending_only=True).items]


def _edit(data: Path, rng: random.Random, kind: str | None = None) -> str:
    """One random edit (of `kind`, if given); its kind, or "none" when it happened to change nothing."""
    files = sorted((data / "complaints").rglob("TS*.yaml"))
    path = rng.choice(files)
    kind = kind or rng.choice(["hand", "step", "delete", "rename", "break", "rules", "new"])
    text = path.read_text(encoding="utf-8")
    if kind == "hand":  # same length, old timestamps put back: only ctime and the bytes tell
        st = path.stat()
        path.write_text(re.sub(r"(?m)^  name: .", "  name: 改" if "name: 改" not in text else "  name: 正", text,
                               count=1), encoding="utf-8")
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    elif kind == "step":
        pending = _pending_ids(data)
        if not pending:
            return "none"  # nothing to do a step on: no edit made
        cid = rng.choice(pending)
        r = _run(data, "contact", cid, "--at", AT)
        if r.exit_code != 0:
            r = _run(data, "dispatch", cid, "--unit", "城关供电所", "--at", AT)
        if r.exit_code != 0:  # pending a review or a revisit: a 催办 is a step too
            r = _run(data, "urge", cid, "--at", AT)
        if r.exit_code != 0:
            return "none"
    elif kind == "delete":
        path.unlink()
    elif kind == "rename":  # a copy under another name: a located problem, the original gone
        path.rename(path.with_name(path.stem[:-4] + "9999.yaml"))
    elif kind == "break":
        path.write_text(text.replace("history:", "history: [", 1), encoding="utf-8")
    elif kind == "rules":
        rules = data / "rules.yaml"
        body = rules.read_text(encoding="utf-8")
        changed = re.sub(r"(reply: \{name: 答复客户, limit: )\d+", lambda m: m.group(1) + str(rng.randrange(2, 8)),
                         body)
        changed = re.sub(r"(revisit: \{name: 回访, limit: )\d+", lambda m: m.group(1) + str(rng.randrange(12, 49)),
                         changed)
        assert changed.count("limit:") == body.count("limit:") and "答复客户, limit: " in changed
        if changed == body:
            return "none"  # the same limits drawn again
        rules.write_text(changed, encoding="utf-8")
    else:
        new_id = path.stem[:-4] + str(rng.randrange(9000, 9999))  # a new record (or a located problem)
        if path.with_name(f"{new_id}.yaml").exists():
            return "none"
        path.with_name(f"{new_id}.yaml").write_text(text.replace(path.stem, new_id), encoding="utf-8")
    return kind


@pytest.mark.parametrize("seed", range(2))
def test_index_equals_files_through_random_edits(bench_data: Path, seed: int) -> None:
    rng = random.Random(seed)
    _views(bench_data)
    kinds = []
    for _ in range(8):
        before = _bytes(bench_data)
        kinds.append(_edit(bench_data, rng))
        assert (_bytes(bench_data) != before) == (kinds[-1] != "none"), kinds[-1]  # the edit was made
        _views(bench_data)
    _same_output(bench_data)
    assert len(set(kinds) - {"none"}) >= 3, kinds  # several kinds of edit, not one repeated


def test_every_kind_of_edit_is_seen(pending_data: Path) -> None:
    """Each kind of edit once. On records with something pending: a random folder of 60 has none about one
    time in five, and then no tousu step can be made (the test failed so)."""
    bench_data = pending_data
    rng = random.Random(7)
    _views(bench_data)
    for kind in ("hand", "step", "delete", "rename", "break", "rules", "new"):
        before = _bytes(bench_data)
        assert any(_edit(bench_data, rng, kind) == kind for _ in range(5)), kind
        assert _bytes(bench_data) != before, kind  # the edit of this kind changed the folder
        _views(bench_data)
    _same_output(bench_data)


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="names that are not UTF-8 are a POSIX byte-name thing")
def test_a_file_name_that_is_not_utf8_is_reported_not_a_crash(bench_data: Path) -> None:
    """SQLite keeps text; a hostile name (bytes that are not UTF-8) crashed every command with the index on.
    The answer comes from the files, the file reported as unreadable, the same as with the index off."""
    folder = os.fsencode(bench_data / "complaints" / "2026-07")
    with open(folder + b"/TS\xff\xfe.yaml", "wb") as f:
        f.write(b"id: x\n")
    for args in COMMANDS[:1] + COMMANDS[4:5] + COMMANDS[7:8]:
        on, off = _run(bench_data, *args), _run(bench_data, *args, off=True)
        assert on.exit_code == 2 and "TS\\udcff\\udcfe.yaml" in on.stderr, args
        assert (on.exit_code, on.stdout, on.stderr) == (off.exit_code, off.stdout, off.stderr), args
    r = _run(bench_data, "report", "--month", "2026-07", "--format", "json", "--at", AT)
    assert r.exit_code == 2 and "以上 1 个记录文件无法读取" in r.stderr


def test_unchanged_files_are_not_read_again(bench_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "RACY_NS", 0)  # the files were written before this refresh began
    first = _same_view(bench_data)

    def boom(*a, **k):
        raise AssertionError("a file was read although its stat key is unchanged")

    monkeypatch.setattr(index.records, "read", boom)
    store = Store(bench_data)
    rules = rules_mod.load(bench_data / "rules.yaml")
    key = index.key_of(bench_data / "rules.yaml", bench_data / "org.yaml")
    again = index._indexed(store, rules, WorkCalendar(rules.holidays, rules.workdays), key, None, False)
    assert [(_facts(c), st) for c, st in again.items] == [(_facts(c), st) for c, st in first.items]


@pytest.mark.parametrize("racy_rule", [True, False])
def test_an_edit_within_the_racy_window_is_seen(bench_data: Path, monkeypatch: pytest.MonkeyPatch,
                                                racy_rule: bool) -> None:
    """Where times are whole seconds (and ctime tells nothing), a same-size edit in the same second keeps
    the stat key: only the racy rule (an entry written that close to its refresh is not trusted) sees it."""
    real = os.stat

    class Coarse:  # whole seconds, and no ctime
        def __init__(self, st: os.stat_result) -> None:
            self.st_size, self.st_ino, self.st_ctime_ns = st.st_size, st.st_ino, 0
            self.st_mtime_ns = st.st_mtime_ns // 10**9 * 10**9

    def coarse_stat(p, dir_fd=None):
        return Coarse(real(p, dir_fd=dir_fd))

    def coarse(p: Path):
        st = coarse_stat(p)
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)

    monkeypatch.setattr(indexwalk, "_stat", coarse_stat)
    if not racy_rule:
        monkeypatch.setattr(index, "RACY_NS", -10**12)
    path = sorted((bench_data / "complaints").rglob("TS*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^  name: .", "  name: 甲", text, count=1), encoding="utf-8")
    before = coarse(path)
    names = {c.id: c.customer.name for c, _ in _same_view(bench_data).items}
    path.write_text(re.sub(r"(?m)^  name: .", "  name: 乙", text, count=1), encoding="utf-8")
    os.utime(path, ns=(before[1], before[1]))
    assert coarse(path) == before
    if racy_rule:
        names = {c.id: c.customer.name for c, _ in _same_view(bench_data).items}
        assert names[path.stem].startswith("乙")
    else:  # without it the index would keep the old name: the test above can fail
        store = Store(bench_data)
        rules = rules_mod.load(bench_data / "rules.yaml")
        key = index.key_of(bench_data / "rules.yaml", bench_data / "org.yaml")
        stale = index._indexed(store, rules, WorkCalendar(rules.holidays, rules.workdays), key, None, False)
        assert {c.id: c.customer.name for c, _ in stale.items}[path.stem].startswith("甲")


# ---- processes, broken and unusable indexes, no home ------------------------------------------


def _tousu(data: Path, *args: str, env: dict[str, str] | None = None, user: int | None = None,
           wait: bool = True):
    cmd = [sys.executable, "-m", "tousu", "--data", str(data), "--rules", str(data / "rules.yaml"), *args]
    full = {k: v for k, v in os.environ.items() if not k.startswith("TOUSU_")}
    full.update(PYTHONPATH=str(REPO / "src"), **(env or {}))
    kw = dict(env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    if user is not None:
        kw.update(user=user, group=user)
    proc = subprocess.Popen(cmd, **kw)
    return proc.communicate(timeout=120) + (proc.returncode,) if wait else proc


@pytest.fixture
def big(tmp_path: Path) -> Path:
    """Enough records for the index to be used by a real tousu process (index.MIN_FILES)."""
    data = tmp_path / "big"
    make_data.generate(210, data)
    shutil.copy(REPO / "rules.yaml", data / "rules.yaml")
    return data


ARGS = ("check-overdue", "--at", AT, "--format", "json")


def test_processes_refreshing_at_once_agree_and_leave_a_sound_index(big: Path, tmp_path: Path) -> None:
    env = {"TOUSU_CACHE_DIR": str(tmp_path / "shared-cache")}
    want = _tousu(big, *ARGS, env={"TOUSU_NO_INDEX": "1"})
    procs = [_tousu(big, *ARGS, env=env, wait=False) for _ in range(3)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert all(r == want for r in results)
    (db,) = (tmp_path / "shared-cache").rglob("index-*.sqlite")
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert _tousu(big, *ARGS, env=env) == want


def test_a_corrupt_index_gives_the_same_answer_and_is_built_again(big: Path, tmp_path: Path) -> None:
    env = {"TOUSU_CACHE_DIR": str(tmp_path / "c")}
    want = _tousu(big, *ARGS, env={"TOUSU_NO_INDEX": "1"})
    assert _tousu(big, *ARGS, env=env) == want
    (db,) = (tmp_path / "c").rglob("index-*.sqlite")
    db.write_bytes(b"SQLite format 3\0" + os.urandom(4096))
    out, err, code = _tousu(big, *ARGS, env=env)
    assert (out, code) == (want[0], want[2])
    assert err == want[1] + f"注意：索引「{db}」已损坏，已删除，下次运行时重建；本次直接读取记录文件，结果相同\n"
    assert _tousu(big, *ARGS, env=env) == want
    assert sqlite3.connect(db).execute("SELECT count(*) FROM files").fetchone()[0] == 210


def test_a_read_only_index_means_the_files(bench_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index cannot be written (as in a read-only cache folder): the files answer, said once."""
    assert _run(bench_data, *ARGS).exit_code in (0, 1)  # built
    (db,) = (tmp_path / "cache").rglob("index-*.sqlite")
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda path, **kw: connect(f"file:{path}?mode=ro", uri=True, **kw))
    victim = sorted((bench_data / "complaints").rglob("TS*.yaml"))[5]
    victim.write_text(victim.read_text(encoding="utf-8").replace("history:", "history: [", 1), encoding="utf-8")
    want = _run(bench_data, *ARGS, off=True)
    got = _run(bench_data, *ARGS)
    assert (got.exit_code, got.stdout) == (want.exit_code, want.stdout) and got.exit_code == 2
    assert got.stderr.startswith(want.stderr) and got.stderr.count(f"注意：索引「{db}」无法使用") == 1


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_means_the_files(big: Path, tmp_path: Path) -> None:
    cache = tmp_path / "ro-cache"
    env = {"TOUSU_CACHE_DIR": str(cache)}
    assert _tousu(big, *ARGS, env=env) == _tousu(big, *ARGS, env={"TOUSU_NO_INDEX": "1"})
    for p in [cache, *cache.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        (big / "complaints" / "2026-03" / "TS202603319999.yaml").write_text("id: [", encoding="utf-8")
        want = _tousu(big, *ARGS, env={"TOUSU_NO_INDEX": "1"})
        out, err, code = _tousu(big, *ARGS, env=env)
        assert (out, code) == (want[0], want[2])
        assert err.startswith(want[1]) and err.count("注意：索引") == 1
    finally:
        for p in [cache, *cache.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)


NO_PASSWD = """\
import pwd, sys
def nobody(uid):
    raise KeyError(f"getpwuid(): uid not found: {uid}")
pwd.getpwuid = nobody
from tousu.cli import main
sys.argv[0] = "tousu"
main()
"""


def test_no_home_directory_means_the_files_with_one_warning(big: Path) -> None:
    """cron under a service account: HOME unset and the uid not in /etc/passwd (getpwuid fails)."""
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME") and not k.startswith("TOUSU_")}
    env.update(PYTHONPATH=str(REPO / "src"))
    cmd = [sys.executable, "-c", NO_PASSWD, "--data", str(big), "--rules", str(big / "rules.yaml"), *ARGS]
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, encoding="utf-8")
    off = subprocess.run(cmd, env={**env, "TOUSU_NO_INDEX": "1", "TOUSU_NO_CACHE": "1"},
                         capture_output=True, text=True, encoding="utf-8")
    assert (run.returncode, run.stdout) == (off.returncode, off.stdout) and run.returncode == 1
    assert "Traceback" not in run.stderr and off.stderr == ""
    assert run.stderr == f"注意：{cachedir.NO_HOME}\n"
def test_no_home_directory_in_process(bench_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pwd

    want = _run(bench_data, *ARGS, off=True)
    for name in ("HOME", "TOUSU_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)

    def nobody(uid: int):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", nobody)
    got = _run(bench_data, *ARGS)
    assert (got.exit_code, got.stdout) == (want.exit_code, want.stdout)
    assert got.stderr == want.stderr + f"注意：{cachedir.NO_HOME}\n"


def test_the_walk_sees_the_files_the_store_reads(data_dir: Path) -> None:
    folder = data_dir / "complaints" / "2026-11"
    folder.mkdir()
    for name in ("TS202611020002.yaml", "TS202611020001.yaml", "TS.yaml", "ts202611020003.yaml", "TS1.yml",
                 ".TS2.yaml", "TSx.yaml.bak", "TS202611020001 - 副本.yaml"):
        (folder / name).write_text("id: x\n", encoding="utf-8")
    (folder / "TSdir.yaml").mkdir()
    (data_dir / "complaints" / ".hidden").mkdir()
    (data_dir / "complaints" / ".hidden" / "TS202611020009.yaml").write_text("id: x\n", encoding="utf-8")
    (data_dir / "complaints" / "notes.txt").write_text("x", encoding="utf-8")
    store = Store(data_dir)
    for months in (None, [(2026, 11), (2026, 10)]):
        walk = indexwalk.walk_of(store, months)
        assert [store.complaints / f / n for f, listing in walk.items() for n in listing.names] == store.paths(months)


def _listings_taken(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the month folders the walk lists itself (not taking Store.recover's listing)."""
    real, listed = os.listdir, []

    def counting(d):
        if isinstance(d, int):  # the walk lists the open folder
            listed.append(d)
        return real(d)

    monkeypatch.setattr(indexwalk.os, "listdir", counting)
    return listed


def test_the_walk_takes_the_listing_recover_just_made(bench_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(bench_data)
    assert store.recover() == []
    listed = _listings_taken(store, monkeypatch)
    walk = indexwalk.walk_of(store, None)
    assert listed == [] and walk
    assert [store.complaints / f / n for f, w in walk.items() for n in w.names] == store.paths()
    indexwalk.walk_of(store, None)  # taken once: the next walk lists for itself
    assert len(listed) == len(walk)


@pytest.mark.parametrize("between", ["a file removed", "a write", "time"])
def test_the_walk_lists_again_what_recovers_listing_may_not_say(bench_data: Path, monkeypatch: pytest.MonkeyPatch,
                                                                between: str) -> None:
    """A file removed since recover() listed its folder, a file added by this process's write (Store.lock), or
    a listing older than LISTED_S: the walk lists the folder itself, and sees what is there now."""
    store = Store(bench_data)
    assert store.recover() == []
    first = sorted((bench_data / "complaints").rglob("TS*.yaml"))[0]
    changed = first if between == "a file removed" else first.with_name(first.stem[:-4] + "9999.yaml")
    if between == "a file removed":
        first.unlink()
    elif between == "a write":
        with store.lock():
            shutil.copy(first, changed)
    else:
        monkeypatch.setattr(store_mod, "LISTED_S", 0.0)
        shutil.copy(first, changed)
    listed = _listings_taken(store, monkeypatch)
    walk = indexwalk.walk_of(store, None)
    assert (changed.name in walk[first.parent.name].names) is changed.exists()
    assert [store.complaints / f / n for f, w in walk.items() for n in w.names] == store.paths()
    assert listed, "listed again"
    assert -1 not in [k for w in walk.values() for k in w.keys]


# ---- narrowed queries: the SQL keeps every complaint the report function keeps ----------------


def _kit(data: Path):
    rules = rules_mod.load(data / "rules.yaml")
    return Store(data), rules, WorkCalendar(rules.holidays, rules.workdays), index.key_of(data / "rules.yaml",
                                                                                             data / "org.yaml")


def _both(data: Path, narrow: index.Narrow, months=None, pending_only: bool = False, memo: dict | None = None):
    """The narrowed index's view and the files' view (whose notes and problems it must equal); `memo` keeps
    the files' view of each months between the calls of one test (the files do not change in between)."""
    store, rules, cal, key = _kit(data)
    got = index._indexed(store, rules, cal, key, months, pending_only, narrow)
    memo = {} if memo is None else memo
    mk = (None if months is None else tuple(months))
    want = memo[mk] if mk in memo else memo.setdefault(mk, index.files_view(store, rules, cal, months))
    assert all(type(c) is index.Summary for c, _ in got.items)
    assert got.notes == want.notes and got.problems == want.problems
    return got, want, rules, cal


ODD = {  # how people type a customer's keys (domain/phones.py, reports/search.py), and a query that finds each
    "phone": ("'+86 139-0012-3456'", ["0012 3456", "+86 13900123456", "(139) 0012-3456", "008613900123456"]),
    "account": ("'0012345678'", ["12345678", "0012345678", "２３４５６", "000012345678"]),  # zeros lost or added
    "name": ("ＡＢＣ王", ["abc", "ＡＢＣ王", "c王"]),
    "address": ("幸福路 ８８号", ["88号", "幸福路 8"]),
}


def _odd_records(data: Path) -> list[str]:
    """Hand-written keys on four records, a 95598 工单编号 on a fifth, words in a sixth's 诉求内容; two voided."""
    files = sorted((data / "complaints").rglob("TS*.yaml"))
    for path, (field, (value, _)) in zip(files, ODD.items()):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(rf"(?m)^  {field}: .*$", f"  {field}: {value}", text, count=1), encoding="utf-8")
    text = files[4].read_text(encoding="utf-8")
    files[4].write_text(text.replace("\nreceived_at:", "\nref: 'GD2026Ab0099'\nreceived_at:", 1), encoding="utf-8")
    text = files[5].read_text(encoding="utf-8")
    files[5].write_text(re.sub(r"(?m)^content: .*$", "content: 停电三天 TEST", text, count=1), encoding="utf-8")
    for path in files[6:8]:
        assert _run(data, "void", path.stem, "--reason", "重复受理", "--at", AT).exit_code == 0
    return [p.stem for p in files[:6]]


def _queries(data: Path, rng: random.Random) -> list[str]:
    """Queries taken from random records: phone tails and punctuated forms, 户号, names, addresses, IDs, words."""
    store = Store(data)
    complaints, _ = store.load_all()
    out = []
    for c in rng.sample(complaints, 6):
        d = c.customer.phone
        out += [d[-4:], f"+86 {d[:3]}-{d[3:7]}-{d[7:]}", c.customer.account, c.customer.name[1:], c.id.lower(),
                c.customer.address or c.customer.name, " ".join(reversed(c.content.split("，")[:2]))]
    return out


def test_find_narrowed_in_sql_keeps_what_the_files_find(bench_data: Path) -> None:
    """find by phone (any punctuation, +86), 户号 (zeros lost), name (full width), ref, ID, address, words."""
    odd = _odd_records(bench_data)
    queries = [q for _, qs in ODD.values() for q in qs] + ["gd2026ab", "GD2026AB0099", "三天", "test 停电", "话 停电"]
    queries += _queries(bench_data, random.Random(5)) + ["", "  ", "139", "0", "00", "不存在的词", "TS2026"]
    found, memo = set(), {}
    for q in queries:
        got, want, rules, cal = _both(bench_data, search.narrow(q), memo=memo)
        rows = search.find_stages(got.items, q, rules, cal, make_data.AS_OF)
        assert rows == search.find_stages(want.items, q, rules, cal, make_data.AS_OF), q
        assert {c.id for c, _ in got.items} == {r["id"] for r in rows}, q  # exact: nothing else decoded
        found |= {r["id"] for r in rows}
    assert set(odd) <= found


def test_list_narrowed_in_sql_keeps_what_the_files_list(bench_data: Path) -> None:
    _odd_records(bench_data)
    now = make_data.AS_OF
    complaints, _ = Store(bench_data).load_all()
    units = sorted({c.unit for c in complaints if c.unit}) + ["没有的单位"]
    kinds = sorted({c.category for c in complaints} | {c.item for c in complaints})
    filters = [listing.Filters()] + [listing.Filters(unit=u) for u in units]
    filters += [listing.Filters(state=s) for s in STATES] + [listing.Filters(category=k) for k in kinds]
    filters += [listing.Filters(unit=units[0], state="archived", category=kinds[0]),
                listing.Filters(state="dispatched", only_overdue=True), listing.Filters(unit=units[1], only_overdue=True)]
    seen, memo = 0, {}
    for f in filters:
        for months in (None, [(2026, 7)], [(2026, 3), (2026, 11)]):
            got, want, _, _ = _both(bench_data, listing.narrow(f), months, memo=memo)
            rows = listing.select(got.items, f, now)
            assert [(_facts(c), n) for c, n in rows] == [(_facts(c), n) for c, n in listing.select(want.items, f, now)]
            if not f.only_overdue:
                assert len(got.items) == len(rows), f  # exact: nothing else decoded
            seen += bool(rows)
    assert seen > len(filters)


@pytest.fixture
def pending_data(tmp_path: Path) -> Path:
    """Generated records with complaints in several open states (this seed has some dispatched and reviewed)."""
    data = tmp_path / "pending"
    make_data.generate(60, data, seed=2)
    shutil.copy(REPO / "rules.yaml", data / "rules.yaml")
    return data


def test_todo_narrowed_in_sql_keeps_what_the_files_owe(pending_data: Path) -> None:
    bench_data = pending_data
    _odd_records(bench_data)
    complaints, _ = Store(bench_data).load_all()
    cid = next(c.id for c in complaints if c.state == "dispatched")  # replied: 营销部 owes review and revisit
    _run(bench_data, "contact", cid, "--at", AT)  # unless contacted already
    assert _run(bench_data, "reply", cid, *REPLY, "--at", "2026-11-20 11:00").exit_code == 0
    units = {c.unit for c in complaints if c.unit}
    wanted_sets = [todo_mod.owners_for(u, None) for u in [None, *units, todo_mod.MARKETING, HOTLINE, "没有的单位"]]
    owed = set()
    for wanted in wanted_sets + [{todo_mod.MARKETING}, {HOTLINE}, set()]:
        got, want, rules, cal = _both(bench_data, todo_mod.narrow(wanted), pending_only=True)
        rows = todo_mod.todo_stages(got.items, wanted, rules, cal, make_data.AS_OF)
        assert rows == todo_mod.todo_stages(want.items, wanted, rules, cal, make_data.AS_OF), wanted
        if wanted is not None and wanted in wanted_sets:  # exact for the owners a command asks for
            assert len(got.items) == len({r["id"] for r in rows}), wanted
        owed |= {(r["owner"], r["stage"]) for r in rows}
    assert {(todo_mod.MARKETING, "review")} <= owed and any(owner in units for owner, _ in owed)


def test_narrowed_commands_say_what_the_files_say(bench_data: Path) -> None:
    _odd_records(bench_data)
    for args in (("find", "0012 3456", "--at", AT), ("find", "abc", "--format", "json", "--at", AT),
                 ("find", "gd2026ab", "--at", AT), ("list", "--state", "已作废", "--at", AT),
                 ("list", "--unit", "城关供电所", "--category", "服务态度", "--format", "json", "--at", AT),
                 ("list", "--month", "2026-07", "--state", "已归档", "--format", "json", "--at", AT),
                 ("todo", "--unit", "95598班", "--format", "json", "--at", AT), ("todo", "--unit", "市场营销部", "--at", AT)):
        on, off = _run(bench_data, *args), _run(bench_data, *args, off=True)
        assert (on.exit_code, on.stdout, on.stderr) == (off.exit_code, off.stdout, off.stderr), args


def test_an_unchanged_month_folder_is_not_compared_file_by_file(bench_data: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Each folder's listing hashes to the digest stored with it: an unchanged folder is skipped whole, a
    touched one is compared (and only its changed file read), a new empty folder or a removed one is seen."""
    monkeypatch.setattr(index, "RACY_NS", 0)  # the files were written before the refresh began
    store, _, _, _ = _kit(bench_data)
    _same_view(bench_data)
    conn = sqlite3.connect(index.index_path(store.root))

    def stale() -> indexwalk.Stale:
        return indexwalk.stale(conn, False, indexwalk.walk_of(store, None), None)

    assert not stale()
    path = sorted((bench_data / "complaints").rglob("TS*.yaml"))[3]
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns - 10**9))  # the past: not racy
    st = path.stat()
    assert stale() == indexwalk.Stale(False, [(path.parent.name, path.name, (st.st_size, st.st_mtime_ns,
                                                                            st.st_ctime_ns, st.st_ino))],
                                      [], [path.parent.name])
    _same_view(bench_data)
    assert not stale()
    (bench_data / "complaints" / "2026-12").mkdir()  # empty: nothing to store, no write
    assert not stale()
    shutil.rmtree(path.parent)
    gone = stale()
    assert gone.folders == [path.parent.name] and len(gone.gone) > 1 and not gone.changed
    _same_view(bench_data)
    assert not stale()


def test_an_index_of_an_earlier_format_is_deleted_when_the_new_one_is_made(bench_data: Path, _index_on: Path) -> None:
    store = Store(bench_data)
    path = index.index_path(store.root)
    path.parent.mkdir(parents=True)
    old = [path.with_name(n) for n in ("index-1.sqlite", "index-1.sqlite-wal", "index-1.sqlite-shm")]
    for p in old:
        p.write_bytes(b"old")
    _same_view(bench_data)
    assert path.exists() and not any(p.exists() for p in old)
    assert sorted(p.name for p in path.parent.glob("index-*")) == sorted(p.name for p in path.parent.glob(
        f"{path.name}*"))
