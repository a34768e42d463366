"""What `check-overdue --new-since-last` already listed, in the user's cache folder (SPEC §4).

A cron that mails every 15 minutes should mail a stage once per warning level, not on
every run. The state is a small JSON file per data folder and filter (unit, level): the
level each listed stage had last time. It is never the truth: a lost or corrupt file
only means every current row is listed once more.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tousu.config import yamlio
from tousu.storage import cachedir


def state_path(data_dir: Path, *filters: str | None) -> Path | None:
    """None: no cache folder (a user without a home directory; cachedir says so), so every row is new."""
    home = cachedir.home()
    if home is None:
        return None
    key = "\0".join([str(data_dir.resolve()), *(f or "" for f in filters)])
    return home / "check-overdue" / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"


def row_key(row: dict[str, Any]) -> str:
    """One stage clock: the same complaint, stage and start."""
    return f"{row['id']}|{row['stage']}|{row['started']}"


def load(path: Path | None) -> dict[str, str | None]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(path: Path | None, seen: dict[str, str | None]) -> None:
    """Best effort: a cache that cannot be written only means listing again next time."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yamlio.write_atomic(path, json.dumps(seen, ensure_ascii=False, sort_keys=True))
    except OSError:
        pass


def only_new(rows: list[dict[str, Any]], seen: dict[str, str | None]) -> list[dict[str, Any]]:
    """The rows whose stage was not listed before at its current level."""
    return [r for r in rows if row_key(r) not in seen or seen[row_key(r)] != r.get("level")]
