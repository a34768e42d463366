"""`tousu report`: the monthly bulletin (SPEC §6) and the half-year statistics (第二十七条).

Thin: check the options, let reports/ load and compute, hand the dict to one renderer
(terminal table, JSON, the xlsx bulletin or the Word 通报 公文).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape

from tousu.cli.common import (app_of, check_format, command, err, keep_loaded, out, print_json, print_notes,
                              print_problems)
from tousu.cli.context import App, parse_at
from tousu.domain import ledger as ledger_mod
from tousu.domain.model import Complaint
from tousu.errors import Problem, TousuError
from tousu.files import check_output
from tousu.reports import loading
from tousu.reports.half_year import half_year
from tousu.reports.monthly import as_of_view, jsonable, month_report
from tousu.terminal import report as report_table
from tousu.timeutil import Half, Month

REPORT_HELP = (
    "月度投诉通报（第二十一、二十二条）：--month YYYY-MM 统计当月受理的投诉——受理与属实件数（第九条）、"
    "四大类十七项、责任单位、渠道、环比与同比、越级、一次解决率/首日联系率/按时办结率/回访率/回访满意率、"
    "超期环节、重复投诉、《投诉事件通报》、考核明细与绩效扣款；--half YYYYH1|YYYYH2 为半年统计（第二十七条）。"
    "默认在终端显示表格，--format json 输出 JSON，-o 文件.xlsx 生成可在 Excel/WPS 中打开、按A4打印的通报表，"
    "-o 文件.docx 生成通报公文（发文单位、文号、主送见 org.yaml 的 company）。客户信息默认屏蔽，--unmask 仅供市场营销部内部使用。"
)
OUTPUTS = {".xlsx": "通报表", ".docx": "通报公文"}

app = typer.Typer()


@app.command("report", help=REPORT_HELP, short_help="月度通报（--month）与半年统计（--half）")
@command
def report_cmd(
    ctx: typer.Context,
    month: Annotated[Optional[str], typer.Option("--month", help="统计月份 YYYY-MM（按受理时间，中国时间）")] = None,
    half: Annotated[Optional[str], typer.Option("--half", help="半年统计：YYYYH1 或 YYYYH2（第二十七条）")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="生成 文件.xlsx（通报表）或 文件.docx（通报公文）")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="输出格式：table（默认）或 json")] = None,
    unmask: Annotated[bool, typer.Option("--unmask", help="不屏蔽客户姓名、电话、户号、地址（仅供市场营销部内部使用）")] = False,
    at: Annotated[Optional[str], typer.Option("--at", help="统计截止时间（默认现在）：此后的处理步骤不计入")] = None,
    cases: Annotated[Optional[int], typer.Option("--cases", help="公文“典型案例”的件数（默认 5，最严重的在前）")] = None,
    case: Annotated[Optional[list[str]], typer.Option("--case", help="公文“典型案例”选用的投诉编号（可重复）")] = None,
    requirements: Annotated[Optional[Path], typer.Option("--requirements", help="公文“下步工作要求”的文字（UTF-8 文本文件，每段一行）")] = None,
    number: Annotated[Optional[str], typer.Option("--number", help="公文文号中的序号（org.yaml company.doc_number 的 {n}）")] = None,
) -> None:
    a = app_of(ctx)
    if (month is None) == (half is None):
        raise TousuError("请给出 --month YYYY-MM（月度通报）或 --half YYYYH1|YYYYH2（半年统计）之一，且只能给出一个")
    if fmt is not None:
        check_format(fmt)
    docx = output is not None and output.suffix.lower() == ".docx"
    _check_docx_options(docx and month is not None, cases, case, requirements, number)
    if output is not None:
        check_output(output, OUTPUTS if month is not None else None)
    as_of = parse_at(at, a.now)
    if month is not None:
        try:
            mon = Month.parse(month)
        except ValueError as exc:
            raise TousuError(f"--month：{exc}") from None
        paragraphs = _requirements(a, requirements) if docx else ()
        data, problems = _month(a, mon, as_of, unmask)
        data["rules"] = str(a.rules_path)  # the bulletin names the rules file it was counted by (SPEC §4)
        if docx:
            _write_notice(a, data, output, cases, case or [], paragraphs, number)  # type: ignore[arg-type]
        elif output is not None:
            from tousu.excel.bulletin import write_month

            write_month(data, output)
        _emit(data, output, fmt, lambda: report_table.month(out, data), unmask)
    else:
        try:
            period = Half.parse(half or "")
        except ValueError as exc:
            raise TousuError(str(exc)) from None
        data, problems = _half(a, period, as_of)
        data["rules"] = str(a.rules_path)
        title = f"{period.zh}投诉统计与考核（第二十七条）"
        if output is not None:
            from tousu.excel.half_year import write_generic

            write_generic(title, report_table.sections(data), output, report_table.HEADERS,
                          a.org.company.name if a.org.company else "")
        _emit(data, output, fmt, lambda: report_table.generic(out, title, data), False)
    if problems:  # the figures leave those records out: say so in the exit status too
        err.print(f"[red]以上 {len({str(p.path) for p in problems})} 个记录文件无法读取，未计入统计，统计不完整。[/]")
        raise typer.Exit(2)


def _check_docx_options(docx: bool, cases: int | None, case: list[str] | None, requirements: Path | None,
                        number: str | None) -> None:
    given = [name for name, v in (("--cases", cases), ("--case", case), ("--requirements", requirements),
                                  ("--number", number)) if v]
    if given and not docx:
        raise TousuError(f"{'、'.join(given)} 只用于月度通报公文：请同时给出 --month YYYY-MM -o 文件.docx")
    if cases is not None and cases < 0:
        raise TousuError(f"--cases「{cases}」无效，应为不小于 0 的整数（典型案例的件数）")


def _requirements(a: App, path: Path | None) -> tuple[str, ...]:
    """五、下步工作要求: --requirements FILE, else rules.yaml report.requirements, else none (a marked blank)."""
    if path is None:
        return a.rules.requirements
    from tousu.config.yamlio import Unreadable, read_bounded

    if not path.exists():
        raise TousuError(f"--requirements：找不到文件「{path}」")
    try:  # a FIFO or a device never hangs the bulletin; a megabyte is far more than a page of text
        text = read_bounded(path, 1 << 20).decode("utf-8-sig")
    except Unreadable as exc:
        raise TousuError(f"--requirements：{exc.problem.path}：{exc.problem.message}") from None
    except UnicodeDecodeError:
        raise TousuError(f"--requirements：文件「{path}」不是 UTF-8 文本（请另存为 UTF-8）") from None
    paragraphs = tuple(line.strip() for line in text.splitlines() if line.strip())
    if not paragraphs:
        raise TousuError(f"--requirements：文件「{path}」是空的，请写入下步工作要求（每段一行）")
    return paragraphs


def _write_notice(a: App, data: dict[str, Any], output: Path, cases: int | None, case: list[str],
                  requirements: tuple[str, ...], number: str | None) -> None:
    from tousu.reports.notice import notice
    from tousu.word.notice import write_notice

    doc = notice(data, a.org.company, cases=5 if cases is None else cases, case_ids=case,
                 requirements=requirements, number=number)
    write_notice(doc, output)
    if not requirements:
        err.print("[yellow]注意：[/]公文“五、下步工作要求”尚未给出，已留出醒目的空白待填；"
                  "请用 --requirements 文件.txt 或 rules.yaml 的 report.requirements 给出本公司的要求。")
    if a.org.company is None:
        err.print(f"[yellow]注意：[/]{escape(str(a.org.source))} 没有 company（发文单位、文号、主送、落款），"
                  "公文中这几处留空待填；示例见 tousu init 生成的 org.yaml。")


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


def _checked(a: App, complaints: list[Complaint], problems: list[Problem], notes: list[Problem] = (),
             found: list[Problem] = ()) -> list[Problem]:
    """Unreadable files (left out, exit 2) and values rules.yaml does not know (counted as they
    stand, warned about); printed once, in the files' order (`notes` and `found`: those the index
    knows, of records it counted without reading or that were read whole; `complaints`: the
    records still to be checked)."""
    by_path = lambda p: (Path(p.path).parent.name, Path(p.path).name)  # noqa: E731 - stable: lines stay in order
    print_notes(sorted([*a.notes(complaints), *notes], key=by_path),
                sorted([*a.findings(complaints), *found], key=by_path))
    print_problems(problems)
    return problems


def _month(a: App, mon: Month, as_of: Any, unmask: bool) -> tuple[dict[str, Any], list[Problem]]:
    a.org  # noqa: B018 - a broken org.yaml is an error before any record is read
    got = loading.load_for_month(a.store, mon, a.rules.repeat_window_days, as_of, _Index(a))
    keep_loaded()
    complaints = got.complaints
    problems = _checked(a, got.unchecked, got.problems, got.notes, got.findings)
    # --at: later steps and assessments do not count; the ledger is worked out from the assessed alone
    seen = [as_of_view(c, as_of) for c in complaints if any(e.action == "assess" for e in c.history)]
    penalties = ledger_mod.month_penalties(seen, a.rules, mon)
    later = ledger_mod.later_penalties(seen, a.rules, mon)
    _add_person_units(a, penalties + later)
    data = month_report(
        complaints, a.rules, a.calendar, mon.year, mon.month, as_of=as_of, units=a.org.unit_names,
        ranked=tuple(u.name for u in a.org.units if u.kind == "基层单位"),
        households=a.org.households, unmask=unmask, penalties=penalties, later_penalties=later,
        tallies=got.tallies, tally_counts=got.counts,
        ledger=ledger_mod.ledger(seen, a.org, mon),
        unit_fines=ledger_mod.unit_fines(seen, a.rules, mon),
    )
    data["unreadable"] = [str(p) for p in problems]
    data["company"] = a.org.company.name if a.org.company else None
    data["rules"] = str(a.rules.source)
    return data, problems


class _Index:
    """The index's choices for loading.load_for_month; None when it cannot be used (read the files)."""

    def __init__(self, a: App) -> None:
        from tousu.storage import index

        self.a, self.index = a, index
        self.key = index.key_of(a.rules_path, a.data_dir / "org.yaml")

    def ledger_files(self, months: list[tuple[int, int]], since: Any) -> list[Path] | None:
        try:
            return self.index.ledger_files(self.a.store, self.a.rules, self.a.calendar, self.key, months, since)
        except self.index.Unavailable:
            return None

    def count_files(self, months: list[tuple[int, int]], before: Any, full: list[tuple[int, int]],
                    detail: list[tuple[int, int]]) -> Any:
        try:
            return self.index.count_files(self.a.store, self.a.rules, self.a.calendar, self.key, months, before,
                                          full, detail)
        except self.index.Unavailable:
            return None


def _half(a: App, period: Half, as_of: Any) -> tuple[dict[str, Any], list[Problem]]:
    complaints, problems = a.load_all(loading.months_up_to(a.store, period.last))
    keep_loaded()
    problems = _checked(a, complaints, problems)
    seen = [as_of_view(c, as_of) for c in complaints]  # --at: later steps and assessments do not count
    data = jsonable(half_year(seen, a.rules, a.org, period, as_of))
    _add_person_units(a, data["penalties"])
    return data, problems


def _add_person_units(a: App, penalties: list[dict[str, Any]]) -> None:
    """The fined person's unit, for the 考核明细 tables (SPEC §4's keys stay as they are)."""
    units = {p.name: p.unit for p in a.org.staff}
    for row in penalties:
        if "person" in row:
            row["person_unit"] = units.get(row["person"])
