"""`tousu export` and `tousu import`: the 台账 of complaints out to and in from Excel (SPEC §4)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from tousu.cli.common import app_of, command, err, out, print_notes, print_problems
from tousu.errors import TousuError
from tousu.timeutil import human, parse_datetime, parse_month
from tousu.excel.safe import check_output

if TYPE_CHECKING:  # imported by the commands that use them, not at every start-up (tousu add)
    from tousu.excel.importing import Progress


@contextlib.contextmanager
def _progress() -> Iterator[Progress | None]:
    """A progress bar on stderr when it is a terminal; nothing otherwise."""
    if not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

    with Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
             console=err, transient=True) as bar:
        tasks: dict[str, int] = {}

        def tick(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield tick


def _span(month: str | None, since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """--month, or --from/--to (dates, both inclusive) → [start, end) of 受理时间."""
    if month and (since or until):
        raise TousuError("--month 与 --from/--to 只能选用一种")
    try:
        if month:
            from tousu.reports.monthly import Month

            mon = Month(*parse_month(month))
            return mon.start, mon.end
        start = parse_datetime(since) if since else None
    except ValueError as exc:
        raise TousuError(f"{'--month' if month else '--from'}：{exc}") from None
    try:
        end = parse_datetime(until, end_of_day=True) if until else None
    except ValueError as exc:
        raise TousuError(f"--to：{exc}") from None
    if start and end and end <= start:
        raise TousuError(f"--to {until} 早于 --from {since}")
    return start, end


app = typer.Typer()


@app.command("export", short_help="导出投诉台账（xlsx）")
@command
def export_cmd(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="输出的 xlsx 文件", show_default=False)],
    month: Annotated[Optional[str], typer.Option("--month", help="受理月份 YYYY-MM")] = None,
    since: Annotated[Optional[str], typer.Option("--from", help="受理日期起（含），YYYY-MM-DD")] = None,
    until: Annotated[Optional[str], typer.Option("--to", help="受理日期止（含），YYYY-MM-DD")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="只导出此责任单位的投诉")] = None,
    mask: Annotated[bool, typer.Option("--mask", help="隐去客户姓名、电话、地址、户号（对外报送时使用）")] = False,
) -> None:
    """导出投诉台账（xlsx）：每件投诉一行，含各环节期限与是否按时；「处理记录」表含全部处理步骤，可原样导入。"""
    from tousu.excel import ledger as excel_export

    check_output(output)
    a = app_of(ctx)
    start, end = _span(month, since, until)
    if unit is not None:
        a.org.unit(unit)
    months = None
    if month:
        months = [(start.year, start.month)]  # type: ignore[union-attr]
    complaints, problems = a.load_all(months)
    chosen = excel_export.select(complaints, since=start, until=end, unit=unit)
    excel_export.write(output, chosen, a.rules, a.calendar, a.now, mask=mask)
    events = sum(len(c.history) for c in chosen)
    voided = len(excel_export.select(complaints, since=start, until=end, unit=unit, state="voided"))
    err.print(f"[green]已导出 {len(chosen)} 件投诉（{events} 条处理记录）到 {escape(str(output))}"
              f"{'，客户信息已隐去' if mask else ''}。[/]")
    if voided:  # the 台账's count must not silently differ from the records: say where the others are
        err.print(f"另有 {voided} 件已作废的投诉未导出（不计入任何统计），可用 tousu list --state 已作废 查看。")
    print_notes(a.notes(chosen), a.findings(chosen))
    print_problems(problems)
    if problems:
        err.print(f"[red]以上 {len({str(p.path) for p in problems})} 个记录文件无法读取，未导出。[/]")
        raise typer.Exit(2)


@app.command("import", short_help="导入投诉台账（xlsx），先全部检查")
@command
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="要导入的 xlsx 文件（tousu 导出的台账或 95598 导出表）", show_default=False, metavar="文件")],
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="工作表名称（默认「投诉台账」，否则第一张）")] = None,
    mapping: Annotated[Optional[Path], typer.Option("--mapping", help="列映射 YAML（默认内置的 95598 映射）")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并列出将导入的内容，不写入")] = False,
) -> None:
    """导入投诉台账：先逐行检查，有任何一行错误则全部不导入；已有的工单（同一工单编号或 ID；两者皆无时为受理时间、联系电话、投诉项与诉求内容都相同）不会重复导入。"""
    from tousu.excel import importing as xi

    a = app_of(ctx)
    cols = xi.load_mapping(mapping)
    with _progress() as tick:
        wb = xi.read(file, sheet=sheet, mapping=cols, progress=tick)
        built = xi.build(wb, cols, rules=a.rules, org=a.org, cal=a.calendar, now=a.now, progress=tick)
        _what_was_read(wb, built, dry_run)
        if built.problems:
            raise TousuError(f"「{file.name}」有 {len(built.problems)} 处错误，未导入任何数据（改正后请重新导入）：",
                             tuple(built.problems))  # type: ignore[arg-type]
        outcomes = xi.import_into(a.store, built.items, dry_run=dry_run, progress=tick)
    if dry_run:
        _preview(outcomes, wb.main.title)
        _state_counts(outcomes)
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in xi.STATUS_ZH}
    prefix = "试运行，未写入任何数据：将" if dry_run else "导入完成："
    updated = f"，更新 {counts['update']} 件（追加处理步骤）" if counts["update"] else ""
    out.print(f"{prefix}新增 {counts['new']} 件{updated}，未变 {counts['unchanged']} 件，冲突 {counts['conflict']} 件。")
    for o in outcomes:
        if o.status == "conflict":
            c = o.complaint
            who = f"工单编号 {c.ref}" if c.ref else f"编号 {c.id}" if c.id else f"受理时间 {human(c.received_at)}"
            out.print(f"  冲突：第{o.item.row}行（{who}）与已有的 {o.existing} 不一致：{o.detail}；未覆盖。", markup=False)


def _what_was_read(wb, built, dry_run: bool) -> None:  # noqa: ANN001 - importing.Sheets, importing.Built
    """Rows skipped and columns not used (always); with --dry-run the column mapping and the translations."""
    main = wb.main
    for label, names in (("未导入的列", main.unused), ("与前面的列对应同一字段、未使用的列", main.ignored)):
        if names:
            err.print(f"[yellow]注意：[/]{label}：{escape('、'.join(names))}")
    if main.skipped:
        told = "；".join(f"第{n}行（{why}）" for n, why in main.skipped[:20])
        more = f" 等 {len(main.skipped)} 行" if len(main.skipped) > 20 else ""
        err.print(f"[yellow]注意：[/]「{escape(main.title)}」中跳过的行：{escape(told)}{more}", highlight=False)
    if not dry_run:
        return
    from tousu.excel.fields import MAIN_BY_KEY

    out.print(f"表头在「{escape(main.title)}」第{main.header_row}行；列的对应：", highlight=False)
    for key, header in sorted(main.headers.items(), key=lambda kv: main.columns[kv[0]]):
        out.print(f"  {escape(header)} → {MAIN_BY_KEY[key].header}", highlight=False)
    if built.translations:
        out.print("取值转换：", highlight=False)
        for col, src, dst, n in built.translations:
            out.print(f"  {escape(col)}：{escape(src)} → {escape(dst)}（{n} 行）", highlight=False)


def _state_counts(outcomes: list) -> None:  # list[importing.Outcome]
    """How many work orders end in each state, and how many rest on steps of unknown time."""
    from collections import Counter

    states = Counter(o.complaint.state_zh for o in outcomes if o.status in ("new", "update"))
    unknown = sum(1 for o in outcomes if o.status in ("new", "update")
                  and any(e.time_unknown for e in o.complaint.history))
    if states:
        out.print("导入后各状态的件数：" + "，".join(f"{s} {n} 件" for s, n in states.items()), highlight=False)
    if unknown:
        out.print(f"其中 {unknown} 件有时间未知的步骤（表中没有该步的时间）：这些步骤的时限不作考核。", highlight=False)


def _preview(outcomes: list, title: str) -> None:  # list[excel_import.Outcome]
    from tousu.excel.importing import STATUS_ZH

    t = Table(title=f"将从「{title}」导入（{len(outcomes)} 行）", title_justify="left")
    for col in ("行", "结果", "编号", "95598工单编号", "受理时间", "客户", "投诉项", "状态", "说明"):
        t.add_column(col, no_wrap=col in ("行", "结果", "编号", "受理时间"))
    style = {"new": "green", "update": "cyan", "unchanged": "dim", "conflict": "bold red"}
    for o in outcomes:
        c = o.complaint
        cid = o.existing or c.id or "（新编号）"
        t.add_row(str(o.item.row), f"[{style[o.status]}]{STATUS_ZH[o.status]}[/]", cid, escape(c.ref or "—"),
                  human(c.received_at), escape(c.customer.name), c.item, c.state_zh, escape(o.detail))
    out.print(t)
