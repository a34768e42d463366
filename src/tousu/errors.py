"""The one error type the CLI maps to exit status 2, and located problems.

Errors are values of one protocol, `Located`: a `Problem` names the file and line
it came from, a `SheetProblem` the sheet, row and column of a workbook. Each is
rendered once, by its `__str__` (`path:line: message`, 「处理记录」第3行，「受理时间」：…),
and serialised once, by `as_json`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


class TousuError(Exception):
    """A user-facing failure; its message is Chinese and names the bad value."""

    def __init__(self, message: str, problems: tuple["Problem", ...] = (), field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems
        self.field = field  # which input was wrong, as data (e.g. "phone"), for callers that place it


@contextlib.contextmanager
def about(field: str) -> Iterator[None]:
    """A TousuError raised inside that names no field is about this one (e.g. org.person for approved_by)."""
    try:
        yield
    except TousuError as exc:
        if exc.field is None:
            exc.field = field
        raise


class Located(Protocol):
    """A problem that knows where it is: rendered by str(), serialised by as_json()."""

    message: str

    def as_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file, at a line (1-based; 0 when unknown)."""

    path: Path | str
    line: int
    message: str
    code: str = ""  # a stable code (e.g. E101) for `tousu check`; empty when none

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.code + ' ' if self.code else ''}{self.message}"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": str(self.path), "line": self.line, "message": self.message}
        if self.code:
            data["code"] = self.code
        return data


@dataclass(frozen=True)
class SheetProblem:
    """Something wrong in a workbook: 「处理记录」第N行，「列名」：原因 (row 0: the sheet as a whole)."""

    row: int
    column: str | None
    message: str
    sheet: str | None = None  # None: the main sheet

    def __str__(self) -> str:
        where = f"「{self.sheet}」" if self.sheet else ""
        if self.row:
            where += f"第{self.row}行"
        if self.column:
            where += f"，「{self.column}」" if self.row else f"「{self.column}」"
        return f"{where}：{self.message}" if where else self.message

    def as_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


def choices(values) -> str:
    """Render valid choices for a message: 「a、b、c」."""
    return "、".join(str(v) for v in values) or "（无）"


def os_reason(exc: OSError) -> str:
    """Why a file-system call failed, in Chinese (by errno: wrapped errors keep it)."""
    import errno

    reasons = {errno.ENOSPC: "磁盘已满", errno.EDQUOT: "超出磁盘配额", errno.EACCES: "没有写入权限",
               errno.EPERM: "没有写入权限", errno.EROFS: "只读文件系统", errno.ENOENT: "文件或目录不存在"}
    return reasons.get(exc.errno or 0) or f"文件系统错误（{exc.strerror or exc}）"


def shown(value: object, limit: int = 60) -> str:
    """A value as a message may show it: text cut to `limit` characters (…), a list or mapping only
    named, never str() of something unbounded (a record's value can be a megabyte, or nested)."""
    if isinstance(value, (list, tuple)):
        return f"（{len(value)} 项的列表）"
    if isinstance(value, dict):
        return f"（{len(value)} 个键的键值表）"
    text = value if isinstance(value, str) else repr(value) if not isinstance(value, (int, float, bool)) else str(value)
    if len(text) > limit:
        return text[:limit] + f"…（共 {len(text)} 个字符）"
    return text
