"""An unexpected failure (a bug, a broken machine): exit 2, a Chinese message, the traceback in a log file.

Exit status 1 means "有超期" to cron (`check-overdue`); Python's own exit status
for an uncaught exception is 1, so a crash would read as "something overdue"
and never be mailed. Here every unexpected exception becomes exit 2 with one
Chinese line on stderr naming the log file that holds the traceback; the
traceback itself never reaches the screen (it may hold a customer's data and
means nothing to a clerk). The log lives in the user's state folder
(`TOUSU_LOG_DIR`, else `$XDG_STATE_HOME/tousu/logs` or `~/.local/state/tousu/logs`,
on Windows `%LOCALAPPDATA%\\tousu\\logs`), else in a private folder under the
system's temporary folder; it is readable by this user only (0600).
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

EXIT_ERROR = 2


def _candidates() -> list[Path]:
    out: list[Path] = []
    explicit = os.environ.get("TOUSU_LOG_DIR")
    if explicit:
        out.append(Path(explicit))
    try:
        if os.name == "nt":  # pragma: no cover - Windows only
            base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
            out.append(Path(base) / "tousu" / "logs")
        else:
            state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
            out.append(Path(state) / "tousu" / "logs")
    except (RuntimeError, KeyError, OSError):  # no home directory (service account, uid not in passwd)
        pass
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    out.append(Path(tempfile.gettempdir()) / f"tousu-{uid}-logs")
    return out


def _text(exc: BaseException) -> str:
    from tousu import __version__

    head = (f"tousu {__version__} · Python {sys.version.split()[0]} · {datetime.now().astimezone().isoformat()}\n"
            f"命令：{' '.join(sys.argv)}\n\n")
    return head + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def write_log(exc: BaseException) -> Path | None:
    """Write the traceback to a new file in the first usable log folder; None if none is writable."""
    try:
        text = _text(exc)
    except Exception:  # noqa: BLE001 - even formatting may fail (MemoryError): log what we can
        text = f"{type(exc).__name__}\n"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for folder in _candidates():
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if folder.is_symlink() or (hasattr(os, "getuid") and folder.stat().st_uid != os.getuid()):
                continue  # a shared temp folder: never write into one another user made
            fd, name = tempfile.mkstemp(prefix=f"crash-{stamp}-", suffix=".log", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as fh:
                fh.write(text)
            return Path(name)
        except OSError:
            continue
    return None


def message(log: Path | None) -> str:
    """What the user reads on stderr (and check-overdue's JSON `errors`)."""
    if log is None:
        return "tousu 内部错误，未能完成（错误详情也无法写入日志文件）；请联系维护人员。"
    return f"tousu 内部错误，未能完成；错误详情已写入 {log}，请把该文件交给维护人员。"


def report(exc: BaseException) -> str:
    """Log `exc` and return the Chinese message naming the log."""
    return message(write_log(exc))


def unraisable(info: "sys.UnraisableHookArgs") -> None:
    """sys.unraisablehook: an exception Python cannot raise (in a __del__, a generator closed by the
    collector, e.g. openpyxl's ZipFile after a failed save) is logged, never printed on the screen."""
    if info.exc_value is not None:
        try:
            write_log(info.exc_value)
        except BaseException:  # noqa: BLE001 - nothing may escape a hook at interpreter shutdown
            pass
