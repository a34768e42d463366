"""excel.xmlrows: rows written as SpreadsheetML text read back as what openpyxl's own cells would have
been — text stays text whatever it starts with, numbers and dates are numbers, styles and heights kept,
and everything openpyxl writes around the rows (widths, panes, merges, print setup) still there."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.datetime import from_excel

from tousu.excel.xmlrows import rows_sheet

TEXTS = ['=HYPERLINK("http://evil","x")', "+1", "-2", "@SUM(A1)", "a < b & c > d", "  前后有空格 ",
         "第一行\n第二行", "回车\r换行", "控制\x01字符\x1f去掉", "中文，标点。"]


def _book(tmp_path: Path, rows: list[tuple[list, float | None]], *, title: str = "表") -> Path:
    wb = Workbook(write_only=True)
    ws = rows_sheet(wb, title)
    ws.column_dimensions["A"].width = 30
    ws.freeze_panes = "A2"
    ws.merged_cells.add("A1:C1")
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    for cells, height in rows:
        ws.add_row(cells, height)
    path = tmp_path / "rows.xlsx"
    wb.save(path)
    return path


def test_values_read_back_as_written(tmp_path: Path) -> None:
    when = datetime(2026, 11, 13, 15, 40)
    rows = [([(t, 0)], None) for t in TEXTS]
    rows.append(([(12398, 0), (0.125, 0), (True, 0), (False, 0), (when, 0), (date(2026, 12, 31), 0), (None, 0),
                  ("", 0), (-3, 0)], None))
    ws = openpyxl.load_workbook(_book(tmp_path, rows))["表"]
    got = [ws.cell(i + 1, 1) for i in range(len(TEXTS))]
    assert [c.value for c in got] == [t.replace("\x01", "").replace("\x1f", "") for t in TEXTS]
    assert all(c.data_type == "s" for c in got)  # never a formula
    last = [c.value for c in ws[len(TEXTS) + 1]]
    assert last[:4] == [12398, 0.125, True, False]
    # serial numbers (openpyxl reads a date back only under a date format, which the caller's style gives)
    assert from_excel(last[4]) == when and from_excel(last[5]) == datetime(2026, 12, 31)
    assert last[6:8] == [None, None] and last[8] == -3


def test_styles_heights_and_what_openpyxl_writes_around_the_rows(tmp_path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = rows_sheet(wb, "表")
    proto = WriteOnlyCell(ws)
    proto.font = Font(bold=True, size=14)
    proto.number_format = "yyyy-mm-dd hh:mm"
    sid = ws.style_id(proto._style)
    assert sid > 0 and ws.style_id(None) == 0 and ws.style_id(WriteOnlyCell(ws)._style) == 0
    ws.freeze_panes = "B3"
    ws.merged_cells.add("A1:D1")
    ws.column_dimensions["B"].width = 17
    ws.add_row([("标题", sid)], 24)
    ws.add_row([], None)
    ws.add_row([(datetime(2026, 1, 1, 8, 0), sid), (None, sid)], 57.5)
    path = tmp_path / "s.xlsx"
    wb.save(path)

    back = openpyxl.load_workbook(path)["表"]
    assert back["A1"].font.b and back["A1"].font.sz == 14
    assert back["B3"].font.b and back["B3"].value is None  # an empty cell keeps its style (borders, fills)
    assert back["A3"].value == datetime(2026, 1, 1, 8, 0) and back["A3"].number_format == "yyyy-mm-dd hh:mm"
    assert back.row_dimensions[1].height == 24 and back.row_dimensions[3].height == 57.5
    assert back.row_dimensions[2].height is None
    assert back.freeze_panes == "B3"
    assert [str(r) for r in back.merged_cells.ranges] == ["A1:D1"]
    assert back.column_dimensions["B"].width == 17
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert xml.count("<sheetData>") == 1 and xml.index("<sheetData>") < xml.index("<mergeCells")


def test_an_empty_sheet_and_many_rows(tmp_path: Path) -> None:
    wb = Workbook(write_only=True)
    rows_sheet(wb, "空")
    big = rows_sheet(wb, "大")
    for n in range(30_000):  # more than one chunk of row text in the temporary file
        big.add_row([(f"第{n}行" + "长" * 40, 0), (n, 0)])
    path = tmp_path / "e.xlsx"
    wb.save(path)
    back = openpyxl.load_workbook(path, read_only=True)
    assert list(back["空"].iter_rows(values_only=True)) == []
    rows = list(back["大"].iter_rows(values_only=True))
    assert len(rows) == 30_000 and rows[-1] == ("第29999行" + "长" * 40, 29_999)
