"""Looking at the records: show, list, check-overdue (for cron) and the working-day calendar."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.markup import escape

from tousu.cli import crash
from tousu.cli.common import (FormatOpt, app_of, canon, check_format, command, err, months_of, os_error, out,
                              print_json, print_notes, print_problems, warn_stages)
from tousu.cli.context import parse_at
from tousu.domain.deadlines import stages
from tousu.cli.context import App
from tousu.domain.model import ID_PATTERN, STATES, Complaint
from tousu.domain.warning import level, rank
from tousu.errors import TousuError, choices
from tousu.reports import listing, overdue, search
from tousu.storage import notified
from tousu.terminal import show as render
from tousu.timeutil import iso

app = typer.Typer()


def load_by_id_or_ref(a: App, key: str) -> Complaint:
    """A tousu ID, or a 95598 工单编号 that names exactly one complaint."""
    if ID_PATTERN.match(key.strip().upper()):
        return a.store.load(key)
    complaints, _problems = a.load_all()
    found = search.by_ref(complaints, key)
    if len(found) == 1:
        return found[0]
    if found:
        raise TousuError(f"95598工单编号「{key}」对应多件投诉：{choices(c.id for c in found)}，请用投诉编号")
    raise TousuError(f"编号「{key}」不是投诉编号，应为 TS+受理日期(8位)+序号(4位)，如 TS202611260001；"
                     f"也不是已登记的95598工单编号（可用 tousu find 查找）")


@app.command("show", short_help="查看一件投诉：内容、记录、时限与预警")
@command
def show_cmd(ctx: typer.Context,
             cid: Annotated[str, typer.Argument(help="投诉编号（如 TS202611260001）或 95598 工单编号", show_default=False,
                                                metavar="编号")],
             at: Annotated[Optional[str], typer.Option("--at", help="按此时间判断是否超期（默认现在）")] = None,
             fmt: FormatOpt = "table") -> None:
    """查看一件投诉（投诉编号或 95598 工单编号）：内容、处理记录、各环节时限、计算依据和预警级别。"""
    a = app_of(ctx)
    check_format(fmt)
    now = parse_at(at, a.now)
    c = load_by_id_or_ref(a, cid)
    st = stages(c, a.rules, a.calendar)
    levels = [level(s, now, a.rules, a.calendar) for s in st]
    if fmt == "json":
        from tousu.storage.records import to_data

        data = to_data(c)
        data["state"] = c.state
        for i in c.withdrawn:  # 撤销: the step stays in the history, marked
            data["history"][i]["withdrawn"] = True
        data["stages"] = [{**listing.stage_json(s), "name": s.name, "status": s.status(now), "level": lv}
                          for s, lv in zip(st, levels)]
        data["rules"] = str(a.rules_path)
        print_json(data)
    else:
        names = {r.id: f"{r.name}（{r.clause}）" for r in a.rules.penalties}
        render.complaint(out, c, st, now, levels, names)
        out.print(f"[dim]规则文件：{escape(a.rules_found.describe())}[/]")
    warn_stages(a, c)
    print_notes(a.notes([c]), a.findings([c]))


@app.command("list", short_help="按月份、单位、状态、分类或超期筛选投诉")
@command
def list_cmd(
    ctx: typer.Context,
    month: Annotated[Optional[str], typer.Option("--month", help="受理月份 YYYY-MM")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="责任单位")] = None,
    state: Annotated[Optional[str], typer.Option("--state", help="状态：待派发/处理中/待审核/待回访/待归档/已归档/已作废")] = None,
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
    unit = canon(a, "unit", unit, "--unit")
    wanted_state = None
    if state is not None:
        by_zh = {v: k for k, v in STATES.items()}
        wanted_state = by_zh.get(state, state if state in STATES else None)
        if wanted_state is None:
            raise TousuError(f"状态「{state}」无效，可选：{choices(STATES.values())}")
    category = canon(a, "category_or_item", category, "--category")
    f = listing.Filters(unit=unit, state=wanted_state, category=category, only_overdue=only_overdue)
    v = a.view(months, narrow=listing.narrow(f))
    notes, problems = v.notes, v.problems
    rows = listing.select(v.items, f, now)
    if fmt == "json":
        print_json(listing.list_json(rows))
    else:
        render.complaint_list(out, rows, now)
    print_notes(notes, v.findings)
    print_problems(problems)
    if problems:
        raise typer.Exit(2)


def _filter(a: App, report: dict, unit: str | None, wanted: str | None, new_since_last: bool) -> None:
    """--unit (whose stage it is), --level (that level or higher), --new-since-last (once per level)."""
    from tousu.cli.desk import owner_vocabulary
    from tousu.cli.common import print_hint

    if unit is not None:
        m = owner_vocabulary(a).resolve(unit, "--unit")
        print_hint(m.note)
        unit = m.value
    floor = rank(a.rules, canon(a, "level", wanted, "--level")) if wanted else 0
    for key in ("overdue", "due_soon"):
        report[key] = [r for r in report[key] if (unit is None or r["owner"] == unit)
                       and rank(a.rules, r["level"]) >= floor]
    if new_since_last:
        path = notified.state_path(a.data_dir, unit, wanted)
        seen = notified.load(path)
        current = {notified.row_key(r): r["level"] for key in ("overdue", "due_soon") for r in report[key]}
        for key in ("overdue", "due_soon"):
            report[key] = notified.only_new(report[key], seen)
        notified.save(path, current)


@app.command("check-overdue", short_help="供 cron：超期与即将到期的环节（退出码 1 = 有超期）")
@command
def check_overdue_cmd(
    ctx: typer.Context,
    at: Annotated[Optional[str], typer.Option("--at", help="检查时刻（默认现在）")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="只列该单位（或 95598班）应办的环节")] = None,
    wanted: Annotated[Optional[str], typer.Option("--level", help="只列达到该预警级别及以上的：提醒/预警/告警/超期")] = None,
    new_since_last: Annotated[bool, typer.Option("--new-since-last", help="只列上次运行以来新出现或升级的（供 cron 发邮件）")] = False,
    fmt: FormatOpt = "table",
) -> None:
    """供 cron 调用：列出已超期和即将到期（或已达预警级别）的环节，附预警级别。退出码 0 无超期，1 有超期，2 出错。"""
    a = app_of(ctx)
    check_format(fmt)
    try:
        now = parse_at(at, a.now)
        v = a.view(pending_only=True)
        problems = v.problems
        report = overdue.check_stages(v.items, problems, a.rules, a.calendar, now)
        report["warnings"] += [str(p) for p in v.notes]
        _filter(a, report, unit, wanted, new_since_last)
        if fmt == "json":
            print_json(report)
    except Exception as exc:  # noqa: BLE001 - cron keeps the JSON file: say what went wrong in it too
        if isinstance(exc, BrokenPipeError):
            raise  # nobody reads stdout any more: main() ends quietly
        known = exc if isinstance(exc, TousuError) else os_error(exc) if isinstance(exc, OSError) else None
        said = known.message if known else crash.report(exc)  # a bug: traceback to the log, never the screen
        if fmt == "json":
            print_json({"as_of": iso(a.now), "overdue": [], "due_soon": [], "warnings": [], "rules": None,
                         "errors": [{"path": None, "line": 0, "message": said}]
                         + [p.as_json() for p in (known.problems if known else ())]})
        if known is None:
            err.print(f"[bold red]错误：[/]{escape(said)}")
            raise typer.Exit(2) from None
        raise
    if fmt != "json" and not (new_since_last and not report["overdue"] and not report["due_soon"]):  # no mail
        render.overdue_report(out, report)
    for w in report["warnings"]:
        err.print(f"[yellow]注意：[/]{escape(w)}")
    print_notes([], v.findings)  # stderr only: the JSON's warnings stay as SPEC §4 has them
    print_problems(problems)
    if problems:
        raise typer.Exit(2)
    if report["overdue"]:
        raise typer.Exit(1)


@app.command("calendar", short_help="某月的工作日、节假日与调休")
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
