"""The monthly bulletin as a spreadsheet a manager opens in Excel or WPS (SPEC §6).

Renders the dict of `report.month_report`; computes nothing itself. The only
module of the report that imports openpyxl. Written in write-only (streaming)
mode so a month of 10,000 complaints takes a second or two. Every string goes
through `xlsxsafe.set_text` (an explicit string cell), so nothing a customer
typed can run as a formula; times are real Excel dates (China time, no zone).
"""

from __future__ import annotations

import math
from copy import copy
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

from tousu.reports.monthly import RATES
from tousu.timeutil import from_iso
from tousu.excel.safe import excel_time, looks_like_formula, save_atomic, set_text

DATE_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT = "0.0%"
MASKED_NOTE = "客户姓名、电话、户号、地址已屏蔽（对投诉举报者严格保密）。"
UNMASKED_NOTE = "注意：本表未屏蔽客户信息，仅供市场营销部内部使用，不得外传。"

_thin = Side(style="thin", color="999999")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_WRAPPING = {"label", "head", "wrap", "note", "warn"}
_STYLES: dict[str, dict[str, Any]] = {
    "title": {"font": Font(bold=True, size=14)},
    "section": {"font": Font(bold=True, size=12)},
    "note": {"font": Font(italic=True, color="666666"), "alignment": Alignment(vertical="top", wrap_text=True)},
    "warn": {"font": Font(bold=True, color="C00000"), "alignment": Alignment(vertical="top", wrap_text=True)},
    "head": {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDEBF7"), "border": _BORDER,
             "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True)},
    "label": {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="F2F2F2"), "border": _BORDER,
              "alignment": Alignment(vertical="top", wrap_text=True)},
    "block": {"font": Font(bold=True, size=12, color="FFFFFF"), "fill": PatternFill("solid", fgColor="2F5597")},
    "cell": {},  # plain data: no per-cell style (grid lines are printed instead)
    "boxed": {"border": _BORDER, "alignment": Alignment(vertical="top")},  # on a sheet printing borders, not grid
    "none": {"border": _BORDER, "alignment": Alignment(horizontal="right", vertical="top")},  # a rate of nothing
    "left": {"border": _BORDER, "alignment": Alignment(horizontal="left", vertical="top")},
    "wrap": {"border": _BORDER, "alignment": Alignment(vertical="top", wrap_text=True)},
    "total": {"font": Font(bold=True), "border": _BORDER},
}


class Styled:
    """A value with a named style (and optionally a number format)."""

    __slots__ = ("value", "style", "fmt")

    def __init__(self, value: Any, style: str = "cell", fmt: str | None = None) -> None:
        self.value, self.style, self.fmt = value, style, fmt


def _text_width(text: str) -> int:
    """Display width, roughly: CJK characters (3 bytes in UTF-8) take two columns, ASCII one."""
    return len(text) + (len(text.encode("utf-8")) - len(text)) // 2


def _lines(text: str, width: float) -> int:
    return sum(max(1, math.ceil(_text_width(part) / max(width - 2, 1))) for part in str(text).split("\n"))


LINE_HEIGHT = 15  # points per line of 11-point text, as Excel and WPS lay it out


class Sheet:
    """A streaming worksheet with Chinese headers, widths, frozen header and A4 print setup.

    It prints its own columns only (the print area is set by `finish`), fitted to the width of
    an A4 page. A list sheet prints grid lines; a `boxed` sheet (the summaries, with blank rows,
    section titles and charts between small tables) prints borders round its tables instead.
    """

    def __init__(self, wb: Workbook, title: str, widths: Sequence[float], *, landscape: bool,
                 freeze: str | None = None, print_rows: str | None = None, boxed: bool = False) -> None:
        self.ws = wb.create_sheet(title)
        self.widths = list(widths)
        self.row = 0
        self.last_row = 0  # rows a chart reaches below the written ones count for the print area
        self.boxed = boxed
        self.cols = len(self.widths)  # the widest row written
        self._styles: dict[tuple[str, str | None], Any] = {}
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
        if height:
            self.ws.row_dimensions[self.row].height = height
        if merge and merge > 1:
            self.ws.merged_cells.add(f"A{self.row}:{get_column_letter(merge)}{self.row}")
        for first, last in spans:
            self.ws.merged_cells.add(f"{get_column_letter(first)}{self.row}:{get_column_letter(last)}{self.row}")
        if len(cells) > self.cols:
            self.cols = len(cells)
        self.ws.append(cells)
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
                lines = max(lines, _lines(raw, span_width.get(i, self.widths[i])))
        return min(409, LINE_HEIGHT * lines + 3) if lines > 1 else None

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

    def _cell(self, value: Any, style: str, fmt: str | None) -> Any:
        if style == "cell" and fmt is None and not isinstance(value, datetime) and not looks_like_formula(value):
            # A plain value: openpyxl stores it as is (a string not starting with '=' is always a string
            # cell), and skipping the cell object halves the time of a 10,000-complaint month.
            return value
        cell = WriteOnlyCell(self.ws)
        if isinstance(value, datetime):
            cell.value = excel_time(value)
            fmt = fmt or DATE_FORMAT
        elif value is None:
            pass
        elif isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
        cell._style = copy(self._style(style, fmt))
        return cell

    def _style(self, style: str, fmt: str | None) -> Any:
        """The style array of (style, number format), built once: setting fonts cell by cell is slow."""
        key = (style, fmt)
        found = self._styles.get(key)
        if found is None:
            proto = WriteOnlyCell(self.ws)
            for attr, v in _STYLES.get(style, {}).items():
                setattr(proto, attr, v)
            if fmt:
                proto.number_format = fmt
            found = self._styles[key] = proto._style
        return found


def _rate(value: float | None) -> Styled:
    return Styled("—", "none") if value is None else Styled(value, "cell", PERCENT)


def _change_ratio(value: float | None) -> Styled:
    return Styled("—（基数为0）") if value is None else Styled(value, "cell", "+0.0%;-0.0%;0.0%")


def _signed(n: int) -> Styled:
    return Styled(n, "cell", "+0;-0;0")


def _header(sh: Sheet, heads: Sequence[str]) -> int:
    return sh.add([Styled(h, "head") for h in heads], height=30)


def _note(sh: Sheet, r: dict[str, Any], span: int) -> None:
    sh.add([Styled(UNMASKED_NOTE if r["unmasked"] else MASKED_NOTE, "warn" if r["unmasked"] else "note")],
           merge=span)


def _count_step(largest: float) -> int:
    """A whole-number step for an axis of counts up to `largest`: 1, 2, 5, 10, 20, 50 … (about 10 steps)."""
    step = 1
    while largest / step > 10:
        for factor in (2, 5 / 2, 2):
            step = round(step * factor)
            if largest / step <= 10:
                break
    return step


def _count_chart(kind: str, title: str, cat_title: str, largest: float) -> BarChart:
    """A bar chart of counts: its value axis starts at 0 and steps in whole numbers (a count of
    complaints has no halves), and both axes are drawn (delete=0 written out for Excel)."""
    chart = BarChart()
    chart.type = kind
    chart.title = title
    chart.x_axis.title = cat_title
    chart.y_axis.title = "件"
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorUnit = _count_step(largest)
    chart.y_axis.number_format = "0"
    chart.x_axis.delete = chart.y_axis.delete = False
    return chart


# ---------------------------------------------------------------- sheets

_SUMMARY_WIDTHS = [34, 12, 12, 12, 12, 12, 12, 12, 12]
_RATE_SPANS = ((5, 6), (7, 9))  # 分子口径 in E:F, 分母口径 in G:I


def _summary(wb: Workbook, r: dict[str, Any]) -> None:
    cols = len(_SUMMARY_WIDTHS)
    sh = Sheet(wb, "汇总", _SUMMARY_WIDTHS, landscape=True, freeze="A2", boxed=True)
    sh.add([Styled(r["title"], "title")], height=24, merge=cols)
    sh.add([Styled("统计范围", "label"), Styled(f"{r['month']} 受理的投诉（中国时间）", "left")]
           + [Styled(None, "left")] * 3, spans=[(2, 5)])
    # B3 is the 统计截止 time: a date needs 16 columns, so it spans B:C
    sh.add([Styled("统计截止", "label"), Styled(from_iso(r["as_of"]), "left", DATE_FORMAT),
            Styled(None, "left")], spans=[(2, 3)])
    _note(sh, r, cols)
    sh.add()

    sh.add([Styled("一、总体情况", "section")])
    mom, yoy = r["month_on_month"], r["year_on_year"]
    _header(sh, ["指标", "本月", f"上月（{mom['month']}）", "环比增减", "环比", f"去年同月（{yoy['month']}）",
                 "同比增减", "同比"])
    for key, name in (("received", "受理投诉（件）"), ("counted", "属实且供电责任（件，第九条）")):
        m, y = mom[key], yoy[key]
        row = [Styled(name, "label"), m["current"], m["previous"], _signed(m["change"]), _change_ratio(m["ratio"]),
               y["previous"], _signed(y["change"]), _change_ratio(y["ratio"])]
        sh.add(row, height=sh.fit_height(row))
    row = [Styled("不计入统计（不属实或非供电责任、未核实）", "label"), r["not_counted"]]
    sh.add(row, height=sh.fit_height(row))
    note = f"同一户号或电话、同一投诉项，{r['repeat_window_days']}天内再次投诉"
    row = [Styled("重复投诉（件）", "label"), len(r["repeats"]), Styled(note, "note")]
    sh.add(row, height=sh.fit_height(row, [(3, 8)]), spans=[(3, 8)])
    sh.add([Styled("超期环节（个）", "label"), len(r["late"])])
    sh.add()

    sh.add([Styled("二、处理质量（第二十一条；口径见 docs/rates.md）", "section")])
    heads = ["指标", "比率", "分子", "分母", "分子口径", "", "分母口径", "", ""]
    sh.add([Styled(h, "head") for h in heads], height=30, spans=_RATE_SPANS)
    for rate in RATES:
        cnt = r["rate_counts"][rate.key]
        sh.wrapped([Styled(rate.name, "label"), _rate(r["rates"][rate.key]), cnt["numerator"], cnt["denominator"],
                    Styled(rate.numerator, "wrap"), Styled(None, "wrap"),
                    Styled(rate.denominator, "wrap"), Styled(None, "wrap"), Styled(None, "wrap")],
                   style="cell", spans=_RATE_SPANS)
    # 一 and 二 fill the first page; 三 (a row per unit) and the chart start the second, whole
    sh.ws.row_breaks.append(Break(id=sh.add()))

    sh.add([Styled("三、按责任单位", "section")])
    first = _header(sh, ["责任单位", "受理", "属实", "超期环节"] + [x.name for x in RATES])
    for unit, u in r["by_unit"].items():
        sh.add([Styled(unit, "label"), u["received"], u["counted"], u["late_stages"]]
               + [_rate(u["rates"][k.key]) for k in RATES])
    last = sh.row
    sh.add()

    # 四 and 五 are narrow tables (A:C): the chart of 三 stands to their right, in E:I
    chart_top = sh.add([Styled("四、按受理渠道", "section")])
    _header(sh, ["受理渠道", "受理", "属实"])
    for ch, v in r["by_channel"].items():
        sh.add([Styled(ch, "label"), v["received"], v["counted"]])
    sh.add()
    sh.add([Styled("五、属实投诉按事件等级", "section")])
    _header(sh, ["事件等级", "属实"])
    for sev, n in r["by_severity"].items():
        sh.add([Styled(sev, "label"), n])
    if last > first:
        largest = max([0] + [max(u["received"], u["counted"]) for u in r["by_unit"].values()])
        chart = _count_chart("col", "各责任单位受理与属实投诉", "责任单位", largest)
        chart.add_data(Reference(sh.ws, min_col=2, max_col=3, min_row=first, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sh.ws, min_col=1, min_row=first + 1, max_row=last))
        chart.legend.position = "b"
        sh.chart(chart, 5, chart_top, cols, sh.row)
    if r["warnings"]:
        sh.add()
        for w in r["warnings"]:
            row = [Styled(f"注意：{w}", "warn")]
            sh.add(row, merge=cols, height=sh.fit_height(row, [(1, cols)]))
    sh.finish()


def _categories(wb: Workbook, r: dict[str, Any]) -> None:
    units = list(r["by_unit"])
    # a unit's column holds small counts: its name wraps in the header (two lines) instead
    widths = [18, 14] + [max(8, min(16, math.ceil(_text_width(u) / 2) + 3)) for u in units] + [10, 10]
    sh = Sheet(wb, "分类统计", widths, landscape=len(units) > 5, freeze="C3", print_rows="2:2", boxed=True)
    sh.add([Styled(f"{r['month']} 属实投诉分类统计（四大类十七项 × 责任单位，第十条）", "title")],
           height=24, merge=len(widths))
    _header(sh, ["投诉大类", "投诉项"] + units + ["属实合计", "受理合计"])
    for item, v in r["by_item"].items():
        sh.add([Styled(v["category"], "label"), Styled(item, "label")]
               + [v["by_unit"].get(u, 0) for u in units] + [Styled(v["counted"], "total"), v["received"]])
    col_tot = [sum(v["by_unit"].get(u, 0) for v in r["by_item"].values()) for u in units]
    sh.add([Styled("合计", "total"), Styled("", "total")] + [Styled(n, "total") for n in col_tot]
           + [Styled(r["counted"], "total"), Styled(r["received"], "total")])
    sh.add()
    top = sh.add([Styled("按大类", "section")])
    first = _header(sh, ["投诉大类", "属实", "受理"])
    for cat, v in r["by_category"].items():
        sh.add([Styled(cat, "label"), v["counted"], v["received"]])
    last = sh.row
    largest = max([0] + [v["counted"] for v in r["by_category"].values()])
    chart = _count_chart("bar", "属实投诉按大类", "投诉大类", largest)
    chart.add_data(Reference(sh.ws, min_col=2, max_col=2, min_row=first, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sh.ws, min_col=1, min_row=first + 1, max_row=last))
    chart.legend = None  # one series: its name is the title
    sh.chart(chart, 5, top, min(len(widths), 10), top + 13)
    sh.finish()


_BLOCK_ROWS = (("经过", "course"), ("处理过程", "process"), ("原因", "cause"), ("责任", "responsibility"),
               ("整改措施", "measures"), ("人员处理考核意见", "opinion"))


def _bulletins(wb: Workbook, r: dict[str, Any]) -> None:
    sh = Sheet(wb, "投诉事件通报", [18, 92], landscape=False, freeze="A3")
    sh.add([Styled(f"{r['month']}《投诉事件通报》（第二十二条）：属实且供电责任 {len(r['bulletins'])} 件", "title")],
           height=24, merge=2)
    _note(sh, r, 2)
    if not r["bulletins"]:
        sh.add(["本月没有属实且供电责任的投诉。"])
    for n, b in enumerate(r["bulletins"], 1):
        sh.add()
        # not merged (thousands of merges make openpyxl quadratic): B's empty cell lets A's text run on
        sh.add([Styled(f"（{n}）{b['id']} {b['category']}·{b['item']}", "block"), Styled("", "block")], height=20)
        cu = b["customer"]
        sh.add([Styled("受理时间", "label"), Styled(from_iso(b["received_at"]), "left")])
        sh.wrapped([Styled("基本情况", "label"),
                    f"受理渠道：{b['channel']}；95598工单编号：{b['ref'] or '—'}；责任单位：{b['unit'] or '—'}；"
                    f"事件等级：{b['severity']}；状态：{b['state']}；回访：{b['revisit'] or '—'}"])
        sh.wrapped([Styled("客户", "label"),
                    f"{cu['name']}　电话：{cu['phone']}　户号：{cu['account'] or '—'}　地址：{cu['address'] or '—'}"])
        for label, key in _BLOCK_ROWS:
            sh.wrapped([Styled(label, "label"), b[key]])
    sh.finish()


_BASIS_WIDTH = 32  # 计算依据: "2026-11-09 15:40 起4个工作日" and the like on one line


def _late(wb: Workbook, r: dict[str, Any]) -> None:
    heads = ["编号", "投诉项", "环节", "责任方", "起算时间", "期限", "完成时间", "状态", "超期时长", "超期（小时）",
             "依据条款", "计算依据"]
    sh = Sheet(wb, "超期明细", [16, 10, 12, 14, 17, 17, 17, 20, 12, 10, 10, _BASIS_WIDTH], landscape=True, freeze="B3",
               print_rows="2:2")
    sh.add([Styled(f"{r['month']} 受理投诉的超期环节（{len(r['late'])} 个；截至 {r['as_of'][:16].replace('T', ' ')}）",
                   "title")], height=24, merge=len(heads))
    _header(sh, heads)
    for x in r["late"]:
        basis = x["basis"]
        height = None
        if _text_width(basis) > _BASIS_WIDTH - 2:  # a long basis (an approved extension's reason) wraps
            basis = Styled(basis, "wrap")
            height = LINE_HEIGHT * _lines(basis.value, _BASIS_WIDTH) + 3
        sh.add([x["id"], x["item"], x["stage_name"], x.get("owner") or x["unit"] or "—",
                from_iso(x["started"]), from_iso(x["deadline"]),
                from_iso(x["done_at"]) if x["done_at"] else "未完成",
                "至统计截止仍未完成" if x["pending"] else "超时完成", x["late_by"],
                Styled(round(x["minutes_late"] / 60, 1), "cell", "0.0"), x["clause"], basis], height=height)
    if not r["late"]:
        sh.add(["本月受理的投诉没有超期环节。"])
    sh.finish()


def _penalties(wb: Workbook, r: dict[str, Any]) -> None:
    heads = ["编号", "考核条款", "条款内容", "被考核人", "单位", "金额（元）", "依据", "登记时间", "处分/其他"]
    sh = Sheet(wb, "考核明细", [16, 18, 30, 10, 14, 10, 22, 17, 30], landscape=True, freeze="A3", print_rows="2:2")
    sh.add([Styled(f"{r['month']} 考核明细（第二十三至二十六条；按考核登记时间归月）", "title")], height=24,
           merge=len(heads))
    _header(sh, heads)
    total = 0
    for p in r["penalties"]:
        amount = p.get("amount") or 0
        total += amount
        sh.wrapped([p.get("id", ""), p.get("rule", ""), p.get("rule_name", ""), p.get("person") or "",
                    p.get("unit") or p.get("person_unit") or "", amount, p.get("clause", ""),
                    from_iso(p["at"]) if p.get("at") else None, p.get("sanction") or ""])
    if r["penalties"]:
        sh.add([Styled("合计", "total"), None, None, None, None, Styled(total, "total")])
    else:
        sh.add(["本月没有登记考核。"])
    if r.get("unit_fines"):
        sh.add()
        sh.add([Styled("责任单位考核（第二十六条等）", "section")])
        keys = sorted({k for f in r["unit_fines"] for k in f} - {"penalties"})
        ordered = [k for k in ("unit", "amount", "count", "cases", "clause") if k in keys] + \
                  [k for k in keys if k not in ("unit", "amount", "count", "cases", "clause")]
        names = {"unit": "单位", "amount": "金额（元）", "count": "件数", "cases": "编号", "clause": "依据",
                 "ids": "编号", "total": "合计（元）", "rule": "考核条款", "id": "编号"}
        _header(sh, [names.get(k, k) for k in ordered])
        for f in r["unit_fines"]:
            sh.wrapped([_plain(f.get(k)) for k in ordered])
    sh.finish()


def _plain(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return "、".join(str(x) for x in v)
    if isinstance(v, dict):
        return "；".join(f"{k}：{x}" for k, x in v.items())
    return v


def _ledger(wb: Workbook, r: dict[str, Any]) -> None:
    heads = ["姓名", "单位", "月度绩效", "上月结转", "本月考核", "本月应扣", "本月实扣", "结转下月"]
    keys = ["person", "unit", "monthly_performance", "carried_in", "assessed", "due", "deducted", "carried"]
    sh = Sheet(wb, "绩效扣款", [12, 16, 12, 12, 12, 12, 12, 12], landscape=False, freeze="A3", print_rows="2:2")
    sh.add([Styled(f"{r['month']} 绩效扣款台账（元；当月绩效不够扣除的移至下月，第二十八条）", "title")], height=24,
           merge=len(heads))
    _header(sh, heads)
    for row in r["ledger"]:
        sh.add([row.get(k) for k in keys])
    if not r["ledger"]:
        sh.add(["本月没有需要扣款的人员。"])
    sh.finish()


def _repeats(wb: Workbook, r: dict[str, Any]) -> None:
    heads = ["编号", "受理时间", "前次投诉", "前次受理时间", "间隔（天）", "相同", "投诉项", "责任单位", "客户", "电话", "户号"]
    sh = Sheet(wb, "重复投诉", [16, 17, 16, 17, 10, 10, 10, 14, 10, 14, 16], landscape=True, freeze="A3",
               print_rows="2:2")
    sh.add([Styled(f"{r['month']} 重复投诉（同一户号或电话、同一投诉项，{r['repeat_window_days']}天内）", "title")],
           height=24, merge=len(heads))
    _header(sh, heads)
    for x in r["repeats"]:
        sh.add([x["id"], from_iso(x["received_at"]), x["previous_id"], from_iso(x["previous_received_at"]),
                x["days_apart"], x["match"], x["item"], x["unit"] or "—", x["customer"], x["phone"], x["account"]])
    if not r["repeats"]:
        sh.add(["本月没有重复投诉。"])
    sh.finish()


def write_month(report: dict[str, Any], path: Path) -> None:
    """Write the bulletin; the file appears whole or not at all."""
    wb = Workbook(write_only=True)
    _summary(wb, report)
    _categories(wb, report)
    _bulletins(wb, report)
    _late(wb, report)
    _penalties(wb, report)
    _ledger(wb, report)
    _repeats(wb, report)
    wb.properties.title = report["title"]
    wb.properties.creator = "tousu"
    save_atomic(wb, path)


def write_generic(title: str, sections: Sequence[tuple[str, list[dict[str, Any]]]], path: Path,
                  headers: dict[str, str]) -> None:
    """A plain workbook, one sheet per titled list of flat rows (the half-year statistics)."""
    wb = Workbook(write_only=True)
    used: set[str] = set()
    for name, rows in sections:
        keys = list(dict.fromkeys(k for row in rows for k in row)) or ["内容"]
        widths = [max(10, min(40, max([_text_width(headers.get(k, k))] + [_text_width(str(row.get(k, "")))
                                                                            for row in rows[:200]]) + 2))
                  for k in keys]
        sheet_name = name[:31]
        while sheet_name in used:
            sheet_name = sheet_name[:29] + str(len(used))
        used.add(sheet_name)
        sh = Sheet(wb, sheet_name, widths, landscape=len(keys) > 6, freeze="A3", print_rows="2:2")
        sh.add([Styled(f"{title} · {name}", "title")], height=24, merge=max(1, len(keys)))
        _header(sh, [headers.get(k, k) for k in keys])
        for row in rows:
            sh.wrapped([_time_or(row.get(k)) if k in ("at", "from", "to") else _plain(row.get(k)) for k in keys])
        if not rows:
            sh.add(["无"])
        sh.finish()
    save_atomic(wb, path)


def _time_or(v: Any) -> Any:
    try:
        return from_iso(v) if isinstance(v, str) else v
    except ValueError:
        return v
