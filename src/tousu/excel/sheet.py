"""A streaming worksheet laid out for reading and for A4 print, and the styles the bulletin uses.

Every font is named for Chinese (等线, GB2312 charset) so Excel, WPS and LibreOffice agree; every
sheet prints with a header (company, 月份, 内部资料 when customers are unmasked) and a footer
`第 N 页 共 M 页`. Strings are always text cells (excel.xmlrows), times real Excel dates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.properties import PageSetupProperties

from tousu.excel.safe import excel_time
from tousu.excel.xmlrows import rows_sheet

FONT = "等线"
GB2312 = 134  # the font's character set: tells Excel and WPS it is a Chinese font


def _font(**kw: Any) -> Font:
    return Font(name=FONT, charset=GB2312, **kw)


def chinese_workbook() -> Workbook:
    """A write-only workbook whose default font (every unstyled cell) is 等线 11 pt, Chinese."""
    wb = Workbook(write_only=True)
    base = Font(name=FONT, charset=GB2312, family=2, sz=11)
    wb._fonts = IndexedList([base])
    wb._named_styles["Normal"].font = base
    return wb


DATE_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT = "0.0%"

_thin = Side(style="thin", color="999999")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_WRAPPING = {"label", "head", "wrap", "note", "warn", "title_wrap"}
_STYLES: dict[str, dict[str, Any]] = {
    "title": {"font": _font(bold=True, size=14)},
    "title_wrap": {"font": _font(bold=True, size=14), "alignment": Alignment(vertical="center", wrap_text=True)},
    "section": {"font": _font(bold=True, size=12)},
    "note": {"font": _font(italic=True, color="666666"), "alignment": Alignment(vertical="top", wrap_text=True)},
    "warn": {"font": _font(bold=True, color="C00000"), "alignment": Alignment(vertical="top", wrap_text=True)},
    "head": {"font": _font(bold=True), "fill": PatternFill("solid", fgColor="DDEBF7"), "border": _BORDER,
             "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True)},
    "label": {"font": _font(bold=True), "fill": PatternFill("solid", fgColor="F2F2F2"), "border": _BORDER,
              "alignment": Alignment(vertical="top", wrap_text=True)},
    "block": {"font": _font(bold=True, size=12, color="FFFFFF"), "fill": PatternFill("solid", fgColor="2F5597")},
    "cell": {},  # plain data: no per-cell style (grid lines are printed instead)
    "boxed": {"border": _BORDER, "alignment": Alignment(vertical="top")},  # on a sheet printing borders, not grid
    "none": {"border": _BORDER, "alignment": Alignment(horizontal="right", vertical="top")},  # a rate of nothing
    "left": {"border": _BORDER, "alignment": Alignment(horizontal="left", vertical="top")},
    "wrap": {"border": _BORDER, "alignment": Alignment(vertical="top", wrap_text=True)},
    "total": {"font": _font(bold=True), "border": _BORDER},
}


class Styled:
    """A value with a named style (and optionally a number format)."""

    __slots__ = ("value", "style", "fmt")

    def __init__(self, value: Any, style: str = "cell", fmt: str | None = None) -> None:
        self.value, self.style, self.fmt = value, style, fmt


def text_width(text: str) -> int:
    """Display width, roughly: CJK characters (3 bytes in UTF-8) take two columns, ASCII one."""
    return len(text) + (len(text.encode("utf-8")) - len(text)) // 2


def print_width(text: str) -> float:
    """Width in print, generously: a CJK character of 11 pt takes about 2.5 column units where
    LibreOffice's or WPS's default digit is narrower than Excel's, other characters 1.25; so that
    a row's height estimate never falls short and no wrapped line is cut at the row's foot."""
    wide = (len(text.encode("utf-8")) - len(text)) // 2
    return wide * 2.5 + (len(text) - wide) * 1.25


def lines_of(text: str, width: float) -> int:
    """Wrapped lines of `text` in a column `width` units wide (print_width: on the safe side)."""
    per_line = max(width - 2, 1)
    text = str(text)
    if "\n" not in text:  # most cells: one paragraph
        return max(1, math.ceil(print_width(text) / per_line))
    return sum(max(1, math.ceil(print_width(part) / per_line)) for part in text.split("\n"))


def row_height(lines: int) -> float | None:
    """A row's height for `lines` wrapped lines (Excel's rows stop at 409 points), None for one line."""
    return min(409, LINE_HEIGHT * lines + 3) if lines > 1 else None


MASKED_NOTE = "客户姓名、电话、户号、地址已屏蔽（对投诉举报者严格保密）。"
UNMASKED_NOTE = "内部资料：本表未屏蔽客户信息，仅供市场营销部内部使用，不得外传。"
LINE_HEIGHT = 15  # points per line of 11-point text, as Excel and WPS lay it out


PX_PER_CHAR = 8  # a column width unit in print, for 等线 11 pt (Excel's own is 7 px for Calibri): on the safe side
A4_IN = (8.27, 11.69)
MARGIN_IN = (0.4, 0.6)  # left/right, top/bottom
MIN_PRINT_PT = 8


def column_px(width: float) -> float:
    return width * PX_PER_CHAR + 5


def printable_px(landscape: bool) -> float:
    w = A4_IN[1] if landscape else A4_IN[0]
    return (w - 2 * MARGIN_IN[0]) * 96


def printable_height_pt(landscape: bool) -> float:
    h = A4_IN[0] if landscape else A4_IN[1]
    return (h - 2 * MARGIN_IN[1]) * 72


class PageHeader:
    """What every printed page of a sheet says above and below: company and month; 内部资料 when unmasked;
    `第 N 页 共 M 页`."""

    def __init__(self, company: str = "", title: str = "", internal: bool = False) -> None:
        self.company, self.title, self.internal = company, title, internal

    def apply(self, ws: Any, sheet: str) -> None:
        parts = ((ws.oddHeader.left, self.company.replace("&", "&&")),
                 (ws.oddHeader.center, f"{self.title}　{sheet}".strip().replace("&", "&&")),
                 (ws.oddFooter.center, "第 &P 页 共 &N 页"))  # &P, &N: Excel's page number and count
        for part, text in parts:
            part.text, part.font, part.size = text, FONT, 9
        if self.internal:
            right = ws.oddHeader.right
            right.text, right.font, right.size, right.color = "内部资料 不得外传", f"{FONT},Bold", 10, "C00000"


class Sheet:
    """A streaming worksheet (its rows written as text, excel.xmlrows) with Chinese headers, widths,
    frozen header and A4 print setup.

    It prints its own columns only (the print area is set by `finish`), fitted to the width of
    an A4 page. A list sheet prints grid lines; a `boxed` sheet (the summaries, with blank rows,
    section titles and charts between small tables) prints borders round its tables instead.
    """

    def __init__(self, wb: Workbook, title: str, widths: Sequence[float], *, landscape: bool,
                 freeze: str | None = None, print_rows: str | None = None, boxed: bool = False,
                 header: PageHeader | None = None) -> None:
        self.ws = rows_sheet(wb, title)
        self.widths = list(widths)
        self.landscape = landscape
        self.heights: dict[int, float] = {}
        self.row = 0
        self.last_row = 0  # rows a chart reaches below the written ones count for the print area
        self.boxed = boxed
        self.cols = len(self.widths)  # the widest row written
        self._styles: dict[tuple[str, str | None], int] = {}
        for i, w in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = w
        ps = self.ws.page_setup
        ps.paperSize = 9  # A4
        ps.orientation = "landscape" if landscape else "portrait"
        ps.fitToWidth = 1
        ps.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        self.ws.page_margins.left = self.ws.page_margins.right = 0.4
        self.ws.page_margins.top = self.ws.page_margins.bottom = 0.6
        self.ws.page_margins.header = self.ws.page_margins.footer = 0.3
        self.ws.print_options.horizontalCentered = True
        self.ws.print_options.gridLines = not boxed
        if freeze:
            self.ws.freeze_panes = freeze
        if print_rows:
            self.ws.print_title_rows = print_rows
        (header or PageHeader()).apply(self.ws, title)

    @property
    def scale(self) -> float:
        """How much fitting the columns to the page's width shrinks the print (1 = not at all)."""
        return min(1.0, printable_px(self.landscape) / sum(column_px(w) for w in self.widths[:self.cols]))

    def page_points(self) -> float:
        """Row points that fit on one printed page at this sheet's scale (the repeated title rows excluded)."""
        return printable_height_pt(self.landscape) / self.scale

    def add(self, values: Iterable[Any] = (), *, style: str = "cell", height: float | None = None,
            merge: int | None = None, spans: Sequence[tuple[int, int]] = ()) -> int:
        """Append a row; strings become text cells, datetimes Excel dates. Returns the row number.

        `merge` merges columns 1..merge; `spans` merges (first, last) column pairs (1-based)."""
        self.row += 1
        if self.boxed and style == "cell":
            style = "boxed"
        cells = []
        for v in values:
            if isinstance(v, Styled):
                cells.append(self._cell(v.value, "boxed" if self.boxed and v.style == "cell" else v.style, v.fmt))
            else:
                cells.append(self._cell(v, style, None))
        self.heights[self.row] = height or LINE_HEIGHT
        if merge and merge > 1:
            self.ws.merged_cells.add(f"A{self.row}:{get_column_letter(merge)}{self.row}")
        for first, last in spans:
            self.ws.merged_cells.add(f"{get_column_letter(first)}{self.row}:{get_column_letter(last)}{self.row}")
        if len(cells) > self.cols:
            self.cols = len(cells)
        self.ws.add_row(cells, height)
        return self.row

    def fit_height(self, values: Sequence[Any], spans: Sequence[tuple[int, int]] = (), *,
                   style: str = "cell") -> float | None:
        """The height a row needs for its wrapped text (Excel and WPS do not fit rows themselves), or
        None for one line. Only cells of a wrapping style count; a cell that starts a span wraps in
        the width of the whole span."""
        span_width = {first - 1: sum(self.widths[first - 1:last]) for first, last in spans}
        lines = 1
        for i, v in enumerate(values):
            raw, wraps = (v.value, v.style in _WRAPPING) if isinstance(v, Styled) else (v, style in _WRAPPING)
            if wraps and isinstance(raw, str) and i < len(self.widths):
                lines = max(lines, lines_of(raw, span_width.get(i, self.widths[i])))
        return row_height(lines)

    def wrapped(self, values: Sequence[Any], *, style: str = "wrap", spans: Sequence[tuple[int, int]] = ()) -> int:
        """A row of wrapped text, tall enough for its longest cell."""
        return self.add(values, style=style, height=self.fit_height(values, spans, style=style), spans=spans)

    def chart(self, chart: BarChart, first_col: int, first_row: int, last_col: int, last_row: int) -> None:
        """Place a chart over a block of cells (columns and rows 1-based, inclusive), so that it
        keeps to that block whatever row heights Excel, WPS or LibreOffice use."""
        anchor = TwoCellAnchor()
        anchor._from = AnchorMarker(col=first_col - 1, row=first_row - 1)
        anchor.to = AnchorMarker(col=last_col, row=last_row)
        self.ws.add_chart(chart, anchor)
        self.last_row = max(self.last_row, last_row)

    def finish(self) -> None:
        """Print the sheet's own columns and rows (charts included), not a page of empty grid."""
        last = max(self.row, self.last_row, 1)
        self.ws.print_area = f"A1:{get_column_letter(self.cols)}{last}"

    def _cell(self, value: Any, style: str, fmt: str | None) -> tuple[Any, int]:
        """(value, style id) for excel.xmlrows: a datetime as naive China time in DATE_FORMAT."""
        if isinstance(value, datetime):
            value = excel_time(value)
            fmt = fmt or DATE_FORMAT
        key = (style, fmt)
        found = self._styles.get(key)
        if found is None:  # fonts, fills and borders looked up once per (style, format), not cell by cell
            attrs = dict(_STYLES.get(style, {}), **({"number_format": fmt} if fmt else {}))
            found = self._styles[key] = self.ws.style_of(**attrs)
        return value, found


def count_step(largest: float) -> int:
    """A whole-number step for an axis of counts up to `largest`: 1, 2, 5, 10, 20, 50 … (about 10 steps)."""
    step = 1
    while largest / step > 10:
        for factor in (2, 5 / 2, 2):
            step = round(step * factor)
            if largest / step <= 10:
                break
    return step


def count_chart(kind: str, title: str, cat_title: str, largest: float) -> BarChart:
    """A bar chart of counts: its value axis starts at 0 and steps in whole numbers (a count of
    complaints has no halves), and both axes are drawn (delete=0 written out for Excel)."""
    chart = BarChart()
    chart.type = kind
    chart.title = title
    chart.x_axis.title = cat_title
    chart.y_axis.title = "件"
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorUnit = count_step(largest)
    chart.y_axis.number_format = "0"
    chart.x_axis.delete = chart.y_axis.delete = False
    return chart


def header_row(sh: Sheet, heads: Sequence[str]) -> int:
    return sh.add([Styled(h, "head") for h in heads], height=30)


def note(sh: Sheet, r: dict[str, Any], span: int) -> None:
    row = [Styled(UNMASKED_NOTE if r["unmasked"] else MASKED_NOTE, "warn" if r["unmasked"] else "note")]
    sh.add(row, merge=span, height=sh.fit_height(row, [(1, span)]))


def page_header(r: dict[str, Any]) -> PageHeader:
    return PageHeader(r.get("company") or "", f"{r['month_zh']}客户投诉通报", r["unmasked"])
