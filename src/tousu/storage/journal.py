"""Writing many records as one transaction (issue #14 §2): an import is none or all, even when killed.

Under the store lock the records are first written into a staging folder inside
the data folder, `DATA/.tousu-journal/` (files/ mirrors the data folder's
paths), flushed to disk, listed in MANIFEST, and then the transaction commits by
renaming COMMITTED.tmp to COMMITTED — one atomic step. Only then are the files
moved into place: a new record by hard link (never over a record that appeared
meanwhile), a changed one by rename. The folder is removed last, and never in
place: it is first renamed to `.tousu-journal.old` (one atomic step), then that
is deleted, so a kill while deleting never leaves a half-deleted journal (say
COMMITTED without MANIFEST) for recover to read.

`recover` runs before any command reads the data folder: an interrupted
transaction with COMMITTED is completed (its remaining files moved into place),
one without it is rolled back (the staging folder removed; nothing in the data
folder was touched yet). Either way the command says so. Stray temporary files
of killed tousu commands are removed there too: only tousu's own names
(`.TS….yaml.<pid>.<random>.tmp`), only when that process is gone.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

JOURNAL = ".tousu-journal"
OLD = f"{JOURNAL}.old"
"""A finished (or abandoned) journal being deleted: nothing in it counts any more."""
_MANIFEST = "MANIFEST"
_COMMITTED = "COMMITTED"
# tousu's temporary names beside a record: .TS202611260001.yaml.<pid>.<random>.tmp (yamlio writes them)
TEMP_NAME = re.compile(r"^\.(TS\d{12}\.yaml)\.(\d+)\.[A-Za-z0-9_]+\.tmp$")
ROOT_TEMP_NAME = re.compile(r"^\.(\.tousu-ids)\.(\d+)\.[A-Za-z0-9_]+\.tmp$")
"""A temp file of the ID register (store.GIVEN_NAME) in the data folder itself, as yamlio's writer names it."""


@dataclass(frozen=True)
class Entry:
    rel: str  # the record's path inside the data folder, with "/"
    new: bool  # True: a new record (hard link, never over another file); False: replaces one


class Journal:
    """One transaction in DATA/.tousu-journal; the caller holds the store lock throughout."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.dir = self.root / JOURNAL
        self.entries: list[Entry] = []

    # ---- staging ----

    def begin(self) -> None:
        if self.dir.exists():  # left by a crash: recover() runs first, so this is a leftover of an abort
            _discard(self.dir)
        (self.dir / "files").mkdir(parents=True)

    def stage(self, target: Path, text: str, *, new: bool) -> None:
        rel = Path(target).relative_to(self.root).as_posix()
        path = self.dir / "files" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), "w", encoding="utf-8",
                       newline="\n") as fh:
            fh.write(text)
        self.entries.append(Entry(rel, new))

    def commit(self) -> None:
        """Everything on disk, then the one atomic step after which the transaction counts as done."""
        _sync()
        manifest = "".join(f"{'new' if e.new else 'replace'} {e.rel}\n" for e in self.entries)
        _write_synced(self.dir / _MANIFEST, manifest)
        _write_synced(self.dir / f"{_COMMITTED}.tmp", "")
        os.replace(self.dir / f"{_COMMITTED}.tmp", self.dir / _COMMITTED)
        _fsync_dir(self.dir)

    def abort(self) -> None:
        try:
            _discard(self.dir)
        except OSError:
            shutil.rmtree(self.dir, ignore_errors=True)

    # ---- applying ----

    def apply(self, progress=None) -> None:  # noqa: ANN001 - Callable[[int, int], None]
        """Move the committed files into place (`self.done` lists them as they go), then drop the folder."""
        self.done: list[Path] = []
        _apply(self.root, self.dir, self.entries, self.done, progress)
        _discard(self.dir)


def _apply(root: Path, jdir: Path, entries: list[Entry], done: list[Path], progress=None) -> None:  # noqa: ANN001
    """Move staged files into place; safe to run again after an interruption."""
    for n, e in enumerate(entries, 1):
        src, dst = jdir / "files" / e.rel, root / e.rel
        if not src.exists():
            continue  # moved in before an interruption
        dst.parent.mkdir(parents=True, exist_ok=True)
        if e.new:
            try:
                os.link(src, dst)
            except FileExistsError:
                if dst.read_bytes() != src.read_bytes():
                    raise
            os.unlink(src)
        else:
            os.replace(src, dst)
        done.append(dst)
        if progress and n % 500 == 0:
            progress(n, len(entries))
    for d in {p.parent for p in done}:
        _fsync_dir(d)


def _read_manifest(jdir: Path) -> list[Entry]:
    out = []
    for line in (jdir / _MANIFEST).read_text(encoding="utf-8").splitlines():
        kind, _, rel = line.partition(" ")
        if rel and ".." not in Path(rel).parts and not Path(rel).is_absolute():
            out.append(Entry(rel, kind == "new"))
    return out


def recover(root: Path) -> list[str]:
    """Complete or roll back an interrupted transaction, and clean stray temp files; what was done.

    The caller holds the store lock, so no live tousu process is inside a transaction.
    """
    notes: list[str] = []
    jdir = Path(root) / JOURNAL
    _drop_old(Path(root) / OLD)  # a kill while a finished journal was deleted: only delete it
    if jdir.is_dir() and not jdir.is_symlink():
        if (jdir / _COMMITTED).is_file():
            done: list[Path] = []
            _apply(Path(root), jdir, _read_manifest(jdir), done)
            notes.append(f"上次的导入被中断（已提交）：已完成，移入 {len(done)} 个记录文件")
        else:
            notes.append("上次的导入被中断（未提交）：已撤销，该次导入没有写入任何记录")
        _discard(jdir)
    removed = clean_temp_files(Path(root) / "complaints") + _clean(Path(root), ROOT_TEMP_NAME)
    if removed:
        notes.append(f"已清理 {removed} 个被中断的 tousu 命令留下的临时文件")
    return notes


def _discard(jdir: Path) -> None:
    """Remove a journal folder: renamed away first (atomic), so no kill leaves part of it under its name."""
    old = jdir.with_name(OLD)
    _drop_old(old)
    os.rename(jdir, old)
    _fsync_dir(jdir.parent)
    shutil.rmtree(old)


def _drop_old(old: Path) -> None:
    """Delete a journal renamed away; a symlink of that name (not tousu's) only loses the link."""
    if old.is_symlink() or old.is_file():
        old.unlink()
    elif old.is_dir():
        shutil.rmtree(old)


def clean_temp_files(folder: Path) -> int:
    """Remove tousu's own temp files whose writer is gone; never anything else, never a live writer's."""
    removed = 0
    if not folder.is_dir():
        return 0
    for month in folder.iterdir():
        if month.is_dir() and not month.is_symlink():
            removed += _clean(month, TEMP_NAME)
    return removed


def _clean(folder: Path, pattern: re.Pattern[str]) -> int:
    removed = 0
    for p in folder.iterdir():
        m = pattern.match(p.name)
        if m and p.is_file() and not p.is_symlink() and not _alive(int(m.group(2))):
            try:
                p.unlink()
                removed += 1
            except OSError:
                pass
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process: leave its files alone
    return True


def _sync() -> None:
    if hasattr(os, "sync"):
        os.sync()


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
