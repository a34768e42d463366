"""Writing xlsx safely, for the bulletin, the half-year statistics and the 台账 export alike.

Cell values that can never run as a formula (SPEC §6): openpyxl writes any
string starting with '=' as a formula; Excel and WPS also evaluate text
starting with + - @ (and tab / CR tricks) when a user edits the cell. Text is
therefore written as an explicit string cell (data_type 's'), so it stays text
whatever a customer typed.

Files (SPEC §7): the output path is checked before anything is computed, and a
workbook appears whole or not at all, with the permissions any new file gets.
Times are naive China time, which is what Excel shows a person in China.
Imports no openpyxl: the caller hands in the workbook.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from tousu.errors import TousuError, os_reason
from tousu.timeutil import from_iso, to_china

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def set_text(cell: Any, value: Any) -> Any:
    """Set a cell (normal or write-only) so that strings are stored as plain text."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def excel_time(value: datetime | str | None) -> datetime | None:
    """An aware datetime or ISO text → naive China time for an Excel date cell."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = from_iso(value)
    return to_china(value).replace(tzinfo=None)


def check_output(path: Path) -> Path:
    """-o must name a writable .xlsx file in an existing folder; call it before computing anything."""
    path = Path(path)
    if path.is_dir():
        raise TousuError(f"输出文件「{path}」是一个目录，请给出文件名（如 {path / '通报.xlsx'}）")
    if path.suffix.lower() != ".xlsx":
        hint = f"（如 {path.with_suffix('.xlsx').name}）" if path.name and path.suffix != path.name else ""
        raise TousuError(f"输出文件「{path}」应以 .xlsx 结尾{hint}")
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
    """Save an openpyxl workbook so that `path` is the old file or the new one, never half of one.

    A temporary file in the same folder is saved, flushed to disk, given the
    usual permissions (0666 less the umask; mkstemp makes it 0600) and renamed
    into place. A file-system error becomes a TousuError naming the path.
    """
    path = Path(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx.tmp", dir=path.parent)
        with os.fdopen(fd, "w+b") as fh:
            wb.save(fh)
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
