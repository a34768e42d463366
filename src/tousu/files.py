"""Output files (SPEC §7): the -o path checked before any work, and a file that appears whole or not at all.

Shared by the xlsx writers (excel/) and the Word 通报 (word/); imports neither openpyxl nor python-docx.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from tousu.errors import TousuError, os_reason


def check_output(path: Path, kinds: dict[str, str] | None = None) -> Path:
    """-o must name a writable file of one of `kinds` (suffix → what it is; default .xlsx) in an
    existing folder; call it before computing anything."""
    path = Path(path)
    kinds = kinds or {".xlsx": ""}
    first = next(iter(kinds))
    if path.is_dir():
        raise TousuError(f"输出文件「{path}」是一个目录，请给出文件名（如 {path / ('通报' + first)}）")
    if path.suffix.lower() not in kinds:
        near = next((k for k in kinds if path.suffix and k.startswith(path.suffix.lower())), first)  # .doc → .docx
        hint = f"（如 {path.with_suffix(near).name}）" if path.name and path.suffix != path.name else ""
        ends = " 或 ".join(f"{suffix} 结尾{f'（{what}）' if what else ''}" for suffix, what in kinds.items())
        raise TousuError(f"输出文件「{path}」应以 {ends}{hint}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise TousuError(f"无法写入「{path}」：目录「{parent}」不存在")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise TousuError(f"无法写入「{path}」：没有写入权限")
    try:  # the folder may still refuse files (read-only mount, /proc …): try one now, not after the work
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise TousuError(f"无法写入「{path}」：{os_reason(exc)}") from None
    return path


def _discard(wb: Any) -> None:
    """Close a write-only workbook's pending sheet streams after a failed save, quietly
    (otherwise they complain from the garbage collector, long after the Chinese message)."""
    for ws in getattr(wb, "worksheets", ()):
        rows = getattr(ws, "_rows", None)
        if rows is not None:
            try:
                rows.close()
            except Exception:  # noqa: BLE001 - the stream's file is already gone
                pass


def save_atomic(wb: Any, path: Path) -> None:
    """Save a workbook or document (anything with `.save(stream)`: openpyxl, python-docx) so that `path` is the old file or the new one, never half of one.

    A temporary file in the same folder is saved, flushed to disk, given the
    usual permissions (0666 less the umask; mkstemp makes it 0600) and renamed
    into place. A file-system error becomes a TousuError naming the path.
    """
    path = Path(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f"{path.suffix}.tmp", dir=path.parent)
        # Saved into memory first: a full disk then fails on our write, never inside the zip writer,
        # whose half-written ZipFile would complain from its __del__ after the Chinese message.
        buf = io.BytesIO()
        wb.save(buf)
        with os.fdopen(fd, "w+b") as fh:
            fh.write(buf.getbuffer())
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        _discard(wb)
        hint = "（文件是否正在 Excel/WPS 中打开？）" if isinstance(exc, PermissionError) else ""
        raise TousuError(f"无法写入「{path}」：{os_reason(exc)}{hint}") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
