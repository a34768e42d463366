"""The command line: parse options, call the core, map errors to exit codes.

Exit status: 0 success; 1 `check-overdue` found something overdue; 2 any error
(a Chinese message naming the bad value and the valid ones, nothing written).
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer
from rich.console import Console
from rich.markup import escape

from . import lifecycle, overdue, render
from .app import App, default_user, parse_at
from .deadlines import pending_deadline, stages
from .errors import Problem, TousuError, choices, os_reason
from .model import STATES, Complaint
from .org import EXAMPLE as ORG_EXAMPLE
from .rules import builtin_path
from .timeutil import human_deadline, iso, parse_month

def _help_in_chinese() -> None:
    """Say typer's own help labels in Chinese.

    These are module constants of typer's rich help and the text of the help
    option; where a typer version names them differently, help stays in English
    rather than failing.
    """
    try:
        from typer import rich_utils
    except ImportError:  # pragma: no cover - typer without rich help
        return
    for name, text in (("ARGUMENTS_PANEL_TITLE", "参数"), ("OPTIONS_PANEL_TITLE", "选项"),
                       ("COMMANDS_PANEL_TITLE", "命令"), ("REQUIRED_LONG_STRING", "[必填]"),
                       ("DEFAULT_STRING", "[默认：{}]"), ("ENVVAR_STRING", "[环境变量：{}]")):
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, text)
    _TYPE_LABELS = {"<str>": "<文字>", "<bool>": None, "<path>": "<路径>", "<int>": "<整数>",
                    "<list[str]>": "<文字，可重复>"}
    for cls in (getattr(typer.core, "TyperOption", None), getattr(typer.core, "TyperArgument", None)):
        shown = getattr(cls, "display_type_rich", None)
        if shown is None or getattr(shown, "_tousu", False):
            continue

        def display_type_rich(self, ctx, _shown=shown):  # noqa: ANN001, ANN202 - typer's signature
            label = _shown(self, ctx)
            return _TYPE_LABELS.get(label, label) if isinstance(label, str) else label

        display_type_rich._tousu = True  # type: ignore[attr-defined]
        cls.display_type_rich = display_type_rich
    core = getattr(getattr(typer, "_click", None), "core", None)
    command_cls = getattr(core, "Command", None)
    original = getattr(command_cls, "get_help_option", None)
    if original is None or getattr(original, "_tousu", False):
        return

    def get_help_option(self, ctx):  # noqa: ANN001, ANN202 - typer's signature
        opt = original(self, ctx)
        if opt is not None:
            opt.help = "显示本帮助并退出"
        return opt

    get_help_option._tousu = True  # type: ignore[attr-defined]
    command_cls.get_help_option = get_help_option


_help_in_chinese()

app = typer.Typer(
    help="tousu（投诉）：供电公司客户投诉工单管理与考核。数据在 ./data（--data），规则在 ./rules.yaml（--rules）。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Piped or mailed (cron), rich would cut tables to 80 columns: give them room instead.
_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
out = Console(highlight=False, soft_wrap=False, width=_WIDTH)
# soft_wrap: messages and `path:line: …` problems stay one line each, whatever the width (cron logs, grep).
err = Console(stderr=True, highlight=False, soft_wrap=True)

DataOpt = Annotated[Optional[Path], typer.Option("--data", envvar="TOUSU_DATA", help="数据目录（默认 ./data）")]
RulesOpt = Annotated[Optional[str], typer.Option("--rules", envvar="TOUSU_RULES", help="规则文件（默认 ./rules.yaml，无则用内置规则）")]
AtOpt = Annotated[Optional[str], typer.Option("--at", help="发生时间 YYYY-MM-DD HH:MM（默认现在，中国时间）")]
ByOpt = Annotated[Optional[str], typer.Option("--by", help="经办人（默认环境变量 TOUSU_USER，否则登录名）")]
NoteOpt = Annotated[str, typer.Option("--note", help="备注")]
IdArg = Annotated[str, typer.Argument(help="投诉编号，如 TS202611260001", show_default=False, metavar="编号")]
FormatOpt = Annotated[str, typer.Option("--format", help="输出格式：table 或 json")]


def _version(value: bool) -> None:
    if value:
        from . import __version__

        sys.stdout.write(f"tousu {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _global(
    ctx: typer.Context,
    data: DataOpt = None,
    rules: RulesOpt = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本并退出")] = False,
) -> None:
    ctx.obj = App(data_dir=data or Path("data"), rules_option=rules)


def fail(exc: TousuError) -> None:
    err.print(f"[bold red]错误：[/]{escape(exc.message)}", markup=True)
    for p in exc.problems:
        err.print(f"  {p}", markup=False)


def print_problems(problems: list[Problem]) -> None:
    """Record files that could not be read, one `path:line: message` line each (stderr)."""
    for p in problems:
        err.print(f"[red]无法读取：[/]{escape(str(p))}", markup=True)


def print_notes(notes: list[Problem]) -> None:
    """Readable records with values rules.yaml does not know (warnings, stderr)."""
    for p in notes:
        err.print(f"[yellow]注意：[/]{escape(str(p))}", markup=True)


def _os_error(exc: OSError) -> TousuError:
    """A file-system failure as a Chinese message naming the path."""
    reasons = {IsADirectoryError: "这是一个目录，不是文件", NotADirectoryError: "路径中有一段不是目录",
               FileExistsError: "已存在同名的文件或目录"}
    reason = next((text for cls, text in reasons.items() if isinstance(exc, cls)), None) or os_reason(exc)
    where = exc.filename or ""
    return TousuError(f"无法读写「{where}」：{reason}；没有写入任何记录" if where else f"文件读写失败：{reason}")


def command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register a command whose TousuErrors become a Chinese message and exit 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TousuError as exc:
            fail(exc)
            raise typer.Exit(2) from None
        except OSError as exc:
            fail(_os_error(exc))
            raise typer.Exit(2) from None

    return wrapper


def _app(ctx: typer.Context) -> App:
    return ctx.obj


def _format(value: str) -> str:
    if value not in ("table", "json"):
        raise TousuError(f"输出格式「{value}」无效，可选：table、json")
    return value


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _warn(a: App, c: Complaint) -> None:
    seen: set[str] = set()
    for s in stages(c, a.rules, a.calendar):
        for w in s.warnings:
            if w not in seen:
                seen.add(w)
                err.print(f"[yellow]注意：[/]{w}")


def _one_of(yes: bool, no: bool, what: str, yes_opt: str, no_opt: str) -> bool:
    """A verdict given by exactly one of two flags."""
    if yes and no:
        raise TousuError(f"{what}不能同时是 {yes_opt} 和 {no_opt}，请只给出其中一个")
    if not (yes or no):
        raise TousuError(f"缺少{what}：请给出 {yes_opt} 或 {no_opt}")
    return yes


def _step(ctx: typer.Context, cid: str, fn: Callable[[Complaint], Complaint], done: str) -> Complaint:
    a = _app(ctx)
    c = a.store.update(cid, fn)
    _warn(a, c)
    err.print(f"[green]{escape(done.replace(cid, c.id))}[/]")
    return c


# ---------------------------------------------------------------- set-up


@app.command("init")
@command
def init_cmd(
    ctx: typer.Context,
    directory: Annotated[Optional[Path], typer.Argument(help="新数据目录（默认 --data 或 ./data）")] = None,
) -> None:
    """新建数据目录：示例 org.yaml，以及（若当前目录没有）rules.yaml。"""
    a = _app(ctx)
    target = directory or a.data_dir
    org_path = target / "org.yaml"
    if org_path.exists():
        raise TousuError(f"{org_path} 已存在，未做任何改动")
    (target / "complaints").mkdir(parents=True, exist_ok=True)
    org_path.write_text(ORG_EXAMPLE, encoding="utf-8")
    out.print(f"已创建 {org_path}，请按本单位的实际情况填写单位和人员。")
    rules_here = Path("rules.yaml")
    if not rules_here.exists():
        rules_here.write_text(builtin_path().read_text(encoding="utf-8"), encoding="utf-8")
        out.print(f"已创建 {rules_here.resolve()}（内置规则的副本，可按本公司细则修改）。")


# ---------------------------------------------------------------- intake

_PROMPTS = [
    ("channel", "受理渠道"),
    ("name", "客户姓名"),
    ("phone", "联系电话"),
    ("item", "投诉项"),
    ("content", "诉求内容"),
]
_OPTION_OF = {"channel": "--channel", "name": "--name", "phone": "--phone", "item": "--item", "content": "--content"}


def _ask(label: str, valid: tuple[str, ...] | None = None,
         check: Callable[[str], str] | None = None, hint: bool = True) -> str:
    """Prompt until the answer is valid (only ever called in a terminal)."""
    hint_text = f"（{choices(valid)}）" if valid and hint else ""
    while True:
        value = typer.prompt(f"{label}{hint_text}", default="", show_default=False).strip()
        if not value:
            err.print("[red]不能为空[/]")
        elif valid is not None and value not in valid:
            err.print(f"[red]「{escape(value)}」无效[/]，可选：{choices(valid)}")
        else:
            try:
                return check(value) if check else value
            except TousuError as exc:
                err.print(f"[red]{escape(exc.message)}[/]")


@app.command("add")
@command
def add_cmd(
    ctx: typer.Context,
    received_at: Annotated[Optional[str], typer.Option("--received-at", help="受理时间（默认现在）")] = None,
    channel: Annotated[Optional[str], typer.Option("--channel", help="受理渠道：来电/来信/来访/互联网/其他")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="客户姓名")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="联系电话")] = None,
    address: Annotated[str, typer.Option("--address", help="用电地址")] = "",
    account: Annotated[str, typer.Option("--account", help="户号")] = "",
    category: Annotated[Optional[str], typer.Option("--category", help="投诉大类（可由投诉项推出）")] = None,
    item: Annotated[Optional[str], typer.Option("--item", help="投诉项（第十条十七项之一）")] = None,
    content: Annotated[Optional[str], typer.Option("--content", help="诉求内容")] = None,
    attitude: Annotated[Optional[str], typer.Option("--attitude", help="客户态度程度（第十四条），默认 平和")] = None,
    severity: Annotated[Optional[str], typer.Option("--severity", help="事件等级：一般/严重/重大，默认 一般")] = None,
    escalated_to: Annotated[Optional[list[str]], typer.Option("--escalated-to", help="越级投诉渠道（第二十五条），可重复")] = None,
    ref: Annotated[Optional[str], typer.Option("--ref", help="95598 工单编号")] = None,
    by: ByOpt = None,
    note: NoteOpt = "",
) -> None:
    """受理一件新投诉，在标准输出打印新编号（终端中缺少的必填项会逐项询问）。"""
    a = _app(ctx)
    rules = a.rules
    values = {"channel": channel, "name": name, "phone": phone, "item": item, "content": content}
    missing = [k for k, v in values.items() if not v]
    if missing:
        if sys.stdin.isatty():
            for key, label in _PROMPTS:
                if key not in missing:
                    continue
                if key == "item":  # 第十条: show the 17 items under their 4 categories
                    for cat, items in rules.taxonomy.items():
                        err.print(f"  [bold]{cat}[/]：{'、'.join(items)}")
                    values[key] = _ask("投诉项（见上）", tuple(rules.items), hint=False)
                else:
                    valid = rules.channels if key == "channel" else None
                    values[key] = _ask(label, valid, lifecycle.check_phone if key == "phone" else None)
            # Optional facts, asked only in this interactive session; Enter keeps the default.
            if not address:
                address = typer.prompt("用电地址（可空）", default="", show_default=False).strip()
            if not account:
                account = typer.prompt("户号（可空）", default="", show_default=False).strip()
            if not attitude:
                while attitude not in rules.attitudes:
                    attitude = typer.prompt(f"客户态度程度（{choices(rules.attitudes)}，第十四条）",
                                            default=rules.attitudes[0]).strip()
        else:
            names = "、".join(f"{dict(_PROMPTS)[k]}（{_OPTION_OF[k]}）" for k in missing)
            raise TousuError(f"缺少必填项：{names}")
    draft = lifecycle.new_complaint(
        rules=rules,
        received_at=parse_at(received_at, a.now, "--received-at"),
        now=a.now,
        by=by or default_user(),
        channel=values["channel"],
        name=values["name"],
        phone=values["phone"],
        category=category,
        item=values["item"],
        content=values["content"],
        address=address,
        account=account,
        attitude=attitude,
        severity=severity,
        escalated_to=tuple(escalated_to or ()),
        ref=ref,
        note=note,
    )
    c = a.store.create(draft)
    _warn(a, c)
    err.print(f"[green]已受理投诉 {c.id}（{c.item}），请在 1 小时内派发（第十四条）。[/]")
    sys.stdout.write(c.id + "\n")


# ---------------------------------------------------------------- steps


@app.command("dispatch")
@command
def dispatch_cmd(ctx: typer.Context, cid: IdArg,
                 unit: Annotated[str, typer.Option("--unit", help="责任单位（org.yaml 中的单位）")],
                 at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """派发（或再分发）投诉工单到责任单位（第十四条，1小时内）。"""
    a = _app(ctx)
    t = parse_at(at, a.now)
    _step(ctx, cid, lambda c: lifecycle.dispatch(c, unit=unit, at=t, by=by or default_user(), now=a.now,
                                                 org=a.org, note=note),
          f"{cid} 已派发至 {unit}。")


@app.command("contact")
@command
def contact_cmd(ctx: typer.Context, cid: IdArg, at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """登记首次联系客户（第十五条，1个工作日内）。"""
    a = _app(ctx)
    t = parse_at(at, a.now)
    _step(ctx, cid, lambda c: lifecycle.contact(c, at=t, by=by or default_user(), now=a.now, note=note),
          f"{cid} 已登记首次联系客户。")


@app.command("return")
@command
def return_cmd(ctx: typer.Context, cid: IdArg,
               reason: Annotated[str, typer.Option("--reason", help="退回理由（第十七条）")],
               at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """退回95598班：不属本单位处理范围，须说明理由（第十七条，1个工作日内）。"""
    a = _app(ctx)
    t = parse_at(at, a.now)
    _step(ctx, cid, lambda c: lifecycle.return_(c, reason=reason, at=t, by=by or default_user(), now=a.now,
                                                note=note),
          f"{cid} 已退回95598班，待重新派发。")


@app.command("extend")
@command
def extend_cmd(ctx: typer.Context, cid: IdArg,
               until: Annotated[str, typer.Option("--until", help="延期至（日期或日期时间；只写日期表示当日24:00）")],
               reason: Annotated[str, typer.Option("--reason", help="延期理由（情况复杂）")],
               approved_by: Annotated[str, typer.Option("--approved-by", help="批准人（org.yaml 中的人员）")],
               at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """登记经公司同意的答复期限延期（第十五条）。"""
    from .timeutil import parse_datetime

    a = _app(ctx)
    t = parse_at(at, a.now)
    try:
        until_at = parse_datetime(until, end_of_day=True)
    except ValueError as exc:
        raise TousuError(f"--until：{exc}") from None

    def step(c: Complaint) -> Complaint:
        current = pending_deadline(c, "reply", a.rules, a.calendar)
        return lifecycle.extend(c, until=until_at, reason=reason, approved_by=approved_by, at=t,
                                by=by or default_user(), now=a.now, org=a.org, current_deadline=current, note=note)

    _step(ctx, cid, step, f"{cid} 的答复期限已延至 {human_deadline(until_at)}。")


@app.command("reply")
@command
def reply_cmd(
    ctx: typer.Context,
    cid: IdArg,
    verified: Annotated[bool, typer.Option("--verified", help="核实结论：属实（第九条）")] = False,
    not_verified: Annotated[bool, typer.Option("--not-verified", help="核实结论：不属实")] = False,
    responsible: Annotated[bool, typer.Option("--responsible", help="责任认定：供电责任")] = False,
    not_responsible: Annotated[bool, typer.Option("--not-responsible", help="责任认定：非供电责任")] = False,
    cause: Annotated[Optional[str], typer.Option("--cause", help="投诉产生原因")] = None,
    process: Annotated[Optional[str], typer.Option("--process", help="处理过程")] = None,
    measures: Annotated[str, typer.Option("--measures", help="整改措施")] = "",
    at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "",
) -> None:
    """答复客户并回复95598班（第十五条，4个工作日内）。"""
    a = _app(ctx)
    is_verified = _one_of(verified, not_verified, "核实结论", "--verified（属实）", "--not-verified（不属实）")
    is_responsible = _one_of(responsible, not_responsible, "责任认定",
                             "--responsible（供电责任）", "--not-responsible（非供电责任）")
    t = parse_at(at, a.now)
    _step(ctx, cid, lambda c: lifecycle.reply(c, verified=is_verified, responsible=is_responsible, cause=cause or "",
                                              process=process or "", measures=measures, at=t,
                                              by=by or default_user(), now=a.now, note=note),
          f"{cid} 已答复，待营销部审核。")


@app.command("review")
@command
def review_cmd(ctx: typer.Context, cid: IdArg,
               reject: Annotated[bool, typer.Option("--reject", help="驳回，退回责任单位重新答复")] = False,
               reason: Annotated[Optional[str], typer.Option("--reason", help="驳回理由")] = None,
               at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """营销部审核答复（第十六条）：默认通过，--reject 驳回。"""
    a = _app(ctx)
    if reason and not reject:
        raise TousuError("--reason 是驳回理由，只能与 --reject 一起使用；审核通过不需要理由（可用 --note 备注）")
    t = parse_at(at, a.now)
    _step(ctx, cid, lambda c: lifecycle.review(c, approve=not reject, reason=reason, at=t, by=by or default_user(),
                                               now=a.now, note=note),
          f"{cid} 审核{'驳回，待责任单位重新答复' if reject else '通过，请在24小时内回访（第十六条）'}。")


@app.command("revisit")
@command
def revisit_cmd(ctx: typer.Context, cid: IdArg,
                satisfied_flag: Annotated[bool, typer.Option("--satisfied", help="回访结果：满意")] = False,
                unsatisfied: Annotated[bool, typer.Option("--unsatisfied", help="回访结果：不满意（待再分发）")] = False,
                at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """回访客户（第十六条、第二十条）；不满意则待再分发（第二十一条）。"""
    a = _app(ctx)
    satisfied = _one_of(satisfied_flag, unsatisfied, "回访结果", "--satisfied（满意）", "--unsatisfied（不满意）")
    t = parse_at(at, a.now)
    _step(ctx, cid, lambda c: lifecycle.revisit(c, satisfied=satisfied, at=t, by=by or default_user(), now=a.now,
                                                note=note),
          f"{cid} 回访{'满意，可以归档' if satisfied else '不满意，待95598班再分发（第二十一条）'}。")


@app.command("archive")
@command
def archive_cmd(ctx: typer.Context, cid: IdArg, at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """归档（回访满意之后）。"""
    a = _app(ctx)
    t = parse_at(at, a.now)
    _step(ctx, cid, lambda c: lifecycle.archive(c, at=t, by=by or default_user(), now=a.now, note=note),
          f"{cid} 已归档。")


@app.command("grade")
@command
def grade_cmd(ctx: typer.Context, cid: IdArg,
              severity: Annotated[str, typer.Option("--severity", help="事件等级：严重 或 重大（只能提高）")],
              at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """设定或提高事件等级；严重/重大须当日上报营销部（第十九条）。"""
    a = _app(ctx)
    t = parse_at(at, a.now)
    _step(ctx, cid, lambda c: lifecycle.grade(c, severity=severity, rules=a.rules, at=t, by=by or default_user(),
                                              now=a.now, note=note),
          f"{cid} 的事件等级已定为{severity}，须当日24:00前上报营销部（tousu notify {cid}）。")


@app.command("notify")
@command
def notify_cmd(ctx: typer.Context, cid: IdArg, at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """登记严重/重大投诉事件已当日上报营销部（第十九条）。"""
    a = _app(ctx)
    t = parse_at(at, a.now)
    _step(ctx, cid, lambda c: lifecycle.notify(c, at=t, by=by or default_user(), now=a.now, note=note),
          f"{cid} 已登记上报营销部。")


# ---------------------------------------------------------------- looking


@app.command("show")
@command
def show_cmd(ctx: typer.Context, cid: IdArg,
             at: Annotated[Optional[str], typer.Option("--at", help="按此时间判断是否超期（默认现在）")] = None,
             fmt: FormatOpt = "table") -> None:
    """查看一件投诉：内容、处理记录、各环节时限及其计算依据。"""
    a = _app(ctx)
    _format(fmt)
    now = parse_at(at, a.now)
    c = a.store.load(cid)
    st = stages(c, a.rules, a.calendar)
    if fmt == "json":
        from .records import to_data

        data = to_data(c)
        data["state"] = c.state
        data["stages"] = [
            {"stage": s.key, "name": s.name, "cycle": s.cycle, "unit": s.unit, "started": iso(s.started),
             "deadline": iso(s.deadline), "done_at": iso(s.done_at), "status": s.status(now), "basis": s.basis,
             "clause": s.clause}
            for s in st
        ]
        _print_json(data)
    else:
        render.complaint(out, c, st, now)
    _warn(a, c)
    print_notes(a.notes([c]))


def _months_between(month: str, option: str = "--month") -> list[tuple[int, int]]:
    try:
        return [parse_month(month)]
    except ValueError as exc:
        raise TousuError(f"{option}：{exc}" if option else str(exc)) from None


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
    a = _app(ctx)
    _format(fmt)
    a.rules  # a broken rules.yaml is an error even when there is nothing to list
    now = parse_at(at, a.now)
    months = _months_between(month) if month else None
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
    rows = []
    for c in complaints:
        if unit is not None and c.unit != unit:
            continue
        if wanted_state is not None and c.state != wanted_state:
            continue
        if category is not None and category not in (c.category, c.item):
            continue
        pending = [s for s in stages(c, a.rules, a.calendar) if s.pending]
        nxt = min(pending, key=lambda s: s.deadline, default=None)
        if only_overdue and not any(now > s.deadline for s in pending):
            continue
        rows.append((c, nxt))
    if fmt == "json":
        _print_json([{"id": c.id, "received_at": iso(c.received_at), "category": c.category, "item": c.item,
                      "unit": c.unit, "state": c.state, "next_stage": n.key if n else None,
                      "next_deadline": iso(n.deadline) if n else None} for c, n in rows])
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
    a = _app(ctx)
    _format(fmt)
    try:
        now = parse_at(at, a.now)
        complaints, problems = a.load_all()
        report = overdue.check(complaints, problems, a.rules, a.calendar, now)
        notes = a.notes(complaints)
        report["warnings"] += [str(p) for p in notes]
    except TousuError as exc:
        if fmt == "json":  # cron keeps the JSON file: say what went wrong in it too
            _print_json({"as_of": iso(a.now), "overdue": [], "due_soon": [], "warnings": [],
                         "errors": [{"path": None, "line": 0, "message": exc.message}]
                         + [{"path": str(p.path), "line": p.line, "message": p.message} for p in exc.problems]})
        raise
    if fmt == "json":
        _print_json(report)
    else:
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
    a = _app(ctx)
    (y, m), = _months_between(month, "")
    render.month_calendar(out, a.calendar, y, m)
    if not a.calendar.covered(y):
        from .calendar import uncovered_warning

        err.print(f"[yellow]注意：[/]{uncovered_warning(y)}")


def _usage_zh(exc: Exception) -> str:
    """Click's English usage errors, said in Chinese (the names stay as typed)."""
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    if kind == "NoSuchOption":
        msg = f"没有选项「{exc.option_name}」"  # type: ignore[attr-defined]
        near = getattr(exc, "possibilities", None)
        return msg + (f"，您是不是想用：{choices(sorted(near))}" if near else "")
    if kind == "MissingParameter" and param is not None:
        opts = getattr(param, "opts", None) or [param.name]
        if getattr(param, "param_type_name", "") == "argument":
            return f"缺少参数「{getattr(param, 'metavar', None) or param.name}」"
        return f"缺少必填选项「{opts[0]}」"
    if kind == "BadParameter" and param is not None:
        opts = getattr(param, "opts", None) or [param.name]
        return f"「{opts[0]}」的值无效：{getattr(exc, 'message', exc)}"
    text = exc.format_message()  # type: ignore[attr-defined]
    m = re.match(r"No such command '(.+?)'\.(?: Did you mean '(.+?)'\?)?", text)
    if m:
        return f"没有命令「{m.group(1)}」" + (f"，您是不是想用「{m.group(2)}」" if m.group(2) else "")
    m = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", text)
    if m:
        return f"多余的参数：{m.group(1)}"
    m = re.match(r"Option '(.+?)' does not take a value\.", text)
    if m:
        return f"选项「{m.group(1)}」是开关，不带值（直接写 {m.group(1)}）"
    m = re.match(r"Option '(.+?)' requires an argument\.", text)
    if m:
        return f"选项「{m.group(1)}」后面缺少值"
    return f"用法错误：{text}"


from . import cli_assess  # noqa: E402,F401  (registers assess, escalate)
from . import cli_report  # noqa: E402,F401  (registers report)
from . import cli_excel  # noqa: E402,F401  (registers export, import)


def main() -> None:
    """Entry point: run the app and say usage errors in Chinese (exit 2)."""
    command_ = typer.main.get_command(app)
    try:
        code = command_.main(prog_name="tousu", standalone_mode=False)
    except Exception as exc:  # noqa: BLE001 - click's usage errors, duck-typed across typer versions
        kind = type(exc).__name__
        if kind == "Abort":  # Ctrl-C / Ctrl-D at a prompt
            err.print("\n已取消，没有写入任何记录。")
            sys.exit(130)
        if kind == "NoArgsIsHelpError" and getattr(exc, "ctx", None) is not None:
            sys.stdout.write(exc.ctx.get_help() + "\n")  # type: ignore[attr-defined]
            sys.exit(0)
        if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
            raise
        ctx = getattr(exc, "ctx", None)
        err.print(f"[bold red]错误：[/]{escape(_usage_zh(exc))}")
        if ctx is not None:
            err.print(f"查看用法：{ctx.command_path} -h", markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("已取消。")
        sys.exit(130)
    if type(code).__name__ == "Abort" or code is None:
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)
