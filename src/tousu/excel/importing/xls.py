"""Old .xls workbooks (BIFF, as many 95598 exports still are), read with xlrd (≥ 2.0 reads .xls only).

Gives the few things `sheets` asks of an openpyxl read-only workbook: sheet names,
sheets by name with `title`, `max_row` and `iter_rows(values_only=True)`, and
`close()`. Date cells come back as datetimes, as openpyxl gives them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from tousu.errors import TousuError

XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file: .xls (and .et, .doc …)
CONVERT = "请在 Excel 或 WPS 中打开它，「文件 → 另存为」选择「Excel 工作簿 (*.xlsx)」，再导入另存的 .xlsx 文件"


def is_xls(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(8) == XLS_MAGIC
    except OSError:
        return False


class _Sheet:
    def __init__(self, sh: Any, datemode: int) -> None:
        self._sh, self._datemode = sh, datemode
        self.title = sh.name
        self.max_row = sh.nrows

    def _value(self, cell: Any) -> Any:
        import xlrd

        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return None
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                return xlrd.xldate.xldate_as_datetime(cell.value, self._datemode)
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                return cell.value
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return None
        return cell.value

    def iter_rows(self, values_only: bool = True) -> Iterator[tuple[Any, ...]]:
        for i in range(self._sh.nrows):
            yield tuple(self._value(c) for c in self._sh.row(i))


class XlsBook:
    """An .xls workbook with the openpyxl read-only interface `sheets.read` uses."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self.sheetnames = book.sheet_names()
        self.epoch = datetime(1904, 1, 1) if book.datemode == 1 else datetime(1899, 12, 30)

    def __getitem__(self, name: str) -> _Sheet:
        return _Sheet(self._book.sheet_by_name(name), self._book.datemode)

    def close(self) -> None:
        self._book.release_resources()


def open_xls(path: Path) -> XlsBook:
    try:
        import xlrd
    except ImportError:  # a dependency of tousu; missing only in a broken install
        raise TousuError(f"「{path}」是旧版 .xls 文件，读取它需要 xlrd（pip install 'xlrd>=2.0.1'）；或者{CONVERT}") from None
    try:
        return XlsBook(xlrd.open_workbook(str(path), on_demand=True))
    except Exception:  # noqa: BLE001 - xlrd raises many kinds for a damaged file
        raise TousuError(f"「{path}」不是有效的 .xls 文件，无法读取；旧版 .xls 请先在 Excel/WPS 中另存为 .xlsx：{CONVERT}") from None
