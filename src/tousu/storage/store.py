"""The data folder: one YAML file per complaint, atomic writes, a lock, unique IDs.

Layout: `DATA/complaints/YYYY-MM/TS202611260001.yaml` (the month of 受理, read
off the ID), `DATA/org.yaml`. A change is read–modify–write under an exclusive
lock, so two people and cron never lose each other's steps; a new complaint
claims its ID by hard-linking a fully written file into place, so two `add`s at
the same moment get two IDs and nobody sees half a file (SPEC §7).
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from tousu.storage import journal, parsecache
from tousu.storage import files, records
from tousu.config import yamlio
from tousu.errors import Problem, TousuError
from tousu.domain.model import ID_PATTERN, Complaint
from tousu.timeutil import to_china

LOCK_NAME = ".tousu.lock"
LISTED_S = 1.0
"""How long the month folders' listings made by recover() may stand for a listing of them (Store.listed)."""


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        if os.name == "nt":  # pragma: no cover - exercised on Windows only
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def id_prefix(received_at: datetime) -> str:
    """TS + the 受理 day: the part of an ID its day gives."""
    return f"TS{to_china(received_at):%Y%m%d}"


GIVEN_NAME = ".tousu-ids"
GIVEN_HEADER = "# tousu：每个受理日已发出的最大投诉编号。编号一经发出永不重用（作废、删除文件后也不）。请勿修改。\n"


class IdSequence:
    """The next free number of each 受理 day, from the IDs known to be taken (add and import alike).

    An ID is TS + 受理日期 + a four-digit number, counted from 0001 per day; the
    next one is one more than the highest taken. Names that are not IDs are ignored.
    """

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._last: dict[str, int] = {}
        for cid in taken:
            self.take(cid)

    def take(self, cid: str) -> None:
        if ID_PATTERN.match(cid):
            self._last[cid[:10]] = max(self._last.get(cid[:10], 0), int(cid[10:]))

    def last(self) -> set[str]:
        """The highest ID taken of each day."""
        return {f"{prefix}{seq:04d}" for prefix, seq in self._last.items()}

    def next(self, received_at: datetime) -> str:
        """A new ID for a complaint received then (and it counts as taken from now on)."""
        prefix = id_prefix(received_at)
        seq = self._last.get(prefix, 0) + 1
        if seq > 9999:
            raise TousuError(f"{to_china(received_at):%Y-%m-%d} 的投诉编号已用完（9999 件）")
        self._last[prefix] = seq
        return f"{prefix}{seq:04d}"


def _listings(folder: Path) -> dict[str, list[str]]:
    """The names in each folder under `folder` (one listing each): names, not Path objects (100 000 of those
    cost 0.3 s)."""
    if not folder.is_dir():
        return {}
    return {d.name: os.listdir(d) for d in folder.iterdir() if d.is_dir()}


def _has_temp(listed: dict[str, list[str]]) -> bool:
    """Cheap look for tousu's temp names (no lock taken when none)."""
    return any(journal.TEMP_NAME.match(n) for names in listed.values() for n in names if n.startswith("."))


def _has_root_temp(root: Path) -> bool:
    """The same look in the data folder itself (the ID register's temp files)."""
    try:
        return any(journal.ROOT_TEMP_NAME.match(n) for n in os.listdir(root) if n.startswith(".."))
    except OSError:
        return False


class Store:
    """Complaint records under a data folder."""

    def __init__(self, root: Path, max_record_bytes: int = files.MAX_RECORD_BYTES) -> None:
        self.root = Path(root)
        self.complaints = self.root / "complaints"
        self.max_record_bytes = max_record_bytes  # a bigger file is a located problem, never read
        self._listed: tuple[float, dict[str, list[str]]] = (0.0, {})  # when, and each folder's names (recover)

    # ---- paths --------------------------------------------------------------

    def path_for(self, cid: str) -> Path:
        m = ID_PATTERN.match((cid or "").strip().upper())  # ts202611260001 is meant the same
        if not m:
            raise TousuError(f"编号「{cid}」不是投诉编号，应为 TS+受理日期(8位)+序号(4位)，如 TS202611260001")
        return self.complaints / f"{m.group(1)}-{m.group(2)}" / f"{m.group(0)}.yaml"

    def month_dirs(self, months: Iterable[tuple[int, int]] | None = None) -> list[Path]:
        if not self.complaints.is_dir():
            return []
        if months is not None:
            return [self.complaints / f"{y:04d}-{m:02d}" for y, m in sorted(set(months))]
        return sorted(p for p in self.complaints.iterdir() if p.is_dir() and not p.name.startswith("."))

    # ---- reading ----------------------------------------------------------

    def load(self, cid: str) -> Complaint:
        path = self.path_for(cid)
        if not os.path.lexists(path):
            raise TousuError(f"找不到投诉「{cid}」（{path}）；用 tousu list 查看已有的投诉")
        c, problems = records.read(path, self.max_record_bytes)
        if c is None:
            raise TousuError(f"投诉「{cid}」的记录文件有错误，请先修正", tuple(problems))
        return c

    def paths(self, months: Iterable[tuple[int, int]] | None = None) -> list[Path]:
        """The record files (TS*.yaml) of each month folder, in order: glob's names, sorted as names rather than
        as Path objects (the same order; at 100 000 files pathlib's comparisons cost seconds)."""
        out: list[Path] = []
        for d in self.month_dirs(months):
            try:
                names = fnmatch.filter(os.listdir(d), "TS*.yaml")
            except OSError:  # not a folder, or gone
                continue
            out.extend(d / n for n in sorted(names, key=os.path.normcase))
        return out

    def load_all(self, months: Iterable[tuple[int, int]] | None = None) -> tuple[list[Complaint], list[Problem]]:
        """Every readable complaint (optionally of some 受理 months), and the problems of the rest."""
        return self.load_files(self.paths(months), whole=True)

    def load_files(self, paths: list[Path], whole: bool = False) -> tuple[list[Complaint], list[Problem]]:
        """The readable complaints of these record files, and the problems of the rest (`whole`: they are
        every file of their month folders, as load_all's are)."""
        found: list[Complaint] = []
        problems: list[Problem] = []
        # The same as records.read of each path, from the parse cache where a file is unchanged.
        for c, errs in parsecache.read_all(self.root, paths, self.max_record_bytes, whole):
            if c is None:
                problems.extend(errs)
            else:
                found.append(c)
        return found, problems

    # ---- writing ----------------------------------------------------------

    def lock(self) -> contextlib.AbstractContextManager[None]:
        self._listed = (0.0, {})  # a write may follow: what was listed before it is not to be taken after
        return _locked(self.root / LOCK_NAME)

    # ---- IDs: never given twice (SPEC §2) -----------------------------------

    @property
    def _given_path(self) -> Path:
        return self.root / GIVEN_NAME

    def given_ids(self) -> list[str]:
        """The highest ID ever given for each 受理 day (so a deleted or voided file's number stays used)."""
        try:
            text = self._given_path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise TousuError(f"无法读取编号记录「{self._given_path}」：{exc}；为免编号重复，没有写入任何记录") from None
        return [line.strip() for line in text.splitlines() if ID_PATTERN.match(line.strip())]

    def remember_ids(self, ids: Iterable[str]) -> None:
        """Record IDs as given (call under the lock)."""
        seq = IdSequence(self.given_ids())
        before = seq.last()
        for cid in ids:
            seq.take(cid)
        if seq.last() != before:
            lines = "".join(f"{cid}\n" for cid in sorted(seq.last()))
            yamlio.write_atomic(self._given_path, GIVEN_HEADER + lines)

    def create(self, draft: Complaint, before: Callable[[Complaint], None] | None = None) -> Complaint:
        """Give the draft the next free ID of its 受理 day and write it; `before` may refuse it (duplicates).

        Under the lock, like an import's writing: an import that has worked out its IDs never
        meets a record that an `add` created meanwhile.
        """
        folder = self.complaints / f"{draft.received_at.date():%Y-%m}"
        with self.lock():
            if before is not None:
                before(draft)
            # Only real IDs: a copy such as 「TS202611260001 - 副本.yaml」 must not stop intake.
            files = [p.stem for p in folder.glob(f"{id_prefix(draft.received_at)}*.yaml")] if folder.is_dir() else []
            ids = IdSequence(files + self.given_ids())
            while True:
                c = replace(draft, id=ids.next(draft.received_at))
                path = self.path_for(c.id)
                if yamlio.create_exclusive(path, records.dumps(c)):
                    self.remember_ids([c.id])
                    return replace(c, path=path)

    def recover(self) -> list[str]:
        """Complete or roll back an interrupted import and clean stray temp files (storage.journal);
        what was done, for the command to say. Every command over the data folder runs this first."""
        if not (self.root / journal.JOURNAL).exists() and not (self.root / journal.OLD).exists():
            listed = _listings(self.complaints)
            if not _has_temp(listed) and not _has_root_temp(self.root):
                self._listed = (time.monotonic(), listed)  # nothing to do: the index's walk, next, need not
                return []  # list them again
        with self.lock():
            return journal.recover(self.root)

    def listed(self) -> dict[str, list[str]]:
        """The names in each month folder as recover() listed them a moment ago (less than LISTED_S), once: the
        index's walk takes them (storage/indexwalk.py: at 100 000 files the listings take 40 ms)."""
        at, listed = self._listed
        self._listed = (0.0, {})
        return listed if time.monotonic() - at < LISTED_S else {}

    def update(self, cid: str, step: Callable[[Complaint], Complaint]) -> Complaint:
        """Apply `step` to the current record under the lock and write the result atomically."""
        with self.lock():
            current = self.load(cid)
            new = step(current)
            if new != current:
                yamlio.write_atomic(self.path_for(cid), records.dumps(new))
            return replace(new, path=self.path_for(cid))
