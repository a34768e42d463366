"""`tousu export`: the 台账 of complaints as an xlsx workbook (SPEC §4).

Sheet 投诉台账 holds one row per complaint: every field of SPEC §2, the state,
each stage's latest deadline (text in the 24:00 notation: "2026-11-04 24:00" is the end of
that day, as the bulletin writes it; such text sorts in time order) and whether it was met,
and the event times.
Sheet 处理记录 holds every event, so `tousu import` can bring the history back
unchanged. Times are real Excel dates (naive China time); every string is
written as text, so nothing a customer typed can run as a formula.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tousu.domain.workdays import WorkCalendar
from tousu.domain.deadlines import STATUS_ZH, Stage, stages
from tousu.excel.fields import HISTORY, HISTORY_SHEET, MAIN, MAIN_SHEET, STEP_TIMES, bool_text
from tousu.domain.labels import label
from tousu.domain.model import Complaint, Event
from tousu.domain.privacy import Masker
from tousu.config.rules import STAGE_KEYS, Rules
from tousu.reports.listing import Filters
from tousu.timeutil import human_deadline
from tousu.excel.safe import excel_time, save_atomic

TIME_FORMAT = "yyyy-mm-dd hh:mm"


def select(complaints: Iterable[Complaint], *, since: datetime | None = None, until: datetime | None = None,
           unit: str | None = None, state: str | None = None) -> list[Complaint]:
    """Complaints received in [since, until) and (optionally) of one 责任单位 and state: list's filters
    (作废 ones only when `state` asks for them)."""
    f = Filters(unit=unit, since=since, until=until, state=state)
    return [c for c in complaints if f.wants(c)]


def stage_headers(rules: Rules) -> list[tuple[str, str, str]]:
    """(stage key, deadline header, status header) for the stages rules.yaml defines."""
    return [(k, f"{rules.stages[k].name}期限", f"{rules.stages[k].name}按时情况")
            for k in STAGE_KEYS if k in rules.stages]


# IDs and values checked against rules.yaml / org.yaml: they cannot hold a customer's data, and
# masking could only garble them (the ID ties the two sheets together).
_NOT_MASKED = {"id", "channel", "category", "item", "attitude", "severity", "escalated_to", "unit", "verified",
               "responsible", "satisfied", "state", "action", "approved", "rule"}


def _masked(values: dict[str, Any], m: Masker | None) -> dict[str, Any]:
    """Every other text cell with the customer's name, phone, account and address masked (SPEC §6)."""
    if m is None:
        return values
    return {k: m.text(v) if isinstance(v, str) and k not in _NOT_MASKED else v for k, v in values.items()}


def main_row(c: Complaint, st: list[Stage], rules: Rules, now: datetime, mask: bool) -> list[Any]:
    """One 投诉台账 row, in the order of MAIN then the stage columns; `mask` hides the customer's data."""
    r = c.reply
    last_time = {action: (e.at if (e := c.last(action)) else None) for _, action in STEP_TIMES}
    m = Masker(c, unmask=False) if mask else None
    cust = m.customer() if m else {"name": c.customer.name, "phone": c.customer.phone,
                                   "account": c.customer.account, "address": c.customer.address}
    values: dict[str, Any] = {
        "id": c.id,
        "ref": c.ref,
        "received_at": c.received_at,
        "channel": c.channel,
        "received_by": c.received_by,
        "name": cust["name"],
        "phone": cust["phone"],
        "address": cust["address"],
        "account": cust["account"],
        "category": c.category,
        "item": c.item,
        "content": c.content,
        "attitude": c.attitude,
        "severity": c.current_severity,
        "escalated_to": "、".join(c.all_escalations),
        "unit": c.unit,
        "verified": bool_text("verified", c.verified),
        "responsible": bool_text("responsible", c.responsible),
        "cause": r.cause if r else None,
        "process": r.process if r else None,
        "measures": r.measures if r else None,
        "satisfied": c.revisit_result,
        "state": c.state_zh,
    }
    for key, action in STEP_TIMES:
        values[key] = last_time[action]
    values = _masked(values, m)
    row = [values[col.key] for col in MAIN]
    latest = {s.key: s for s in st}  # the latest clock of each stage
    for key, _, _ in stage_headers(rules):
        s = latest.get(key)
        # text in the 24:00 notation (SPEC §3): a clerk reading 11-05 00:00 thinks 11-05 is still his
        row += [human_deadline(s.deadline) if s else None, STATUS_ZH[s.status(now)] if s else None]
    return row


def history_row(cid: str, e: Event, c: Complaint, m: Masker | None = None) -> list[Any]:
    """One 处理记录 row. The 受理 row carries the intake 事件等级 and 越级渠道; `m` masks the customer's data."""
    values: dict[str, Any] = {name: getattr(e, name, None) for name in (col.key for col in HISTORY[1:])}
    values["action"] = label(e.action)
    values["note"] = e.note or None
    for key in ("verified", "responsible", "approved", "satisfied"):
        values[key] = bool_text(key, getattr(e, key))
    if e.action == "add":
        values["severity"] = c.severity
        values["escalated_to"] = "、".join(c.escalated_to) or None
    values = _masked(values, m)
    return [cid] + [values[col.key] for col in HISTORY[1:]]


def _print_setup(ws: Any, title: str, internal: bool) -> None:
    """A4 landscape, the header row and the ID column on every printed page, grid lines, the sheet's name
    above and 第 N 页 共 M 页 below; 内部资料 when the customers' data are not masked. The columns are not
    shrunk to one page's width (some thirty columns would print too small to read)."""
    from tousu.excel.sheet import PageHeader  # openpyxl: only when writing

    ws.page_setup.paperSize = 9
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows, ws.print_title_cols = "1:1", "A:A"
    ws.print_options.gridLines = True
    PageHeader(internal=internal).apply(ws, title)


def _write_sheet(wb: Any, title: str, headers: list[str], widths: list[int], rows: Iterable[list[Any]],
                 internal: bool = True) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from tousu.excel.sheet import FONT, GB2312
    from tousu.excel.xmlrows import rows_sheet

    ws = rows_sheet(wb, title)  # every string a text cell, control characters taken out (excel.xmlrows)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "B2"
    _print_setup(ws, title, internal)

    head = ws.style_of(font=Font(name=FONT, charset=GB2312, bold=True), fill=PatternFill("solid", fgColor="DDEBF7"),
                       alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
    when, day = ws.style_of(number_format=TIME_FORMAT), ws.style_of(number_format="yyyy-mm-dd")
    ws.add_row([(h, head) for h in headers])
    n = 1
    for row in rows:
        end = len(row)
        while end and row[end - 1] is None:  # trailing empty cells cost time and say nothing
            end -= 1
        ws.add_row([(excel_time(v), when) if isinstance(v, datetime) else (v, day) if isinstance(v, date) else (v, 0)
                    for v in row[:end]])
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n}"


def write(path: Path, complaints: list[Complaint], rules: Rules, cal: WorkCalendar, now: datetime, *,
          mask: bool = False) -> None:
    """Write the workbook to `path`, whole or not at all (the caller has checked it with `check_output`)."""
    from tousu.excel.sheet import chinese_workbook

    wb = chinese_workbook()  # 等线 for every cell, as the bulletin (a Latin default renders ID in a serif face)
    sh = stage_headers(rules)
    headers = [col.header for col in MAIN] + [h for _, d, s in sh for h in (d, s)]
    widths = [col.width for col in MAIN] + [w for _ in sh for w in (17, 10)]
    _write_sheet(wb, MAIN_SHEET, headers, widths,
                 (main_row(c, stages(c, rules, cal), rules, now, mask) for c in complaints), internal=not mask)
    _write_sheet(wb, HISTORY_SHEET, [col.header for col in HISTORY], [col.width for col in HISTORY],
                 (history_row(c.id, e, c, m) for c in complaints
                  for m in [Masker(c, unmask=False) if mask else None] for e in c.history), internal=not mask)
    save_atomic(wb, path)
