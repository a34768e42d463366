"""What one cell of an imported workbook says, and where a problem sits (sheet, row, column)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from tousu.errors import SheetProblem
from tousu.timeutil import CHINA, check_year, parse_datetime, to_china

Progress = Callable[[str, int, int | None], None]  # (phase, done, total)

_NUMBER = re.compile(r"^\d+(\.\d+)?$")
# 20261103090512, 202611030905, 20261103: a 95598 export's compact times (never an Excel serial: those have 7 digits at most)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$")


RowProblem = SheetProblem  # the importer's name for a workbook problem


def text(value: Any) -> str | None:
    """A cell as trimmed text; numbers without a spurious '.0' (phone and account numbers)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    s = str(value).strip()
    return s or None


def when(value: Any, epoch: datetime) -> datetime:
    """A cell as China time: a real date, an Excel serial number or text in the usual forms."""
    from openpyxl.utils.datetime import from_excel

    if isinstance(value, datetime):
        return check_year(to_china(value))
    if isinstance(value, date):
        return check_year(to_china(datetime.combine(value, time())))
    if isinstance(value, time):
        raise ValueError(f"「{value}」只有时刻没有日期")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value)) if value >= 10_000_000 else value
    if isinstance(value, str) and _COMPACT.match(value.strip()):
        return _compact(value.strip())
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        value = float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2958466:  # 1900-01-01 … 9999-12-31
            raise ValueError(f"数值「{text(value)}」不是 Excel 日期")
        dt = from_excel(value, epoch) + timedelta(microseconds=500_000)  # to the nearest second
        return check_year(to_china(dt.replace(microsecond=0)), text(value))
    return parse_datetime(str(value))


def _compact(s: str) -> datetime:
    y, mo, d, h, mi, sec = _COMPACT.match(s).groups()  # type: ignore[union-attr]
    try:
        dt = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0))
    except ValueError:
        raise ValueError(f"时间「{s}」不是有效的日期时间（应为年月日时分秒，如 20261103090512）") from None
    return check_year(dt.replace(tzinfo=CHINA), s)
