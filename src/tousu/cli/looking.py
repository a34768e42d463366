"""Looking at the records: show, list, check-overdue (for cron) and the working-day calendar."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.markup import escape

from tousu.cli import crash
from tousu.cli.common import (FormatOpt, IdArg, app_of, check_format, command, err, months_of, os_error, out,
                              print_json, print_notes, print_problems, warn_stages)
from tousu.cli.context import parse_at
from tousu.domain.deadlines import stages
from tousu.domain.model import STATES
from tousu.errors import TousuError, choices
from tousu.reports import listing, overdue
from tousu.terminal import show as render
from tousu.timeutil import iso

app = typer.Typer()


@app.command("show")
@command
def show_cmd(ctx: typer.Context, cid: IdArg,
             at: Annotated[Optional[str], typer.Option("--at", help="按此时间判断是否超期（默认现在）")] = None,
             fmt: FormatOpt = "table") -> None:
    """查看一件投诉：内容、处理记录、各环节时限及其计算依据。"""
    a = app_of(ctx)
    check_format(fmt)
    now = parse_at(at, a.now)
    c = a.store.load(cid)
    st = stages(c, a.rules, a.calendar)
    if fmt == "json":
        from tousu.storage.records import to_data

        data = to_data(c)
        data["state"] = c.state
        data["stages"] = [{**listing.stage_json(s), "name": s.name, "status": s.status(now)} for s in st]
        print_json(data)
    else:
        render.complaint(out, c, st, now)
    warn_stages(a, c)
    print_notes(a.notes([c]))


@app.command("list")
@command
def list_cmd(
    ctx: typer.Context,
    month: Annotated[Optional[str], typer.Option("--month", help="受理月份 YYYY-MM")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="责任单位")] = None,
    state: Annotated[Optional[str], typer.Option("--state", help="状态：待派发/处理中/待审核/待回访/待归档/已归档")] = None,
    category: Annotated[Optional[str], typer.Option("--category", help="投诉大类或投诉项")] = None,
    only_overdue: Annotated[bool, typer.Option("--overdue", help="只列有超期环节的")] = False,
    at: Annotated[Optional[str], typer.Option("--at", help="按此时间判断是否超期（默认现在）")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """按月份、单位、状态、分类或超期筛选投诉。"""
    a = app_of(ctx)
    check_format(fmt)
    a.rules  # a broken rules.yaml is an error even when there is nothing to list
    now = parse_at(at, a.now)
    months = months_of(month) if month else None
    if unit is not None:
        a.org.unit(unit)
    wanted_state = None
    if state is not None:
        by_zh = {v: k for k, v in STATES.items()}
        wanted_state = by_zh.get(state, state if state in STATES else None)
        if wanted_state is None:
            raise TousuError(f"状态「{state}」无效，可选：{choices(STATES.values())}")
    if category is not None and category not in a.rules.taxonomy and category not in a.rules.items:
        raise TousuError(f"「{category}」既不是投诉大类也不是投诉项，大类可选：{choices(a.rules.taxonomy)}")
    complaints, problems = a.load_all(months)
    notes = a.notes(complaints)
    f = listing.Filters(unit=unit, state=wanted_state, category=category, only_overdue=only_overdue)
    rows = listing.select(((c, stages(c, a.rules, a.calendar)) for c in complaints), f, now)
    if fmt == "json":
        print_json(listing.list_json(rows))
    else:
        render.complaint_list(out, rows, now)
    print_notes(notes)
    print_problems(problems)
    if problems:
        raise typer.Exit(2)


@app.command("check-overdue")
@command
def check_overdue_cmd(
    ctx: typer.Context,
    at: Annotated[Optional[str], typer.Option("--at", help="检查时刻（默认现在）")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """供 cron 调用：列出已超期和即将到期的环节。退出码 0 无超期，1 有超期，2 出错。"""
    a = app_of(ctx)
    check_format(fmt)
    try:
        now = parse_at(at, a.now)
        complaints, problems = a.load_all()
        report = overdue.check(complaints, problems, a.rules, a.calendar, now)
        notes = a.notes(complaints)
        report["warnings"] += [str(p) for p in notes]
        if fmt == "json":
            print_json(report)
    except Exception as exc:  # noqa: BLE001 - cron keeps the JSON file: say what went wrong in it too
        known = exc if isinstance(exc, TousuError) else os_error(exc) if isinstance(exc, OSError) else None
        said = known.message if known else crash.report(exc)  # a bug: traceback to the log, never the screen
        if fmt == "json":
            print_json({"as_of": iso(a.now), "overdue": [], "due_soon": [], "warnings": [],
                         "errors": [{"path": None, "line": 0, "message": said}]
                         + [p.as_json() for p in (known.problems if known else ())]})
        if known is None:
            err.print(f"[bold red]错误：[/]{escape(said)}")
            raise typer.Exit(2) from None
        raise
    if fmt != "json":
        render.overdue_report(out, report)
    for w in report["warnings"]:
        err.print(f"[yellow]注意：[/]{escape(w)}")
    print_problems(problems)
    if problems:
        raise typer.Exit(2)
    if report["overdue"]:
        raise typer.Exit(1)


@app.command("calendar")
@command
def calendar_cmd(ctx: typer.Context,
                 month: Annotated[str, typer.Argument(help="月份 YYYY-MM", metavar="月份")]) -> None:
    """查看某月的工作日、节假日与调休，以及其来源（chinese-calendar / rules.yaml）。"""
    a = app_of(ctx)
    (y, m), = months_of(month, "")
    render.month_calendar(out, a.calendar, y, m)
    if not a.calendar.covered(y):
        from tousu.domain.workdays import uncovered_warning

        err.print(f"[yellow]注意：[/]{uncovered_warning(y)}")
