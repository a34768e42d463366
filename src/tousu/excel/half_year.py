"""The half-year statistics (第二十七条) as a plain workbook: one sheet per titled list of flat rows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tousu.excel.safe import save_atomic
from tousu.excel.sheet import PageHeader, Sheet, Styled, chinese_workbook, header_row, text_width
from tousu.timeutil import from_iso



def write_generic(title: str, sections: Sequence[tuple[str, list[dict[str, Any]]]], path: Path,
                  headers: dict[str, str], company: str = "") -> None:
    """A plain workbook, one sheet per titled list of flat rows (the half-year statistics); titles wrap, never cut."""
    wb = chinese_workbook()
    used: set[str] = set()
    for name, rows in sections:
        keys = list(dict.fromkeys(k for row in rows for k in row)) or ["内容"]
        widths = [max(10, min(40, max([text_width(headers.get(k, k))] + [text_width(str(row.get(k, "")))
                                                                          for row in rows[:200]]) + 2))
                  for k in keys]
        sheet_name = name[:31]
        while sheet_name in used:
            sheet_name = sheet_name[:29] + str(len(used))
        used.add(sheet_name)
        sh = Sheet(wb, sheet_name, widths, landscape=len(keys) > 6, freeze="A3", print_rows="1:2",
                   header=PageHeader(company, title))
        head = [Styled(f"{title} · {name}", "title_wrap")]
        sh.add(head, height=max(24, sh.fit_height(head, [(1, len(keys))]) or 0), merge=max(1, len(keys)))
        header_row(sh, [headers.get(k, k) for k in keys])
        for row in rows:
            sh.wrapped([_time_or(row.get(k)) if k in ("at",) else _plain(row.get(k)) for k in keys])
        if not rows:
            sh.add(["无"])
        sh.finish()
    save_atomic(wb, path)


def _plain(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return "、".join(str(x) for x in v)
    if isinstance(v, dict):
        return "；".join(f"{k}：{x}" for k, x in v.items())
    return v


def _time_or(v: Any) -> Any:
    try:
        return from_iso(v) if isinstance(v, str) else v
    except ValueError:
        return v
