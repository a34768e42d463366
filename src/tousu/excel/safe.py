"""Writing xlsx safely, for the bulletin, the half-year statistics and the 台账 export alike.

Cell values that can never run as a formula (SPEC §6): openpyxl writes any
string starting with '=' as a formula; Excel and WPS also evaluate text
starting with + - @ (and tab / CR tricks) when a user edits the cell. tousu's
sheets therefore write every string as an inline string cell (excel.xmlrows),
so it stays text whatever a customer typed; `set_text` does the same for a cell
of an ordinary openpyxl sheet.

Files (SPEC §7): tousu.files checks the output path before anything is computed,
and a workbook appears whole or not at all (both re-exported here). Times are
naive China time, which is what Excel shows a person in China.
Imports no openpyxl: the caller hands in the workbook.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tousu.files import check_output, save_atomic  # noqa: F401 - the xlsx writers' and commands' names
from tousu.timeutil import from_iso, to_china


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
