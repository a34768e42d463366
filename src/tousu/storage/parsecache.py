"""A private, disposable cache of parsed records, so that big data folders load fast.

Parsing YAML is most of what `check-overdue`, `list`, `report` and `export`
spend on a large folder (≈0.35 ms a record even with libyaml; 100 000 records
take half a minute). This cache keeps every record that parsed cleanly, one
JSON shard per month folder, keyed by file name, **a hash of the file's exact
bytes** and the file's stat key. A record is taken from the cache only when its
file still holds the very bytes it was parsed from: either its stat key (size,
mtime_ns, ctime_ns, inode) is the one it had when those bytes were read — as
git's index trusts a file, and as tousu's own index does; any write changes the
ctime, which no program can set back — or, when the stat key changed or was
racily clean (the file was modified within RACY_NS of the load that read it), its
bytes are read and hashed again. So a change is always seen — by tousu, by a hand
edit, by a restored backup, by another machine on a network share — and a writer
racing with a reader can at worst cost a re-parse. A record is parsed from the
very bytes that were hashed (one read), and stored only if it reads back equal.
Each record is kept as JSON text within the shard and decoded only when it is
used: a load of a few files of a big month does not build the whole month, and a
month's load never holds two copies of it.

It is never the source of truth: a missing, stale, corrupt or unwritable cache
only means parsing again. Files with problems are never cached, so every
problem is reported as before. The cache lives in the user's own cache folder
(storage/cachedir.py: `TOUSU_CACHE_DIR`, else `$XDG_CACHE_HOME/tousu` or `~/.cache/tousu`), not in the data folder: nothing to commit,
nothing written to a shared or read-only data folder, and nobody else can
write what this user's tousu reads. Shards are replaced atomically. Any change
to the code that reads records (this module, model, records, yamlio, timeutil)
or to Python's version invalidates all of it. `TOUSU_NO_CACHE=1` turns it off;
folders of fewer than MIN_FILES records do without (they parse in well under
0.1 s).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import MISSING, fields
from datetime import datetime
from itertools import groupby
from pathlib import Path
from stat import S_ISREG
from typing import Any

from tousu.domain import model
from tousu.storage import cachedir, files, records
from tousu import timeutil
from tousu.config import yamlio
from tousu.errors import Problem
from tousu.domain.model import Complaint, Customer, Event
from tousu.timeutil import to_china

RACY_NS = 2_000_000_000
"""A file modified this close to the load that read it is racily clean: its stat key is not trusted."""

MIN_FILES = 200
"""Below this many records in one load, the cache is not worth a file."""

_FORMAT = "tousu-parsecache-3"  # 2: each entry's record as JSON text, decoded only when it is used; 3: stat key
_EVENT_FIELDS = tuple(f.name for f in fields(Event))  # with `line`
_EVENT_TIMES = frozenset(f.name for f in fields(Event) if "datetime" in str(f.type))
_EVENT_DEFAULTS = {f.name: (None if f.default is MISSING else f.default) for f in fields(Event)}
_EVENT_REQUIRED = frozenset(f.name for f in fields(Event) if f.default is MISSING)
_EVENT_SLOTS = tuple((f.name, _EVENT_DEFAULTS[f.name], getattr(Event, f.name).__set__) for f in fields(Event))
_new_event = object.__new__
_COMPLAINT_FIELDS = frozenset(f.name for f in fields(Complaint))
_CUSTOMER_FIELDS = tuple(f.name for f in fields(Customer))
_KNOWN = frozenset({"id", "received_at", "channel", "received_by", "customer", "category", "item", "content",
                    "attitude", "severity", "escalated_to", "ref", "history", "path", "seal",
                    "seal_line", "legacy_head"})
_fingerprint: str | None = None

Result = tuple[Complaint | None, list[Problem]]


class _Uncacheable(Exception):
    """A record this module does not know how to keep exactly."""


def enabled() -> bool:
    return os.environ.get("TOUSU_NO_CACHE", "") in ("", "0") and _COMPLAINT_FIELDS == _KNOWN


def fingerprint() -> str:
    """Changes whenever the code that turns a file into a Complaint changes."""
    global _fingerprint
    if _fingerprint is None:
        h = hashlib.blake2b(f"{_FORMAT} {sys.version}".encode(), digest_size=16)
        for mod in (model, records, yamlio, timeutil, sys.modules[__name__]):
            h.update(Path(mod.__file__ or "").read_bytes())
        _fingerprint = h.hexdigest()
    return _fingerprint


# ---- one record ⇄ plain JSON data ------------------------------------------------


def _encode_event(e: Event) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _EVENT_FIELDS:
        value = getattr(e, name)
        if value is None:
            continue
        if name in _EVENT_TIMES:
            value = value.isoformat()
        elif not isinstance(value, (str, int)):  # bool is an int
            raise _Uncacheable(name)
        out[name] = value
    return out


def _decode_event(d: dict[str, Any]) -> Event:
    """The Event of an entry, built without its __init__ (a frozen dataclass's __init__ goes through
    object.__setattr__ field by field, with argument parsing first: most of a warm load's time). The
    same object: every field is the entry's or its default (the entry keeps every field that is not
    None), and an entry that reads back otherwise is never stored (_exact)."""
    if not _EVENT_REQUIRED <= d.keys() or not d.keys() <= _EVENT_DEFAULTS.keys():
        raise ValueError("not an event entry")
    e = _new_event(Event)
    get = d.get
    for name, default, put in _EVENT_SLOTS:
        value = get(name, default)
        put(e, to_china(datetime.fromisoformat(value)) if value is not None and name in _EVENT_TIMES else value)
    return e


def encode(c: Complaint) -> list[Any]:
    return [c.id, c.received_at.isoformat(), c.channel, c.received_by,
            [getattr(c.customer, k) for k in _CUSTOMER_FIELDS], c.category, c.item, c.content, c.attitude,
            c.severity, list(c.escalated_to), c.ref, [_encode_event(e) for e in c.history], c.seal, c.seal_line,
            c.legacy_head]


def decode(v: list[Any], path: Path) -> Complaint:
    (cid, received_at, channel, received_by, customer, category, item, content, attitude, severity,
     escalated_to, ref, history, seal, seal_line, legacy_head) = v
    return Complaint(
        id=cid, received_at=to_china(datetime.fromisoformat(received_at)), channel=channel,
        received_by=received_by, customer=Customer(*customer), category=category, item=item, content=content,
        attitude=attitude, severity=severity, escalated_to=tuple(escalated_to), ref=ref,
        history=tuple(_decode_event(e) for e in history), path=path, seal=seal, seal_line=seal_line,
        legacy_head=legacy_head,
    )


def _exact(a: Complaint, b: Complaint) -> bool:
    """Equal, including what == leaves out (event lines) and the text/number/bool types."""
    if a != b or [e.line for e in a.history] != [e.line for e in b.history]:
        return False
    return json.dumps(encode(a), ensure_ascii=False) == json.dumps(encode(b), ensure_ascii=False)


# ---- shards ---------------------------------------------------------------------------


def _folder(root: Path) -> Path | None:
    home = cachedir.home()
    if home is None:
        return None
    key = hashlib.blake2b(str(Path(root).resolve()).encode("utf-8"), digest_size=8).hexdigest()
    return home / key


def _load_shard(path: Path) -> dict[str, list[Any]]:
    try:
        data = json.loads(path.read_bytes())  # bytes: UTF-8 decoded in one go, not through a text stream
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != fingerprint() or not isinstance(data.get("records"), dict):
        return {}
    return data["records"]


def _save_shard(path: Path, root: Path, entries: dict[str, list[Any]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        note = path.parent / "data-folder.txt"
        if not note.exists():
            note.write_text(f"tousu 解析缓存，可随时删除。数据目录：{Path(root).resolve()}\n", encoding="utf-8")
        text = json.dumps({"format": fingerprint(), "records": entries}, ensure_ascii=False, separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a cache that cannot be written is only a slower next run


def _read_one(path: Path, entry: Any, max_bytes: int, start_ns: int) -> tuple[Result, list[Any] | None]:
    """The record at `path` and the cache entry to keep for it (None: keep none).

    An entry is [digest of the bytes, the record as JSON text, the file's stat key when it was read].
    The entry is taken without reading the file when the file's stat key is still that one (size,
    mtime_ns, ctime_ns, inode: as git's index trusts a file; a write changes ctime, which no one can set
    back) and was not racy (modified within RACY_NS of the load that read it: then the bytes are read
    and hashed next time too); otherwise the bytes are read and their hash decides."""
    try:
        st = os.lstat(path)
    except OSError:
        st = None
    key = None if st is None or not S_ISREG(st.st_mode) else [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    valid = isinstance(entry, list) and len(entry) == 3 and isinstance(entry[1], str)
    if valid and key is not None and entry[2] == key and key[0] <= max_bytes and files.outside(path) is None:
        try:
            return (decode(json.loads(entry[1]), path), []), entry
        except Exception:  # noqa: BLE001 - a damaged entry is only a miss
            pass
    if key is not None and (key[1] >= start_ns - RACY_NS or key[2] >= start_ns - RACY_NS):
        key[0] = -1  # racily clean: its stat key is never trusted
    try:
        raw = records.record_bytes(path, max_bytes)
    except yamlio.Unreadable as exc:  # not a regular file inside the data folder, too big, unreadable
        return (None, [exc.problem]), None
    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    if valid and entry[0] == digest:
        try:
            c = decode(json.loads(entry[1]), path)
            return (c, []), entry if entry[2] == key else [digest, entry[1], key]
        except Exception:  # noqa: BLE001 - a damaged entry is only a miss
            pass
    c, problems = records.parse(raw, path)  # the very bytes hashed: no window for another version
    if c is None:
        return (c, problems), None
    try:
        text = json.dumps(encode(c), ensure_ascii=False, separators=(",", ":"))
        if not _exact(decode(json.loads(text), path), c):
            return (c, problems), None
    except (OSError, _Uncacheable, ValueError, TypeError):
        return (c, problems), None
    return (c, problems), [digest, text, key]


def read_all(root: Path, paths: list[Path], max_bytes: int = files.MAX_RECORD_BYTES,
             whole: bool = True) -> list[Result]:
    """records.read of every path, in order, from the cache where the bytes are unchanged.

    `whole`: the paths are every record file of their month folders, so the entries of files not among
    them are dropped (deleted or renamed); a load of some files only (`whole=False`) keeps them."""
    # Loading builds a million small objects and no reference cycles: the
    # collector's passes over a growing heap would only cost time (~25%).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_all(root, paths, max_bytes, whole)
    finally:
        if was_enabled:
            gc.enable()


def _read_all(root: Path, paths: list[Path], max_bytes: int, whole: bool) -> list[Result]:
    if len(paths) < MIN_FILES or not enabled():
        return [records.read(p, max_bytes) for p in paths]
    try:
        folder = _folder(root)
        fingerprint()
    except OSError:
        folder = None
    if folder is None:  # no cache folder (a user without a home directory): cachedir said so
        return [records.read(p, max_bytes) for p in paths]
    out: list[Result] = []
    start_ns = time.time_ns()
    for parent, group in groupby(paths, key=lambda p: p.parent):
        shard_path = folder / f"{parent.name}.json"
        shard = _load_shard(shard_path)
        kept: dict[str, list[Any]] = {} if whole else dict(shard)
        changed = False
        for path in group:
            old = shard.get(path.name)
            result, entry = _read_one(path, old, max_bytes, start_ns)
            out.append(result)
            if entry is not None:
                kept[path.name] = entry
            else:
                kept.pop(path.name, None)
            changed = changed or entry is not old
        if changed or len(kept) != len(shard):
            _save_shard(shard_path, root, kept)
    return out
