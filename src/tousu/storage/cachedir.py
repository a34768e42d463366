"""The user's cache folder (parse cache and index), and the one warning when there is none.

`TOUSU_CACHE_DIR`, else `$XDG_CACHE_HOME/tousu`, else `~/.cache/tousu` (on
Windows `%LOCALAPPDATA%\\tousu\\cache`). A service account run by cron may have
no home directory at all (HOME unset, its uid not in /etc/passwd): then there
is no cache folder, every command works from the record files (the same
answers, only slower), and the command says so once (`notices`).
"""

from __future__ import annotations

import os
from pathlib import Path

NO_HOME = ("找不到可用的缓存目录（未设置 HOME，当前用户在系统中也没有主目录），本次直接读取记录文件，结果相同但较慢；"
           "可用环境变量 TOUSU_CACHE_DIR 指定一个缓存目录")

_notices: dict[str, None] = {}


def home() -> Path | None:
    """This user's tousu cache folder, or None when the user has no home directory to put it in."""
    explicit = os.environ.get("TOUSU_CACHE_DIR")
    if explicit:
        return Path(explicit)
    try:
        if os.name == "nt":  # pragma: no cover - Windows only
            base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
            return Path(base) / "tousu" / "cache"
        xdg = os.environ.get("XDG_CACHE_HOME")
        if xdg and Path(xdg).is_absolute():  # a relative one is to be ignored (XDG base directory spec)
            return Path(xdg) / "tousu"
        user_home = Path.home()
    except (RuntimeError, KeyError, OSError):  # "Could not determine home directory"
        user_home = Path()
    if not user_home.is_absolute():  # HOME="" would put the cache in the current folder
        notice(NO_HOME)
        return None
    return user_home / ".cache" / "tousu"


def notice(text: str) -> None:
    """A warning for the person, said once per command however often it arises."""
    _notices[text] = None


def notices() -> list[str]:
    """The warnings collected so far (and forget them: each is said once)."""
    out = list(_notices)
    _notices.clear()
    return out
