"""`tousu init` and `tousu add`: a data folder, and a new complaint (prompts only in a terminal)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer
from rich.markup import escape

from tousu.cli.common import ByOpt, NoteOpt, app_of, command, err, out, warn_stages
from tousu.cli.context import default_user, parse_at
from tousu.config.org import EXAMPLE as ORG_EXAMPLE
from tousu.config.rules import builtin_path
from tousu.domain import lifecycle
from tousu.errors import TousuError, choices

app = typer.Typer()


@app.command("init")
@command
def init_cmd(
    ctx: typer.Context,
    directory: Annotated[Optional[Path], typer.Argument(help="新数据目录（默认 --data 或 ./data）")] = None,
) -> None:
    """新建数据目录：示例 org.yaml，以及（若当前目录没有）rules.yaml。"""
    a = app_of(ctx)
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
    a = app_of(ctx)
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
    warn_stages(a, c)
    err.print(f"[green]已受理投诉 {c.id}（{c.item}），请在 1 小时内派发（第十四条）。[/]")
    sys.stdout.write(c.id + "\n")
