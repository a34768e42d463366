"""Reading record files into the index's rows (storage/index.py), in two processes when there are many.

A refresh reads each file whose stat key changed and writes its rows: summary, notes or problems,
findings, tally, every stage clock and find's keys (`rows_of`: a function of the file's bytes, the
rules and the calendar only). Building the index from nothing reads every file, as the files' path
does, and then writes SQLite too; on two cores that costs less wall time than the files' path when
the reading is shared. So a refresh of HELPER_MIN files or more (where `os.fork` is safe: Linux, two
cores or more) forks a helper: the files are cut into parts of PART, each process takes the next part
left (their numbers wait in a pipe; a read of 4 bytes takes one), and the helper writes its rows into
a database file of its own beside the index, which the refresh copies in once the helper has exited
cleanly. Each part is read by one process, by the same code with the same rules, so the index holds
the rows one process would have written. A helper that fails — an exception, a crash, a kill, a lost
part file — costs only time: every part it did not hand over is read again here.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from tousu.config.rules import Rules
from tousu.config.yamlio import Unreadable
from tousu.domain.deadlines import stages
from tousu.domain.lifecycle import rule_problems
from tousu.domain.workdays import WorkCalendar
from tousu.forking import can_fork, spawn
from tousu.storage import files, findings, records
from tousu.storage.indexrows import encode_problems, encode_stage, encode_summary, encode_tally, lookup_keys
from tousu.storage.indexwalk import StatKey
from tousu.storage.store import Store

BATCH = 2_000
"""Files read and written at a time by one process (memory stays small at any size)."""

HELPER_MIN = 4_000
"""A refresh reading at least this many files shares the reading with a helper process."""

PART = 500
"""Files per part when two processes share a refresh (small parts: both finish at about the same time)."""

_COLUMNS = {"files": 16, "stages": 7, "lookup": 11}
"""The index's tables with a row (or rows) per record file, and their number of columns (index._SCHEMA)."""

Found = list[tuple[str, str, StatKey]]  # (month folder, file name, stat key) of the files to read


class Rows(NamedTuple):
    """The index's rows for some files, and the folders of those stored racily clean."""

    files: list[tuple[Any, ...]]
    stages: list[tuple[Any, ...]]
    lookup: list[tuple[Any, ...]]
    racy: set[str]


class Ctx(NamedTuple):
    """What every row depends on besides the file: the folder, the rules and calendar, and the time after
    which a file's change is too recent to trust its stat key (index.RACY_NS before the refresh began)."""

    store: Store
    rules: Rules
    cal: WorkCalendar
    racy_after: int


def rows_of(found: Found, ctx: Ctx) -> Rows:
    """Read these files and make their rows."""
    out = Rows([], [], [], set())
    store, rules = ctx.store, ctx.rules
    for folder, name, st in found:
        path = store.complaints / folder / name
        c, problems = records.read(path, store.max_record_bytes)
        if st[1] >= ctx.racy_after or st[2] >= ctx.racy_after:
            st = (-1, *st[1:])  # racily clean: never trusted, read again next time
            out.racy.add(folder)
        if c is None:
            out.files.append((folder, name, *st, encode_problems(problems), None, None,
                              _mentions_assess(path, store.max_record_bytes), None, None, None, None, None, None))
            continue
        assessed = any(e.action == "assess" for e in c.history)
        summary, facts = encode_summary(c)
        out.files.append((folder, name, *st, None, encode_problems(rule_problems(c, rules)), summary,
                          int(assessed), *facts, encode_problems(findings.of(c, rules)), encode_tally(c)))
        out.stages.extend((folder, name, i, int(s.pending), encode_stage(s), s.key, s.owner)
                          for i, s in enumerate(stages(c, rules, ctx.cal)))
        out.lookup.append((folder, name, *lookup_keys(c)))
    return out


def _mentions_assess(path: Path, max_bytes: int) -> int:
    """An unreadable file's flag as its bytes say; one that may not be read at all (a FIFO, a link out of the
    folder, too big: storage/files.py) is flagged. (`ledger_files` takes every unreadable file anyway.)"""
    try:
        return int(b"assess" in files.record_bytes(path, max_bytes))
    except Unreadable:
        return 1


_INSERT = {table: f"INSERT OR REPLACE INTO {table} VALUES ({','.join('?' * n)})" for table, n in _COLUMNS.items()}


def write(conn: Any, rows: Rows) -> None:
    for table, sql in _INSERT.items():
        conn.executemany(sql, getattr(rows, table))


def _read_into(conn: Any, found: Found, ctx: Ctx, racy: set[str]) -> None:
    """Read these files and write their rows; the folders of those stored racily clean into `racy`."""
    rows = rows_of(found, ctx)
    write(conn, rows)
    racy |= rows.racy


def store(conn: Any, found: Found, ctx: Ctx) -> tuple[set[str], int]:
    """Read `found` into the index open on `conn` (in its transaction): the folders of the files stored racily
    clean, and how many parts a helper process read (0: none was used)."""
    # A build makes a million small objects and no reference cycles: the collector would only cost time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if len(found) >= HELPER_MIN and can_fork():
            size = max(PART, -(-len(found) // 8_192))  # at most 8 192 part numbers: 32 KiB, within a pipe's buffer
            return _shared(conn, [found[i:i + size] for i in range(0, len(found), size)], ctx)
        racy: set[str] = set()
        for i in range(0, len(found), BATCH):
            _read_into(conn, found[i:i + BATCH], ctx, racy)
        return racy, 0
    finally:
        if was_enabled:
            gc.enable()


def _shared(conn: Any, parts: list[Found], ctx: Ctx) -> tuple[set[str], int]:
    """Read the parts here and in a forked helper; copy in what the helper wrote; read again what it did not."""
    index_file = Path(conn.execute("PRAGMA database_list").fetchone()[2])
    for old in index_file.parent.glob(f"{index_file.name}.part-*"):  # a helper's file left by a killed refresh
        _remove(old)  # (this refresh holds the write lock: no other refresh is using one)
    part_file = index_file.with_name(f"{index_file.name}.part-{os.getpid()}")
    queue, feed = os.pipe()
    pid: int | None = None
    try:
        try:
            os.write(feed, b"".join(i.to_bytes(4, "little") for i in range(len(parts))))  # ≤ 32 KiB: fits the pipe
        finally:
            os.close(feed)  # and the helper is forked without it: an empty pipe reads as the end
        pid = _fork(queue, parts, ctx, part_file)
        racy: set[str] = set()
        done: set[int] = set()
        for i in _claims(queue):
            _read_into(conn, parts[i], ctx, racy)
            done.add(i)
        status = os.waitpid(pid, 0)[1] if pid is not None else 1
        pid = None
        helped = _copy(conn, part_file, racy) if status == 0 else set()
        for i in sorted(set(range(len(parts))) - done - helped):  # the helper failed: read its parts here
            _read_into(conn, parts[i], ctx, racy)
        return racy, len(helped)
    finally:
        os.close(queue)
        if pid is not None:  # this process failed (or was interrupted): the helper's work is of no use
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except OSError:
                pass
        _remove(part_file)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _fork(queue: int, parts: list[Found], ctx: Ctx, part_file: Path) -> int | None:
    """The helper's process id (None: no process could be made, this one reads every part)."""
    pids: list[int] = []
    spawn(lambda: _helper(queue, parts, ctx, part_file), pids.append)
    return pids[0] if pids else None


def _claims(queue: int) -> Iterator[int]:
    """The numbers of the parts this process takes, one at a time, until none is left."""
    while len(b := os.read(queue, 4)) == 4:
        yield int.from_bytes(b, "little")


def _helper(queue: int, parts: list[Found], ctx: Ctx, part_file: Path) -> None:
    """In the forked helper (forking.spawn: exit 0 only when this returns): its parts' rows into `part_file`,
    committed at the end. It never touches the parent's open index or output."""
    import sqlite3

    out = sqlite3.connect(part_file, isolation_level=None)
    out.execute("PRAGMA journal_mode=OFF")  # read only after a clean exit: nothing to recover
    out.execute("PRAGMA synchronous=OFF")
    for table, n in _COLUMNS.items():  # untyped columns: the values come back exactly as given
        out.execute(f"CREATE TABLE {table} ({','.join(f'c{j}' for j in range(n))})")
    out.execute("CREATE TABLE parts (part INTEGER NOT NULL)")
    out.execute("CREATE TABLE racy (folder TEXT NOT NULL)")
    out.execute("BEGIN")
    for i in _claims(queue):
        rows = rows_of(parts[i], ctx)
        write(out, rows)
        out.executemany("INSERT INTO racy VALUES (?)", [(f,) for f in rows.racy])
        out.execute("INSERT INTO parts VALUES (?)", (i,))
    out.execute("COMMIT")
    out.close()


class _Lost(Exception):
    """The helper's file could not be read back (its parts are read again)."""


def _copy(conn: Any, part_file: Path, racy: set[str]) -> set[int]:
    """The helper's rows into the index; the parts they are of (none if its file cannot be read: a partial
    copy is overwritten by the same rows when those parts are read again)."""
    import sqlite3

    def rows(sql: str) -> Iterator[tuple[Any, ...]]:
        try:
            yield from part.execute(sql)
        except sqlite3.Error as exc:
            raise _Lost(str(exc)) from None

    try:
        part = sqlite3.connect(f"{part_file.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return set()
    try:
        helped = {i for (i,) in rows("SELECT part FROM parts")}
        for table, sql in _INSERT.items():
            conn.executemany(sql, rows(f"SELECT * FROM {table}"))
        racy |= {f for (f,) in rows("SELECT folder FROM racy")}
        return helped
    except _Lost:
        return set()
    finally:
        part.close()
