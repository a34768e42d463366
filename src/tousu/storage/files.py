"""Reading a record file safely: only regular files inside the data folder, of a bounded size.

A file named like a record may be a FIFO (it would hang cron), a link to
`/dev/zero` (it would eat the memory) or to `/etc/shadow` (its lines would be
mailed out in the error report). A record is read only when it is a regular
file whose real location is inside the data folder and whose size is within
the limit (`limits.record_max_bytes` in rules.yaml, default 1 MiB); anything
else is a located problem that says why and shows none of the file's content,
and the other records are processed as usual.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from tousu.config.yamlio import Unreadable, read_bounded
from tousu.errors import Problem, shown

MAX_RECORD_BYTES = 1024 * 1024
"""The default size limit of one record file (tousu's own are a few KB; rules.yaml can change it)."""

LIMIT_HINT = "（rules.yaml 中 limits.record_max_bytes）"


def data_root(path: Path) -> Path:
    """The data folder a record path lies in (DATA/complaints/YYYY-MM/ID.yaml), else its own folder."""
    parents = path.parents
    if len(parents) >= 3 and parents[1].name == "complaints":
        return parents[2]
    return path.parent


@lru_cache(maxsize=512)
def _real(folder: str) -> str:
    return os.path.realpath(folder)


def outside(path: Path) -> str | None:
    """Where `path` really leads when that is outside its data folder (a link), else None."""
    root = _real(str(data_root(path)))
    if os.path.islink(path):
        real = os.path.realpath(path)
    else:
        real = os.path.join(_real(str(path.parent)), path.name)  # one cached look per month folder
    if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
        return None
    return real


def record_bytes(path: Path, max_bytes: int = MAX_RECORD_BYTES) -> bytes:
    """The bytes of the record file at `path`; Unreadable (with a located problem) when it is not one."""
    target = outside(path)
    if target is not None:
        raise Unreadable(Problem(path, 0, f"是指向数据目录之外（{shown(target, 80)}）的链接，未读取"))
    return read_bounded(path, max_bytes, LIMIT_HINT)
