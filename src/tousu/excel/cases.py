"""The 投诉事件通报 sheet: every counted case (第二十二条), each kept on one page where it fits.

A long text (诉求内容 and the like) goes on in further rows, labelled （续）: Excel's rows stop at
409 points, so nothing is ever cut at a row's foot.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.pagebreak import Break

from tousu.excel.sheet import LINE_HEIGHT, Sheet, Styled, lines_of, note, page_header, print_width, row_height
from tousu.timeutil import from_iso

MAX_LINES = 24  # lines of text per row: Excel's rows stop at 409 points; longer text goes on in more rows


_BLOCK_ROWS = (("经过", "course"), ("处理过程", "process"), ("原因", "cause"), ("责任", "responsibility"),
               ("整改措施", "measures"), ("人员处理考核意见", "opinion"))
_CASE_WIDTHS = [18, 92]


def split_text(text: str, width: float, max_lines: int = MAX_LINES) -> list[str]:
    """Text in pieces of at most `max_lines` wrapped lines each, cut between characters, nothing lost."""
    pieces, current, lines = [], "", 0
    for para in str(text).split("\n"):
        need = lines_of(para, width)
        if current and lines + need > max_lines:
            pieces.append(current)
            current, lines = "", 0
        while need > max_lines:  # one paragraph longer than a row: cut it by width
            per_line = max(1.0, width - 2)
            cut, used = 0, 0
            while cut < len(para) and used + print_width(para[cut]) <= per_line * max_lines:
                used += print_width(para[cut])
                cut += 1
            pieces.append((current + "\n" if current else "") + para[:cut])
            current, para = "", para[cut:]
            need = lines_of(para, width)
        current = f"{current}\n{para}" if current else para
        lines += need
    return pieces + [current] if current or not pieces else pieces


@lru_cache(maxsize=64)
def _label_lines(label: str) -> int:
    return lines_of(label, _CASE_WIDTHS[0])


def _case_rows(b: dict[str, Any], n: int) -> list[tuple[list[Any], float | None]]:
    """One case's rows (values, height: None for one line), its title first; long texts over several rows.
    A row is as tall as its label's or its text's wrapped lines (Sheet.fit_height's rule, once a piece)."""
    cu = b["customer"]
    rows: list[tuple[list[Any], float | None]] = [
        ([Styled(f"（{n}）{b['id']} {b['category']}·{b['item']}", "block"), Styled("", "block")], 20),
        ([Styled("受理时间", "label"), Styled(from_iso(b["received_at"]), "left")], row_height(_label_lines("受理时间")))]
    facts = [("基本情况", f"受理渠道：{b['channel']}；95598工单编号：{b['ref'] or '—'}；责任单位：{b['unit'] or '—'}；"
                          f"事件等级：{b['severity']}；越级：{'、'.join(b['escalated_to']) or '无'}；状态：{b['state']}；"
                          f"回访：{b['revisit'] or '—'}"),
             ("客户", f"{cu['name']}　电话：{cu['phone']}　户号：{cu['account'] or '—'}　地址：{cu['address'] or '—'}")]
    width = _CASE_WIDTHS[1]
    for label, text in facts + [(label, b[key]) for label, key in _BLOCK_ROWS]:
        for i, piece in enumerate(split_text(text, width)):
            name = label if i == 0 else f"{label}（续）"
            lines = max(_label_lines(name), lines_of(piece, width))
            rows.append(([Styled(name, "label"), Styled(piece, "wrap")], row_height(lines)))
    return rows


def cases_sheet(wb: Workbook, r: dict[str, Any]) -> None:
    """Every counted case, each kept on one page where it fits (a page break before a case that would
    not), the sheet's title repeated on every page."""
    sh = Sheet(wb, "投诉事件通报", _CASE_WIDTHS, landscape=False, freeze="A3", print_rows="1:2",
               header=page_header(r))
    sh.add([Styled(f"{r['month']}《投诉事件通报》（第二十二条）：属实且供电责任 {len(r['bulletins'])} 件", "title")],
           height=24, merge=2)
    note(sh, r, 2)
    if not r["bulletins"]:
        sh.add(["本月没有属实且供电责任的投诉。"])
    budget = sh.page_points() - sum(sh.heights.values())
    used = 0.0
    breaks = []
    for n, b in enumerate(r["bulletins"], 1):
        rows = _case_rows(b, n)
        need = LINE_HEIGHT + sum(height or LINE_HEIGHT for _, height in rows)
        if used and used + need > budget:
            breaks.append(Break(id=sh.row))
            used = 0.0
        sh.add()
        for values, height in rows:
            sh.add(values, height=height)
        used += need
    # set once: openpyxl checks the whole list again on each append (a province's month has thousands)
    sh.ws.row_breaks.brk = (*sh.ws.row_breaks.brk, *breaks)
    sh.finish()
