"""Cell values that can never run as a formula (SPEC §6).

openpyxl writes any string starting with '=' as a formula; Excel and WPS also
evaluate text starting with + - @ (and tab / CR tricks) when a user edits the
cell. Text is therefore written as an explicit string cell (data_type 's'),
so it stays text whatever a customer typed.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def set_text(cell: Any, value: Any) -> Any:
    """Set a cell (normal or write-only) so that strings are stored as plain text."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
