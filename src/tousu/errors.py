"""The one error type the CLI maps to exit status 2, and located problems.

Errors are values: a `Problem` names the file and line it came from and is
rendered once, as `path:line: message`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class TousuError(Exception):
    """A user-facing failure; its message is Chinese and names the bad value."""

    def __init__(self, message: str, problems: tuple["Problem", ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file, at a line (1-based; 0 when unknown)."""

    path: Path | str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


def choices(values) -> str:
    """Render valid choices for a message: 「a、b、c」."""
    return "、".join(str(v) for v in values) or "（无）"


def os_reason(exc: OSError) -> str:
    """Why a file-system call failed, in Chinese (by errno: wrapped errors keep it)."""
    import errno

    reasons = {errno.ENOSPC: "磁盘已满", errno.EDQUOT: "超出磁盘配额", errno.EACCES: "没有写入权限",
               errno.EPERM: "没有写入权限", errno.EROFS: "只读文件系统", errno.ENOENT: "文件或目录不存在"}
    return reasons.get(exc.errno or 0) or f"文件系统错误（{exc.strerror or exc}）"
