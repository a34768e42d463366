"""A write-only worksheet whose rows are written as SpreadsheetML text, not as openpyxl cell objects.

openpyxl's write-only worksheet makes a cell object and an lxml element for every cell: some 15 µs
each, three seconds for the 190,000 cells of a province's monthly bulletin. Here a row is one string
(about a microsecond a cell), kept in a temporary file while the sheet is written. openpyxl still
writes everything around the rows (columns, frozen panes, merged cells, print setup, header and
footer, charts, styles); when it closes the sheet, the rows are put into its `<sheetData>`.

Cells are what openpyxl would write for the same values: a string is always an inline string (so
text a customer typed never becomes a formula, excel.safe), a number or bool its value, a date or
datetime an Excel serial number (naive: the caller gives China time), None an empty cell that
keeps its style. Control characters a worksheet cannot hold are taken out, as the rest of tousu's
xlsx writing does.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

_CHUNK = 1 << 20  # characters of row text gathered before they are written to the temporary file


def _text(value: str) -> str:
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    body = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if value != value.strip():
        return f'<is><t xml:space="preserve">{body}</t></is>'
    return f"<is><t>{body}</t></is>"


def _number(value: float) -> str:
    return "%.16g" % value  # as openpyxl's safe_string


class RowsWorksheet(WriteOnlyWorksheet):
    """A streaming worksheet that takes whole rows of (value, style id) and writes them as text."""

    def __init__(self, parent: Any, title: str) -> None:
        super().__init__(parent, title)
        self._cells: dict[Any, Any] = {}  # openpyxl's own rows: none (it writes an empty sheetData)
        self._rows_file = tempfile.TemporaryFile()
        self._pending: list[str] = []
        self._pending_size = 0
        self._letters: list[str] = []
        self.rows_written = 0

    def style_id(self, style: StyleArray | None) -> int:
        """The workbook's number for a cell style (0: the default, written as no style at all)."""
        if style is None or not any(style):
            return 0
        return self.parent._cell_styles.add(style)

    def style_of(self, **attrs: Any) -> int:
        """The style id of a cell with these openpyxl attributes (font=…, border=…, number_format=…)."""
        proto = WriteOnlyCell(self)
        for name, value in attrs.items():
            setattr(proto, name, value)
        return self.style_id(proto._style)

    def add_row(self, cells: Iterable[tuple[Any, int]], height: float | None = None) -> int:
        """Append a row of (value, style id); returns its number. A `height` in points is kept as the
        row's own (customHeight)."""
        self.rows_written += 1
        r = self.rows_written
        parts = [f'<row r="{r}" ht="{height}" customHeight="1">' if height else f'<row r="{r}">']
        letters = self._letters
        for col, (value, style) in enumerate(cells):
            if col >= len(letters):
                letters.extend(get_column_letter(i) for i in range(len(letters) + 1, col + 2))
            s = f' s="{style}"' if style else ""
            ref = f"{letters[col]}{r}"
            if value is None or value == "":
                if style:
                    parts.append(f'<c r="{ref}"{s}/>')
            elif isinstance(value, str):
                parts.append(f'<c r="{ref}"{s} t="inlineStr">{_text(value)}</c>')
            elif isinstance(value, bool):
                parts.append(f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float)):
                parts.append(f'<c r="{ref}"{s}><v>{_number(value)}</v></c>')
            elif isinstance(value, (datetime, date)):
                parts.append(f'<c r="{ref}"{s}><v>{_number(to_excel(value))}</v></c>')
            else:
                raise TypeError(f"a worksheet cell cannot hold {type(value).__name__}: {value!r}")
        parts.append("</row>")
        text = "".join(parts)
        self._pending.append(text)
        self._pending_size += len(text)
        if self._pending_size > _CHUNK:
            self._flush()
        return r

    def _flush(self) -> None:
        self._rows_file.write("".join(self._pending).encode("utf-8", "replace"))
        self._pending.clear()
        self._pending_size = 0

    def close(self) -> None:
        """openpyxl writes the sheet around an empty sheetData; the rows go in there."""
        super().close()
        self._flush()
        path = self._writer.out
        with open(path, "rb") as f:
            skeleton = f.read()
        start = skeleton.index(b"<sheetData")
        opened = skeleton.index(b">", start)
        end = opened + 1 if skeleton[opened - 1:opened] == b"/" else skeleton.index(b"</sheetData>") + 12
        spliced = f"{path}.rows"
        with open(spliced, "wb") as out:
            out.write(skeleton[:start])
            out.write(b"<sheetData>")
            self._rows_file.seek(0)
            shutil.copyfileobj(self._rows_file, out, 1 << 20)
            out.write(b"</sheetData>")
            out.write(skeleton[end:])
        os.replace(spliced, path)
        self._rows_file.close()


def rows_sheet(wb: Any, title: str) -> RowsWorksheet:
    """A RowsWorksheet added to a write-only workbook, as `wb.create_sheet(title)` adds openpyxl's own."""
    ws = RowsWorksheet(parent=wb, title=title)
    wb._add_sheet(ws)
    return ws
