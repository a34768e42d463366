"""How the index (storage/index.py) sees what changed in the data folder: the walk, and its comparison.

The walk lists each month folder and stats every record file in it (relative to the
open folder where the system can: no path joined per file). A folder's listing —
names and stat keys — hashes to a digest; the index stores, per folder, the digest
of the listing it last stored rows for. A folder whose digest is unchanged is not
compared file by file (at 100 000 files, reading back every stored key cost more than
the walk). A digest is never stored for a folder holding a racily clean entry (index.py),
so such a folder is compared, and the entry read again, next time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from array import array
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from tousu.storage.indexquery import in_folders
from tousu.storage.store import Store

StatKey = tuple[int, int, int, int]


@dataclass
class Listing:
    """One month folder's record files by name, and their stat keys (size, mtime_ns, ctime_ns, ino) end to end."""

    names: list[str]
    keys: list[int]

    def key(self, i: int) -> StatKey:
        return tuple(self.keys[4 * i:4 * i + 4])  # type: ignore[return-value]

    def digest(self) -> str | None:
        """What this listing hashes to (None when empty): equal digests, equal listings."""
        if not self.names:
            return None
        h = hashlib.blake2b("/".join(self.names).encode("utf-8", "surrogateescape"), digest_size=16)
        try:
            h.update(array("q", self.keys).tobytes())
        except OverflowError:  # an inode number beyond 2**63
            h.update(repr(self.keys).encode())
        return h.hexdigest()


Walk = dict[str, Listing]  # month folder → its listing
_stat = os.stat
_DIR_FD = os.stat in os.supports_dir_fd and os.listdir in os.supports_fd


def walk_of(store: Store, months: list[tuple[int, int]] | None) -> Walk:
    """Each month folder's record files with their stat keys: Store.paths' files, in its order, without
    pathlib's per-file cost (at 100 000 files, sorting and joining Path objects took longer than the stats;
    each name is stat'ed relative to its open folder where the system can). The names Store.recover listed a
    moment ago are taken rather than listed again (Store.listed); a folder one of whose names is gone since is
    listed again."""
    out: Walk = {}
    taken = store.listed()  # as Store.recover listed them a moment ago: not listed twice
    for d in store.month_dirs(months):
        fd = None
        try:
            fd = os.open(d, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if _DIR_FD else None
            listed = taken.get(d.name)
            listing = _listing(_names(d, fd, listed), fd, str(d))
            if listed is not None and -1 in listing.keys[::4]:  # a name listed then is gone: list it again
                listing = _listing(_names(d, fd, None), fd, str(d))
            out[d.name] = listing
        except OSError:
            continue  # not a folder (or gone): Store.paths skips it too
        finally:
            if fd is not None:
                os.close(fd)
    return out


def _names(d: Path, fd: int | None, listed: list[str] | None) -> list[str]:
    """The record files' names (TS*.yaml) in the month folder, sorted."""
    names = [n for n in (os.listdir(d if fd is None else fd) if listed is None else listed)
             if n[:2] == "TS" and n[-5:] == ".yaml"]
    if not all(n.isascii() for n in names):
        _check_names(d, names)
    names.sort()
    return names


class UnnamableFile(ValueError):
    """A record file whose name is not text (not UTF-8): SQLite cannot keep it; the files' path reports it."""


def _check_names(d: Path, names: list[str]) -> None:
    for n in names:
        try:
            n.encode("utf-8")
        except UnicodeEncodeError:
            raise UnnamableFile(os.path.join(d, n)) from None


_key = attrgetter("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino")


def _listing(names: list[str], fd: int | None, base: str) -> Listing:
    keys: list[int] = []
    add, stat, key = keys.extend, _stat, _key
    for n in names:
        try:
            add(key(stat(n, dir_fd=fd) if fd is not None else stat(os.path.join(base, n))))
        except OSError:
            add((-1, -1, -1, -1))  # gone or unreadable: read (and report) it every time
    return Listing(names, keys)


FileKey = tuple[str, str]  # (folder, name)


@dataclass
class Stale:
    """What a refresh must do: everything again (the key changed), or these files, and these folders' digests."""

    rekey: bool
    changed: list[tuple[str, str, StatKey]]  # (folder, name, stat key): new or changed files, read again
    gone: list[FileKey]
    folders: list[str]  # month folders whose digest is to be stored again (or dropped: no files left)

    def __bool__(self) -> bool:
        return bool(self.rekey or self.changed or self.gone or self.folders)


def stale(conn: Any, rekey: bool, walk: Walk, folders: list[str] | None) -> Stale:
    """What differs between the walk and what the index holds now. A folder whose listing hashes to the digest
    stored for it holds exactly what the index holds for it (the digest is of what was stored): skipped whole."""
    if rekey:
        return Stale(True, [(f, n, w.key(i)) for f, w in walk.items() for i, n in enumerate(w.names)], [],
                     sorted(walk))
    where, args = in_folders(folders)
    stored = dict(conn.execute(f"SELECT folder, digest FROM folders WHERE 1{where}", args))
    out = Stale(False, [], [], [])
    for folder in sorted(set(walk) | set(stored)):
        listing = walk.get(folder, Listing([], []))
        if stored.get(folder) == listing.digest():
            continue  # as stored (or empty, and nothing stored)
        out.folders.append(folder)
        known = {n: (size, m, c, i) for n, size, m, c, i in conn.execute(
            "SELECT name, size, mtime_ns, ctime_ns, ino FROM files WHERE folder = ?", (folder,))}
        for i, n in enumerate(listing.names):
            if known.pop(n, None) != (st := listing.key(i)):
                out.changed.append((folder, n, st))
        out.gone += [(folder, n) for n in known]
    return out
