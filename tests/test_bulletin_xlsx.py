"""The bulletin spreadsheet (SPEC §6), read back with openpyxl: sheets, headers, known cells, a chart, real
dates, masking, A4 print setup, and no cell that can run as a formula whatever a customer typed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from conftest import Cli
from test_report import ALL, CAL, RULES, UNITS, _march, t
from tousu.excel.bulletin import write_month
from tousu.reports.monthly import month_report

SHEETS = ["汇总", "分类统计", "投诉事件通报", "超期明细", "考核明细", "绩效扣款", "重复投诉", "作废工单", "说明"]


def _values(ws) -> list[tuple]:
    return [row for row in ws.iter_rows(values_only=True)]


def _find(ws, value) -> tuple[int, int]:
    for row in ws.iter_rows():
        for c in row:
            if c.value == value:
                return c.row, c.column
    raise AssertionError(f"{value!r} not in {ws.title}")


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> openpyxl.Workbook:
    penalties = [{"id": "TS202611020001", "rule": "attitude.poor", "rule_name": "态度冷淡", "person": "李四",
                  "amount": 300, "clause": "第二十四条（三）2（1）", "at": "2026-11-06T10:00:00+08:00", "sanction": ""}]
    ledger = [{"person": "李四", "unit": "城关供电所", "monthly_performance": 800, "carried_in": 0, "assessed": 300,
               "due": 300, "deducted": 300, "carried": 0}]
    r = month_report(ALL, RULES, CAL, 2026, 11, as_of=t("2026-12-02 00:00"), units=UNITS, penalties=penalties,
                     ledger=ledger)
    path = tmp_path_factory.mktemp("x") / "通报.xlsx"
    write_month(r, path)
    return openpyxl.load_workbook(path)


def test_sheets_and_headers(book) -> None:
    assert book.sheetnames == SHEETS
    assert book["汇总"]["A1"].value == "2026年11月客户投诉通报"
    assert _values(book["分类统计"])[1][:4] == ("投诉大类", "投诉项", "城关供电所", "东城供电所")
    assert _values(book["超期明细"])[1][:4] == ("编号", "投诉项", "环节", "应办方")
    assert _values(book["考核明细"])[1][:6] == ("编号", "被考核人", "所在单位", "考核条款", "依据", "金额（元）")
    assert _values(book["绩效扣款"])[1] == ("姓名", "单位", "月度绩效", "上月结转", "本月考核", "本月应扣", "本月实扣", "结转下月")


def test_summary_figures(book) -> None:
    ws = book["汇总"]
    r, _ = _find(ws, "受理投诉（件）")
    assert [c.value for c in ws[r]][:8] == ["受理投诉（件）", 5, 1, 4, 4.0, 1, 4, 4.0]
    r, _ = _find(ws, "属实且供电责任（件，第九条）")
    assert [c.value for c in ws[r]][:8] == ["属实且供电责任（件，第九条）", 2, 1, 1, 1.0, 0, 2, "—（基数为0）"]
    r, _ = _find(ws, "一次解决率")
    assert [c.value for c in ws[r]][:4] == ["一次解决率", 0.5, 1, 2]
    assert ws.cell(r, 2).number_format == "0.0%"
    r, _ = _find(ws, "回访满意率")
    assert ws.cell(r, 2).value == pytest.approx(0.6667)
    assert isinstance(ws["B3"].value, datetime)  # 统计截止
    assert "已屏蔽" in ws["A4"].value


def test_category_sheet_has_seventeen_items_and_totals(book) -> None:
    rows = _values(book["分类统计"])
    items = [r[1] for r in rows[2:19]]
    assert len(items) == 17 and items[0] == "服务态度" and items[-1] == "宣传不到位"
    assert rows[2][:3] == ("服务规范类", "服务态度", 1)
    total = rows[19]
    assert total[0] == "合计" and total[-2:] == (2, 5)


def test_charts(book) -> None:
    assert len(book["汇总"]._charts) == 1
    assert len(book["分类统计"]._charts) == 1


def test_bulletin_blocks(book) -> None:
    ws = book["投诉事件通报"]
    r, _ = _find(ws, "（1）TS202611020001 服务规范类·服务态度")
    labels = [ws.cell(r + i, 1).value for i in range(1, 10)]
    assert labels == ["受理时间", "基本情况", "客户", "经过", "处理过程", "原因", "责任", "整改措施", "人员处理考核意见"]
    assert ws.cell(r + 1, 2).value == datetime(2026, 11, 2, 9, 0)
    assert ws.cell(r + 1, 2).number_format == "yyyy-mm-dd hh:mm"
    assert ws.cell(r + 6, 2).value == "抄表员解释不耐心"
    assert ws.cell(r + 8, 2).value == "全所服务规范培训"
    assert ws.cell(r + 9, 2).value.startswith("李四：")
    assert ws.cell(r + 3, 2).value.startswith("王*明")
    _find(ws, "（2）TS202611030001 营销管理类·抄表质量")


def test_late_sheet_dates_are_real_dates(book) -> None:
    ws = book["超期明细"]
    r, _ = _find(ws, "TS202611030001")
    row = [c.value for c in ws[r]]
    assert row[2] == "派发" and row[3] == "95598班"
    assert row[4] == datetime(2026, 11, 3, 9, 0)  # naive China time
    assert row[5] == "2026-11-03 10:00"  # a deadline: text, in the 24:00 notation when at midnight (SPEC §3)
    assert row[6] == datetime(2026, 11, 3, 11, 0)
    r, _ = _find(ws, "TS202611030001")
    reply = next(x for x in _values(ws) if x[0] == "TS202611030001" and x[2] == "答复客户")
    assert reply[5] == "2026-11-09 24:00"
    assert row[8] == "1小时" and row[9] == "第十四条"
    assert ws.cell(r, 5).is_date


def test_penalty_and_ledger_sheets(book) -> None:
    ws = book["考核明细"]
    assert [c.value for c in ws[3]][:8] == ["TS202611020001", "李四", None, "态度冷淡", "第二十四条（三）2（1）", 300,
                                          datetime(2026, 11, 6, 10, 0), "本月"]
    assert [c.value for c in book["绩效扣款"][3]] == ["李四", "城关供电所", 800, 0, 300, 300, 300, 0]
    assert [c.value for c in book["重复投诉"][4]][:3] == ["TS202611100001", datetime(2026, 11, 10, 9, 0),
                                                       "TS202611020001"]


def test_layout_for_print_and_screen(book) -> None:
    for name in SHEETS:
        ws = book[name]
        assert ws.page_setup.paperSize == 9, name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.page_setup.fitToWidth == 1, name
        assert ws.freeze_panes, name
        assert ws.column_dimensions["A"].width >= 12, name
    assert book["超期明细"].page_setup.orientation == "landscape"
    assert book["投诉事件通报"].page_setup.orientation == "portrait"
    assert book["投诉事件通报"].column_dimensions["B"].width >= 80


def test_no_customer_data_anywhere(book) -> None:
    text = "\n".join(str(v) for ws in book for row in _values(ws) for v in row if v is not None)
    for secret in ("王小明", "13912345678", "0101234567", "解放路12号", "13800001111"):
        assert secret not in text


def test_formula_text_stays_text(cli: Cli, tmp_path: Path) -> None:
    a, _ = _march(cli)  # customer named =HYPERLINK(…), content '+…', cause '-…', process '@…', measures '=1+1'
    out = tmp_path / "通报.xlsx"
    r = cli("report", "--month", "2026-03", "-o", str(out), "--at", "2026-04-10 00:00", "--unmask")
    assert r.exit_code == 0, r.output
    assert "本报表未屏蔽客户信息" in r.stderr
    wb = openpyxl.load_workbook(out)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    ws = wb["投诉事件通报"]
    row, _ = _find(ws, "客户")
    assert ws.cell(row, 2).value.startswith('=HYPERLINK("http://evil","x")')
    assert ws.cell(row, 2).data_type == "s"
    measures = next(c for c in cells if c.value == "=1+1")
    assert measures.data_type == "s"
    cause = next(c for c in cells if c.value == "-抄表员解释不耐心")
    assert cause.data_type == "s"
    assert "未屏蔽" in wb["汇总"]["A4"].value


def test_formula_customer_as_leading_cell(tmp_path: Path) -> None:
    """Free text that is a whole cell value: a customer name at the start of a repeat-sheet cell."""
    from test_report import mk

    evil = '=HYPERLINK("http://evil","x")'
    one = mk("TS202611020001", "2026-11-02 09:00", name=evil, phone="13511112222")
    two = mk("TS202611050001", "2026-11-05 09:00", name=evil, phone="13511112222")
    r = month_report([one, two], RULES, CAL, 2026, 11, as_of=t("2026-12-01 00:00"), unmask=True)
    path = tmp_path / "x.xlsx"
    write_month(r, path)
    ws = openpyxl.load_workbook(path)["重复投诉"]
    cell = ws.cell(4, 9)
    assert cell.value == evil and cell.data_type == "s"


def test_cli_writes_nothing_else_and_says_where(cli: Cli, tmp_path: Path) -> None:
    _march(cli)
    out = tmp_path / "通报.xlsx"
    r = cli("report", "--month", "2026-03", "-o", str(out), "--at", "2026-04-10 00:00")
    assert r.exit_code == 0, r.output
    assert f"已生成 {out}" in r.stderr
    assert r.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["通报.xlsx"]
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == SHEETS
    assert wb["考核明细"].cell(3, 2).value == "孙七"
    assert [c.value for c in wb["绩效扣款"][3]] == ["孙七", "东城供电所", 300, 0, 500, 500, 300, 200]


def test_print_area_is_the_used_columns(book) -> None:
    """Each sheet prints its own columns only, not a page of empty grid to their right (fit to A4 width)."""
    units = len(_values(book["分类统计"])[1]) - 4
    assert units == 5
    last_col = {"汇总": "I", "分类统计": "I", "投诉事件通报": "B", "超期明细": "K", "考核明细": "I", "绩效扣款": "H",
                "重复投诉": "K", "说明": "B"}
    for name, col in last_col.items():
        ws = book[name]
        area = ws.print_area.split("!")[1]
        assert area.startswith("$A$1:$" + col + "$"), (name, area)
        assert int(area.rsplit("$", 1)[1]) >= ws.max_row, name
    # lists print grid lines; the summaries (small tables, blank rows, charts) print borders round their tables
    assert book["超期明细"].print_options.gridLines and book["投诉事件通报"].print_options.gridLines
    assert not book["汇总"].print_options.gridLines and not book["分类统计"].print_options.gridLines
    assert book["汇总"]["B8"].border.left.style == "thin"


def test_charts_count_in_whole_numbers_inside_the_print_area(book) -> None:
    for name in ("汇总", "分类统计"):
        ws = book[name]
        chart = ws._charts[0]
        axis = chart.y_axis
        assert axis.majorUnit == 1 and axis.scaling.min == 0, name  # a count has no halves
        assert axis.number_format.formatCode == "0", name
        assert axis.delete is False and chart.x_axis.delete is False, name
        to = chart.anchor.to
        area = ws.print_area.split("!")[1].replace("$", "")
        last_col, last_row = openpyxl.utils.cell.coordinate_from_string(area.split(":")[1])
        assert to.col <= openpyxl.utils.column_index_from_string(last_col) and to.row <= last_row, name


@pytest.mark.parametrize("largest, step", [(0, 1), (3, 1), (10, 1), (11, 2), (25, 5), (159, 20), (1200, 200)])
def test_count_axis_step(largest: int, step: int) -> None:
    from tousu.excel.sheet import count_step as _count_step

    assert _count_step(largest) == step


def test_summary_cells_fit_their_text(book) -> None:
    ws = book["汇总"]
    # 统计截止: a date in B3 spanning B:C, wide enough for yyyy-mm-dd hh:mm (no ###)
    assert "B3:C3" in {str(m) for m in ws.merged_cells.ranges}
    assert ws.column_dimensions["B"].width + ws.column_dimensions["C"].width >= 17
    # the long labels of 一 get a second line rather than overprinting the next row
    assert ws.column_dimensions["A"].width >= 30
    r, _ = _find(ws, "不计入统计（不属实或非供电责任、未核实）")
    assert ws.row_dimensions[r].height >= 30
    assert ws.row_dimensions[r + 1].height is None or ws.row_dimensions[r + 1].height >= 15
    # 二: the definitions stand next to the numbers (分子口径 E:F, 分母口径 G:I), wrapped in tall enough rows
    r, c = _find(ws, "分子口径")
    assert c == 5 and ws.cell(r, 7).value == "分母口径"
    merged = {str(m) for m in ws.merged_cells.ranges}
    r, _ = _find(ws, "按时办结率")
    assert f"E{r}:F{r}" in merged and f"G{r}:I{r}" in merged
    assert ws.cell(r, 5).alignment.wrap_text and ws.cell(r, 7).alignment.wrap_text
    assert ws.row_dimensions[r].height >= 45  # three lines in E:F
    assert all(isinstance(ws.cell(r, i).value, int) for i in (3, 4))  # 分子, 分母 stay in C, D


def test_explanations_say_how_a_redispatched_order_counts_by_unit(book) -> None:
    texts = [str(v) for row in _values(book["说明"]) for v in row if v]
    contact = next(t for t in texts if t.startswith("分子：在时限内（1个工作日）首次联系"))
    assert "按单位：按单位统计时，每次派发记入承办该次派发的单位" in contact


def test_the_category_chart_has_room_for_every_category_label(book) -> None:
    """属实投诉按大类 printed only every other 大类 label (LibreOffice skips labels that do not fit;
    found in the trial week): the chart is at least 3 rows per 大类 plus title and axis tall."""
    chart = book["分类统计"]._charts[0]
    rows = chart.anchor.to.row - chart.anchor._from.row
    categories = 4  # 第十条: 服务规范类、营销管理类、运行维护类、供电方宣传责任类
    assert rows >= 3 * categories + 3, rows
