"""A derived index of the record files in SQLite, so that a province's folder answers in about a second.

One index per data folder per user, in the user's cache folder beside the parse
cache (storage/cachedir.py): never in the data folder and never the truth. Per
record file it keeps the file's stat key, the record's summary facts, its
problems or rule notes, and every stage clock; `check-overdue`, `list` and the
bulletin's selection of assessed records ask it instead of reading every file.

Freshness as git's index: a file is read again only when its stat key (size,
mtime_ns, ctime_ns, inode) changed, or when it was modified within RACY_NS of
the refresh that read it ("racily clean": a second edit in the same clock tick
could keep the key, so such an entry is never trusted). New, removed and
renamed files are seen by the walk; a month folder whose listing and stat keys
hash to what the last refresh stored for it is not compared file by file. rules.yaml, org.yaml, the working-day
calendar's release and tousu's own code are the index's key: a change of any
re-derives everything. A file is stat'ed before it is read, so a write racing
with a refresh at worst costs a read next time.

SQLite in WAL mode, one transaction per refresh: readers never block writers,
two processes refreshing at once only serialise. A corrupt index is removed
(the next run rebuilds it); a corrupt, locked or unwritable index, or no cache
folder at all, means answering from the files (`Unavailable`) with identical
answers. `TOUSU_NO_INDEX=1` turns it off; folders of fewer than MIN_FILES
records do without.

A query may be narrowed (`Narrow`: list's filters, todo's owners, find's text) to the
rows its report function could keep, in SQL over columns kept for that; the report
function (listing.select, todo.todo_stages, search.find_stages) still decides, so the
answer is the files' answer.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tousu.config.rules import Rules
from tousu.domain.deadlines import Stage, stages
from tousu.domain.lifecycle import rule_problems
from tousu.domain.workdays import WorkCalendar
from tousu.errors import Problem
from tousu.storage import cachedir, indexbuild, records  # noqa: F401 - records: tests watch its reads
from tousu.storage.indexquery import EVERYTHING, Narrow, in_folders, narrowing
from tousu.storage.indexwalk import UnnamableFile, Walk, stale, walk_of
from tousu.storage.indexrows import (Summary, Tally, decode_problems, decode_stage, decode_summary, decode_tally,
                                     tally_count, tally_last, tally_of, tally_values)
from tousu.storage.store import Store

MIN_FILES = 200
"""Below this many record files the files are read directly (well under 0.1 s)."""

RACY_NS = 2_000_000_000
"""A file modified this close to (or after) the start of a refresh is re-read next time (FAT: 2 s ticks)."""

BUSY_MS = 10_000
"""How long a refresh waits for another process's refresh before answering from the files."""

_FORMAT = "tousu-index-7"  # 3: `findings` per file (tousu check's, printed by every loader); 4: `tally`;
# 5: the 催办 in the summary (todo shows them); 6: the tally's ID, 投诉项 and customer keys (重复投诉);
# 7: lookup.keys (find's keys in one text)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS folders (folder TEXT PRIMARY KEY, digest TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files (
    folder TEXT NOT NULL, name TEXT NOT NULL,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, ino INTEGER NOT NULL,
    problems TEXT, notes TEXT, summary TEXT, assessed INTEGER NOT NULL DEFAULT 0,
    unit TEXT, state TEXT, category TEXT, item TEXT, findings TEXT, tally TEXT,
    PRIMARY KEY (folder, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stages (
    folder TEXT NOT NULL, name TEXT NOT NULL, ord INTEGER NOT NULL, pending INTEGER NOT NULL, data TEXT NOT NULL,
    stage_key TEXT NOT NULL, owner TEXT NOT NULL,
    PRIMARY KEY (folder, name, ord)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lookup (
    folder TEXT NOT NULL, name TEXT NOT NULL, phone_digits TEXT NOT NULL, account TEXT NOT NULL,
    account0 TEXT NOT NULL, ref TEXT, id TEXT NOT NULL, cname TEXT NOT NULL, address TEXT NOT NULL,
    content TEXT NOT NULL, keys TEXT NOT NULL,
    PRIMARY KEY (folder, name)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pending_stages ON stages (pending, owner, folder, name);
CREATE INDEX IF NOT EXISTS files_notes ON files (folder, name) WHERE notes IS NOT NULL;
CREATE INDEX IF NOT EXISTS files_problems ON files (folder, name) WHERE problems IS NOT NULL;
CREATE INDEX IF NOT EXISTS files_findings ON files (folder, name) WHERE findings IS NOT NULL;
"""
_TABLES = ("files", "stages", "lookup")
"""The tables with a row (or rows) per record file."""


class Unavailable(Exception):
    """No index this time (off, too small, no cache folder, corrupt, locked, unwritable): read the files."""


Item = tuple[Any, list[Stage]]  # (a Complaint or a Summary, its pending stages)
__all__ = ["EVERYTHING", "Item", "Narrow", "Summary", "Unavailable", "View", "files_view", "key_of", "ledger_files",
           "view"]


@dataclass
class View:
    """What a query needs: each complaint with its pending stages, the rule notes, the unreadable files,
    and what `tousu check` finds beyond the notes (storage/findings.py: warnings, stderr only)."""

    items: list[Item]
    notes: list[Problem]
    problems: list[Problem]
    findings: list[Problem] = field(default_factory=list)


# ---- where, and which version of everything ----------------------------------------------


def enabled() -> bool:
    return os.environ.get("TOUSU_NO_INDEX", "") in ("", "0")


def _code_version() -> str:
    """tousu's version and code, Python's, chinese_calendar's (the calendar's release)."""
    import tousu
    from tousu.domain import workdays

    h = hashlib.blake2b(f"{_FORMAT} {tousu.__version__} {sys.version}".encode(), digest_size=16)
    h.update(workdays.calendar_release().encode())
    for path in sorted(Path(tousu.__file__).parent.rglob("*")):
        if path.suffix in (".py", ".yaml"):
            h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def key_of(rules_path: Path, org_path: Path) -> str:
    """What every derived row depends on: rules.yaml, org.yaml and the code (cf. `_code_version`)."""
    h = hashlib.blake2b(_code_version().encode(), digest_size=16)
    for p in (rules_path, org_path):
        try:
            h.update(p.read_bytes())
        except OSError:
            h.update(b"\0missing")
    return h.hexdigest()


def index_path(root: Path) -> Path | None:
    home = cachedir.home()
    if home is None:
        return None
    key = hashlib.blake2b(str(Path(root).resolve()).encode("utf-8"), digest_size=8).hexdigest()
    return home / key / f"index-{_FORMAT.rsplit('-', 1)[1]}.sqlite"


# ---- answering -----------------------------------------------------------------------------


def view(store: Store, rules: Rules, cal: WorkCalendar, key: str,
         months: Iterable[tuple[int, int]] | None = None, pending_only: bool = False,
         narrow: Narrow = EVERYTHING) -> View:
    """Every complaint (of `months`) with its pending stages, the rule notes and the unreadable files.

    From the index where it can be used, else from the files: the same answer either way.
    `pending_only` leaves out the complaints with nothing pending (check-overdue has no use for them);
    the index may leave out, too, the complaints `narrow` says the caller's report function drops.
    """
    months = None if months is None else sorted(set(months))
    try:
        return _indexed(store, rules, cal, key, months, pending_only, narrow)
    except Unavailable:
        return files_view(store, rules, cal, months)


def files_view(store: Store, rules: Rules, cal: WorkCalendar,
               months: Iterable[tuple[int, int]] | None = None) -> View:
    """The view read from the record files (what the index must always equal)."""
    from tousu.storage import findings

    complaints, problems = store.load_all(months)
    items: list[Item] = [(c, [s for s in stages(c, rules, cal) if s.pending]) for c in complaints]
    return View(items, [p for c in complaints for p in rule_problems(c, rules)], problems,
                findings.of_all(complaints, rules))


def _indexed(store: Store, rules: Rules, cal: WorkCalendar, key: str,
             months: list[tuple[int, int]] | None, pending_only: bool, narrow: Narrow = EVERYTHING) -> View:
    if not enabled():
        raise Unavailable("off")
    walk = _walk(store, months)
    if sum(len(w.names) for w in walk.values()) < MIN_FILES and months is None:
        raise Unavailable("small")
    folders = None if months is None else sorted(set(walk) | {_folder_name(m) for m in months})
    with _fresh(store, rules, cal, key, walk, folders) as conn:
        return _query(conn, store, folders, pending_only, narrow)


def _walk(store: Store, months: list[tuple[int, int]] | None) -> Walk:
    try:
        return walk_of(store, months)
    except UnnamableFile as exc:  # a name that is not text: SQLite cannot keep it, the files' path reports it
        raise Unavailable(str(exc)) from None


@contextmanager
def _fresh(store: Store, rules: Rules, cal: WorkCalendar, key: str, walk: Walk,
           folders: list[str] | None) -> Iterator[Any]:
    """The index, refreshed for `walk`'s folders (for everything when its key changed), open for a query;
    `Unavailable` when it cannot be used (corrupt: removed; unwritable: said once; locked: silent)."""
    key = f"{key} {store.max_record_bytes}"  # a record's size limit decides what is a problem
    path = index_path(store.root)
    if path is None:
        raise Unavailable("no cache folder")
    import sqlite3

    conn = None
    try:
        conn = _connect(path, store.root)
        if _meta(conn, "key") != key and folders is not None:
            _refresh(conn, store, rules, cal, key, _walk(store, None), None)  # everything is derived again
        else:
            _refresh(conn, store, rules, cal, key, walk, folders)
        yield conn
    except sqlite3.DatabaseError as exc:
        _unusable(path, exc)
        raise Unavailable(str(exc)) from None
    except OSError as exc:
        cachedir.notice(f"索引「{path}」无法使用（{exc.strerror or exc}），本次直接读取记录文件，结果相同但较慢")
        raise Unavailable(str(exc)) from None
    finally:
        if conn is not None:
            conn.close()


def _unusable(path: Path, exc: Exception) -> None:
    """Corrupt: remove it (the next run builds it again). Locked: say nothing. Unwritable: say so once."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            try:
                p.unlink(missing_ok=True)
            except OSError:
                pass
        cachedir.notice(f"索引「{path}」已损坏，已删除，下次运行时重建；本次直接读取记录文件，结果相同")
    elif code not in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED: another tousu is refreshing it
        cachedir.notice(f"索引「{path}」无法使用（{exc}），本次直接读取记录文件，结果相同但较慢")


def _connect(path: Path, root: Path) -> Any:
    import sqlite3

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    note = path.parent / "data-folder.txt"
    if not note.exists():
        note.write_text(f"tousu 解析缓存与索引，可随时删除。数据目录：{Path(root).resolve()}\n", encoding="utf-8")
    conn = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
    try:
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        if conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'stages'").fetchone()[0] == 0:
            conn.executescript(_SCHEMA)
            _drop_old_formats(path)
        return conn
    except BaseException:
        conn.close()
        raise


def _drop_old_formats(path: Path) -> None:
    """An index of an earlier format beside this one is only disk space now."""
    for old in path.parent.glob("index-*.sqlite*"):
        if not old.name.startswith(path.name):
            try:
                old.unlink()
            except OSError:
                pass


def _meta(conn: Any, k: str) -> str | None:
    row = conn.execute("SELECT v FROM meta WHERE k = ?", (k,)).fetchone()
    return row[0] if row else None


# ---- refreshing ----------------------------------------------------------------------------

def _refresh(conn: Any, store: Store, rules: Rules, cal: WorkCalendar, key: str, walk: Walk,
             folders: list[str] | None) -> None:
    """Bring the index up to date with the walk: one transaction, only what changed read again."""
    start = time.time_ns()
    if not stale(conn, _meta(conn, "key") != key, walk, folders):
        return
    conn.execute("BEGIN IMMEDIATE")  # waits for another refresh (BUSY_MS), then looks again
    try:
        todo = stale(conn, _meta(conn, "key") != key, walk, folders)
        if todo.rekey:
            for table in (*_TABLES, "folders"):
                conn.execute(f"DELETE FROM {table}")
        for k in todo.gone + ([] if todo.rekey else [(f, n) for f, n, _ in todo.changed]):
            for table in _TABLES:
                conn.execute(f"DELETE FROM {table} WHERE folder = ? AND name = ?", k)
        racy, _ = indexbuild.store(conn, todo.changed, indexbuild.Ctx(store, rules, cal, start - RACY_NS))
        for folder in todo.folders:
            digest = walk[folder].digest() if folder in walk else None
            if digest is not None:  # racily clean entries are stored with size -1: no digest may match
                conn.execute("INSERT OR REPLACE INTO folders VALUES (?, ?)", (folder, "racy" if folder in racy else digest))
            else:
                conn.execute("DELETE FROM folders WHERE folder = ?", (folder,))
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('key', ?)", (key,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# ---- querying ------------------------------------------------------------------------------


def _query(conn: Any, store: Store, folders: list[str] | None, pending_only: bool,
           narrow: Narrow = EVERYTHING) -> View:
    """The view from the index, in the files' order (folder, then file name), from one snapshot."""
    where, args = in_folders(folders, "f.")
    cond, cargs = narrowing(narrow)
    sql = (f"SELECT f.folder, f.name, f.summary, s.data FROM files f {'JOIN' if pending_only else 'LEFT JOIN'} "
           "stages s ON s.folder = f.folder AND s.name = f.name AND s.pending = 1 "
           f"WHERE f.summary IS NOT NULL{where}{cond} ORDER BY f.folder, f.name, s.ord")
    conn.execute("BEGIN")
    try:
        items: list[Item] = []
        last, folder = None, Path()
        for f, n, text, data in conn.execute(sql, args + cargs):
            if (f, n) != last:
                if f != folder.name:
                    folder = store.complaints / f
                last = (f, n)
                items.append((decode_summary(text, folder, n), []))
            if data is not None:
                items[-1][1].append(decode_stage(data))
        where, args = in_folders(folders)
        notes, problems, found = (list(_problems(conn, column, where, args))
                                  for column in ("notes", "problems", "findings"))
    finally:
        conn.execute("COMMIT")
    return View(items, notes, problems, found)


def _problems(conn: Any, column: str, where: str, args: list[str]) -> Iterator[Problem]:
    for (text,) in conn.execute(f"SELECT {column} FROM files WHERE {column} IS NOT NULL{where} "
                                "ORDER BY folder, name", args):
        yield from decode_problems(text)


# ---- the bulletin's selection (reports/loading.py) -----------------------------------------


@dataclass
class Counted:
    """Of some months' record files, the ones a bulletin must read (`paths`, in Store.paths' order); of the
    others, what it counts: the `tallies` of the months it matches repeats in, and of the rest only how many
    were received and how many were 属实+供电责任 per month of 受理 (`counts`: (year, month) → [受理, 属实],
    the voided left out); and what is printed about all of them that read (`notes`, `findings`: a file
    read in full need not be checked again)."""

    paths: list[Path]
    tallies: list[Tally]
    counts: dict[tuple[int, int], list[int]]
    notes: list[Problem]
    findings: list[Problem]


def count_files(store: Store, rules: Rules, cal: WorkCalendar, key: str, months: Iterable[tuple[int, int]],
                before: datetime, full: Iterable[tuple[int, int]] = (),
                detail: Iterable[tuple[int, int]] | None = None) -> Counted:
    """For months of which a bulletin only counts (trend, 环比, 同比, the repeat window): a file is read in
    full when it has an assessment (the ledger), is unreadable (reported), or has an event at or after
    `before` (a 催办 in the report month, or a step after --at); of every other its tally is enough, kept
    whole for the months `detail` (None: all), else only counted. Every file of the months `full` is read
    in full. A batch of rows at a time: a province's year is some 100 000 rows."""
    full = list(full)
    read_all = {_folder_name(m) for m in full}
    whole = None if detail is None else {_folder_name(m) for m in detail}
    out = Counted([], [], defaultdict(lambda: [0, 0]), [], [])
    columns = "folder, name, assessed, problems, notes, findings, tally"
    for rows in _select(store, rules, cal, key, [*months, *full], columns):
        plain = iter(tally_values([t for f, *_, t in rows if t is not None and f not in read_all]))
        for f, n, assessed, problems, notes, found, tally in rows:
            v = next(plain) if tally is not None and f not in read_all else None
            if v is None or assessed or problems is not None or tally_last(v) >= before:
                out.paths.append(store.complaints / f / n)
            elif whole is None or f in whole:
                out.tallies.append(tally_of(v))
            else:  # only counted: no Tally built (most of a year's rows)
                month, counted = tally_count(v)
                if month is not None:
                    row = out.counts[month]
                    row[0] += 1
                    row[1] += counted
            out.notes.extend(decode_problems(notes) if notes else ())
            out.findings.extend(decode_problems(found) if found else ())
    out.counts = dict(out.counts)
    return out


def ledger_files(store: Store, rules: Rules, cal: WorkCalendar, key: str,
                 months: Iterable[tuple[int, int]], since: datetime | None = None) -> list[Path]:
    """Of `months`' record files, those a bulletin reads though it counts none of those months: with an
    assessment (the ledger carries fines over, 第二十八条), unreadable (reported), or — given `since` —
    with an event at or after it (a 催办 of the report month on an old complaint), in Store.paths' order."""
    return [store.complaints / f / n for rows in _select(store, rules, cal, key, months,
                                                          "folder, name, assessed, problems, tally")
            for f, n, assessed, problems, tally in rows
            if assessed or problems is not None or tally is None
            or (since is not None and decode_tally(tally).last_at >= since)]


def _folder_name(month: tuple[int, int]) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def _select(store: Store, rules: Rules, cal: WorkCalendar, key: str, months: Iterable[tuple[int, int]],
            columns: str, batch: int = 2000) -> Iterator[list[tuple[Any, ...]]]:
    """`columns` of the months' rows of `files`, in Store.paths' order, once the index is fresh for those
    months: `batch` rows at a time."""
    if not enabled():
        raise Unavailable("off")
    months = sorted(set(months))
    folders = sorted(_folder_name(m) for m in months)
    with _fresh(store, rules, cal, key, _walk(store, months), folders) as conn:
        where, args = in_folders(folders)
        cursor = conn.execute(f"SELECT {columns} FROM files WHERE 1{where} ORDER BY folder, name", args)
        while rows := cursor.fetchmany(batch):
            yield rows
