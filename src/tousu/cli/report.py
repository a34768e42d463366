"""`tousu report`: the monthly bulletin (SPEC §6) and the half-year statistics (第二十七条).

Thin: check the options, load the records the figures need, call
`report.month_report` (and assessment), hand the dict to one renderer.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape

from tousu.domain import assessment
from tousu.storage import records
from tousu.terminal import report as report_table
from tousu.cli.context import App, parse_at
from tousu.cli.common import app_of, check_format, command, err, out, print_json, print_notes, print_problems
from tousu.errors import Problem, TousuError
from tousu.domain.model import Complaint
from tousu.reports.monthly import Month, as_of_view, jsonable, month_report
from tousu.timeutil import parse_month
from tousu.excel.safe import check_output

REPORT_HELP = (
    "月度投诉通报（第二十一、二十二条）：--month YYYY-MM 统计当月受理的投诉——受理与属实件数（第九条）、"
    "四大类十七项、责任单位、渠道、环比与同比、一次解决率/首日联系率/按时办结率/回访率/回访满意率"
    "（分子分母口径见 docs/rates.md）、超期环节、重复投诉、《投诉事件通报》、考核明细与绩效扣款；"
    "--half YYYYH1|YYYYH2 为半年统计（第二十七条）。默认在终端显示表格，--format json 输出 JSON，"
    "-o 文件.xlsx 生成可在 Excel/WPS 中打开、按A4打印的通报表。客户信息默认屏蔽，--unmask 仅供市场营销部内部使用。"
)


def load_for_month(a: App, mon: Month) -> tuple[list[Complaint], list[Problem]]:
    """The records a month's report needs.

    In full: the month, the month before (环比), the same month last year (同比)
    and the repeat window. Of every other month up to the report month only the
    records with an assessment: the ledger carries fines over (第二十八条) and a
    penalty is filed under the month it was recorded, whatever the 受理 month.
    """
    full = {(mon.year, mon.month), (mon.prev().year, mon.prev().month), (mon.year - 1, mon.month)}
    window_start = (mon.start - timedelta(days=a.rules.repeat_window_days)).date()
    back = mon.prev()
    while (back.year, back.month) > (window_start.year, window_start.month):
        back = back.prev()
        full.add((back.year, back.month))
    found, problems = a.load_all(sorted(full))
    for d in a.store.month_dirs():
        try:
            y, m = (int(x) for x in d.name.split("-"))
        except ValueError:
            continue
        if (y, m) > (mon.year, mon.month) or (y, m) in full:
            continue
        for path in sorted(d.glob("TS*.yaml")):
            try:
                if b"assess" not in path.read_bytes():
                    continue
            except OSError as exc:
                problems.append(Problem(path, 0, f"无法读取：{exc}"))
                continue
            c, errs = records.read(path)
            if c is None:
                problems.extend(errs)
            else:
                found.append(c)
    return found, problems


app = typer.Typer()


@app.command("report", help=REPORT_HELP, short_help="月度投诉通报（--month）与半年统计（--half）：表格、JSON 或 xlsx 通报表。")
@command
def report_cmd(
    ctx: typer.Context,
    month: Annotated[Optional[str], typer.Option("--month", help="统计月份 YYYY-MM（按受理时间，中国时间）")] = None,
    half: Annotated[Optional[str], typer.Option("--half", help="半年统计：YYYYH1 或 YYYYH2（第二十七条）")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="生成通报表 文件.xlsx")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="输出格式：table（默认）或 json")] = None,
    unmask: Annotated[bool, typer.Option("--unmask", help="不屏蔽客户姓名、电话、户号、地址（仅供市场营销部内部使用）")] = False,
    at: Annotated[Optional[str], typer.Option("--at", help="统计截止时间（默认现在）：此后的处理步骤不计入")] = None,
) -> None:
    a = app_of(ctx)
    if (month is None) == (half is None):
        raise TousuError("请给出 --month YYYY-MM（月度通报）或 --half YYYYH1|YYYYH2（半年统计）之一，且只能给出一个")
    if fmt is not None:
        check_format(fmt)
    if output is not None:
        check_output(output)
    as_of = parse_at(at, a.now)
    if month is not None:
        try:
            year, mon_no = parse_month(month)
        except ValueError as exc:
            raise TousuError(f"--month：{exc}") from None
        data, problems = _month(a, Month(year, mon_no), as_of, unmask)
        if output is not None:
            from tousu.excel.bulletin import write_month

            write_month(data, output)
        _emit(data, output, fmt, lambda: report_table.month(out, data), unmask)
    else:
        year, half_no = assessment.parse_half(half or "")
        data, problems = _half(a, year, half_no, as_of)
        title = f"{year}年{'上' if half_no == 1 else '下'}半年投诉统计与考核（第二十七条）"
        if output is not None:
            from tousu.excel.bulletin import write_generic

            write_generic(title, report_table.sections(data), output, report_table.HEADERS)
        _emit(data, output, fmt, lambda: report_table.generic(out, title, data), False)
    if problems:  # the figures leave those records out: say so in the exit status too
        err.print(f"[red]以上 {len(problems)} 个记录文件无法读取，未计入统计，统计不完整。[/]")
        raise typer.Exit(2)


def _emit(data: dict[str, Any], output: Path | None, fmt: str | None, table: Any, unmask: bool) -> None:
    if output is not None:
        err.print(f"[green]已生成 {escape(str(output))}[/]")
        if unmask:
            err.print(f"[bold red]{report_table.UNMASKED_LINE}[/]")
    if fmt == "json":
        print_json(data)
    elif output is None:
        table()
    for w in data.get("warnings", ()):
        err.print(f"[yellow]注意：[/]{escape(str(w))}")


def _checked(a: App, complaints: list[Complaint], problems: list[Problem]) -> list[Problem]:
    """Unreadable files (left out, exit 2) and values rules.yaml does not know (counted as they
    stand, warned about); printed once."""
    print_notes(a.notes(complaints))
    print_problems(problems)
    return problems


def _month(a: App, mon: Month, as_of: Any, unmask: bool) -> tuple[dict[str, Any], list[Problem]]:
    complaints, problems = load_for_month(a, mon)
    problems = _checked(a, complaints, problems)
    seen = [as_of_view(c, as_of) for c in complaints]  # --at: later steps and assessments do not count
    penalties = assessment.month_penalties(seen, a.rules, mon.year, mon.month)
    _add_person_units(a, penalties)
    data = month_report(
        complaints, a.rules, a.calendar, mon.year, mon.month, as_of=as_of, units=a.org.unit_names, unmask=unmask,
        penalties=penalties,
        ledger=assessment.ledger(seen, a.org, mon.year, mon.month),
        unit_fines=assessment.unit_fines(seen, a.rules, mon.year, mon.month),
    )
    data["unreadable"] = [str(p) for p in problems]
    return data, problems


def _half(a: App, year: int, half: int, as_of: Any) -> tuple[dict[str, Any], list[Problem]]:
    last = (year, 6 if half == 1 else 12)
    complaints, problems = a.load_all([(y, m) for y, m in _months_upto(a, last)])
    problems = _checked(a, complaints, problems)
    seen = [as_of_view(c, as_of) for c in complaints]  # --at: later steps and assessments do not count
    data = jsonable(assessment.half_year(seen, a.rules, a.org, year, half))
    _add_person_units(a, data["penalties"])
    return data, problems


def _add_person_units(a: App, penalties: list[dict[str, Any]]) -> None:
    """The fined person's unit, for the 考核明细 tables (SPEC §4's keys stay as they are)."""
    units = {p.name: p.unit for p in a.org.staff}
    for row in penalties:
        if "person" in row:
            row["person_unit"] = units.get(row["person"])


def _months_upto(a: App, last: tuple[int, int]) -> list[tuple[int, int]]:
    months = []
    for d in a.store.month_dirs():
        try:
            y, m = (int(x) for x in d.name.split("-"))
        except ValueError:
            continue
        if (y, m) <= last:
            months.append((y, m))
    return months
