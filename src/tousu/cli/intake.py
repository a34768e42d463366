"""`tousu init` and `tousu add`: a data folder, and a new complaint (prompts only in a terminal)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Optional

import typer

from tousu.cli.common import ByOpt, NoteOpt, app_of, canon, command, due_text, err, operator, out, warn_stages
from tousu.cli.context import App, parse_at
from tousu.cli.prompts import ask
from tousu.config import rules as rules_mod
from tousu.config.org import EXAMPLE as ORG_EXAMPLE
from tousu.config.rules import builtin_path
from tousu.domain import duplicates, lifecycle
from tousu.domain.model import Complaint
from tousu.domain.phones import account_text, lost_leading_zero, parse_phone
from tousu.errors import TousuError, choices
from tousu.timeutil import human

app = typer.Typer()


@app.command("init", short_help="新建数据目录（示例 org.yaml、rules.yaml）")
@command
def init_cmd(
    ctx: typer.Context,
    directory: Annotated[Optional[Path], typer.Argument(help="新数据目录（默认 --data 或 ./data）")] = None,
) -> None:
    """新建数据目录：示例 org.yaml，以及（若找不到规则文件）放在数据目录旁的 rules.yaml。"""
    a = app_of(ctx)
    target = directory or a.data_dir
    org_path = target / "org.yaml"
    if org_path.exists():
        raise TousuError(f"{org_path} 已存在，未做任何改动")
    found = rules_mod.find(a.rules_option, target)
    (target / "complaints").mkdir(parents=True, exist_ok=True)
    org_path.write_text(ORG_EXAMPLE, encoding="utf-8")
    out.print(f"已创建 {org_path}，请按本单位的实际情况填写单位和人员。")
    if found.builtin:
        rules_path = target.parent / "rules.yaml"
        rules_path.write_text(builtin_path().read_text(encoding="utf-8"), encoding="utf-8")
        out.print(f"已创建 {rules_path.resolve()}（内置规则的副本，放在数据目录旁，可按本公司细则修改）；"
                  f"以 --data {target} 运行时，无论在哪个目录都使用它。")
    else:
        out.print(f"规则文件：{found.path.resolve()}（{found.how}），未另建 rules.yaml。")


# ---------------------------------------------------------------- intake

_REQUIRED = {"channel": ("受理渠道", "--channel"), "name": ("客户姓名", "--name"), "phone": ("联系电话", "--phone"),
             "item": ("投诉项", "--item"), "content": ("诉求内容", "--content")}
_VALUE_KINDS = {"channel": "channel", "category": "category", "item": "item", "attitude": "attitude",
                "severity": "severity"}
OLD_DAYS = 30  # a 受理时间 further back than this (or in another year) is confirmed or warned about


def _parse_phone(typed: str) -> str:
    return parse_phone(typed).typed


def _ask_missing(a: App, values: dict[str, str | None]) -> dict[str, str | None]:
    """Ask, in a terminal, for every required value missing and the optional ones (Enter skips)."""
    rules = a.rules
    for key, (label, _option) in _REQUIRED.items():
        if values.get(key):
            continue
        if key == "item":  # 第十条: show the 17 items under their 4 categories
            for cat, items in rules.taxonomy.items():
                err.print(f"  [bold]{cat}[/]：{'、'.join(items)}")
            values[key] = ask("投诉项（见上）", lambda v: canon(a, "item", v, ""))
        elif key == "channel":
            values[key] = ask(f"{label}（{choices(rules.channels)}）", lambda v: canon(a, "channel", v, ""))
        else:
            values[key] = ask(label, _parse_phone if key == "phone" else None)
    for key, label in (("address", "用电地址"), ("account", "户号")):
        if not values.get(key):
            values[key] = ask(f"{label}（可空）", None, optional=True) or ""
    if not values.get("attitude"):
        values["attitude"] = ask(f"客户态度程度（{choices(rules.attitudes)}，第十四条，回车为{rules.attitudes[0]}）",
                                 lambda v: canon(a, "attitude", v, ""), optional=True) or rules.attitudes[0]
    return values


def _canonical(a: App, values: dict[str, str | None], escalated_to: list[str]) -> tuple[str, ...]:
    """Every rules.yaml value as typed → canonical (SPEC §8), in place; the 越级 channels returned."""
    for key, kind in _VALUE_KINDS.items():
        if values.get(key):
            values[key] = canon(a, kind, values[key], f"--{key}")
    return tuple(canon(a, "escalation", ch, "--escalated-to") or "" for ch in escalated_to)


def _check_received(a: App, received: datetime) -> None:
    """A 受理时间 more than 30 days back or in another year: confirm at a terminal, else warn (SPEC §8)."""
    days = (a.now - received).days
    if days <= OLD_DAYS and received.year == a.now.year:
        return
    why = f"是 {days} 天前" if days > OLD_DAYS else f"在 {received.year} 年（今年是 {a.now.year} 年）"
    question = f"受理时间 {human(received)} {why}"
    if sys.stdin.isatty():
        if not typer.confirm(f"{question}，确认无误吗？", default=False):
            raise TousuError(f"{question}，已取消，没有写入任何记录；请用 --received-at 给出正确的受理时间")
    else:
        a.warn(f"{question}，请确认 --received-at 无误")


def _account_note(a: App, account: str, received: datetime) -> None:
    """户号 kept as text; one that looks like it lost its leading 0 is flagged (this and last month)."""
    if not account.isdigit() or account.startswith("0"):
        return
    prev = (received.year - (received.month == 1), 12 if received.month == 1 else received.month - 1)
    recent, _problems = a.store.load_all([prev, (received.year, received.month)])
    note = lost_leading_zero(account, {c.customer.account for c in recent})
    if note:
        a.warn(note)


def _refuse_duplicate(a: App, draft: Complaint) -> None:
    """An identical intake within intake.duplicate_window_hours is refused, naming the complaint it repeats."""
    hours = a.rules.duplicate_window_hours
    if hours <= 0:
        return
    lo, hi = draft.received_at - timedelta(hours=hours), draft.received_at + timedelta(hours=hours)
    months = {(lo.year, lo.month), (draft.received_at.year, draft.received_at.month), (hi.year, hi.month)}
    known, _ = a.store.load_all(months)
    same = duplicates.duplicate_of(draft, known, hours)
    if same is not None:
        raise TousuError(f"与已受理的投诉 {same.id}（{human(same.received_at)}，{same.item}）重复："
                         f"同一联系电话、投诉项和诉求内容，{hours}小时内；如确需再次受理，请加 --allow-duplicate")


@app.command("add", short_help="受理新投诉，打印新编号")
@command
def add_cmd(
    ctx: typer.Context,
    received_at: Annotated[Optional[str], typer.Option("--received-at", help="受理时间（默认现在；也可写 15:00、昨天 15:00、11-23 14:30）")] = None,
    channel: Annotated[Optional[str], typer.Option("--channel", help="受理渠道：来电/来信/来访/互联网/其他（别称如 电话、微信 亦可）")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="客户姓名")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="联系电话：手机或座机（区号+号码，可带分机）")] = None,
    address: Annotated[str, typer.Option("--address", help="用电地址")] = "",
    account: Annotated[str, typer.Option("--account", help="户号")] = "",
    category: Annotated[Optional[str], typer.Option("--category", help="投诉大类（可由投诉项推出）")] = None,
    item: Annotated[Optional[str], typer.Option("--item", help="投诉项（第十条十七项之一）")] = None,
    content: Annotated[Optional[str], typer.Option("--content", help="诉求内容")] = None,
    attitude: Annotated[Optional[str], typer.Option("--attitude", help="客户态度程度（第十四条），默认 平和")] = None,
    severity: Annotated[Optional[str], typer.Option("--severity", help="事件等级：一般/严重/重大，默认 一般")] = None,
    escalated_to: Annotated[Optional[list[str]], typer.Option("--escalated-to", help="越级投诉渠道（第二十五条），可重复")] = None,
    ref: Annotated[Optional[str], typer.Option("--ref", help="95598 工单编号")] = None,
    allow_duplicate: Annotated[bool, typer.Option("--allow-duplicate",
                                                  help="同一电话、投诉项、诉求内容在时限内已受理过，仍坚持受理")] = False,
    by: ByOpt = None,
    note: NoteOpt = "",
) -> None:
    """受理一件新投诉，在标准输出打印新编号（终端中缺少的项会逐项询问）。"""
    a = app_of(ctx)
    who = operator(a, by)
    values: dict[str, str | None] = {"channel": channel, "name": name, "phone": phone, "item": item,
                                     "content": content, "category": category, "attitude": attitude,
                                     "severity": severity, "address": address, "account": account}
    escalated = _canonical(a, values, list(escalated_to or ()))
    received = parse_at(received_at, a.now, "--received-at")
    missing = [k for k in _REQUIRED if not values[k]]
    if missing and not sys.stdin.isatty():
        names = "、".join(f"{_REQUIRED[k][0]}（{_REQUIRED[k][1]}）" for k in missing)
        raise TousuError(f"缺少必填项：{names}")
    if missing:
        values = _ask_missing(a, values)
    _check_received(a, received)
    account_text_ = account_text(values["account"] or "")
    draft = lifecycle.new_complaint(
        rules=a.rules, received_at=received, now=a.now, by=who, escalated_to=escalated,
        channel=values["channel"], name=values["name"], phone=values["phone"], category=values["category"],
        item=values["item"], content=values["content"], address=values["address"] or "", account=account_text_,
        attitude=values["attitude"], severity=values["severity"], ref=ref, note=note)
    _account_note(a, account_text_, received)
    c = a.store.create(draft, before=None if allow_duplicate else lambda d: _refuse_duplicate(a, d))
    warn_stages(a, c)
    err.print(f"[green]已受理投诉 {c.id}（{c.item}），{due_text(a, c, 'dispatch', '派发（第十四条）')}。[/]")
    sys.stdout.write(c.id + "\n")
