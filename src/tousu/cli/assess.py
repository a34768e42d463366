"""`tousu assess` and `tousu escalate`: thin commands over tousu.assessment (SPEC §5)."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from tousu.domain import assessment, lifecycle
from tousu.cli.context import App, parse_at
from tousu.cli.prompts import interactive, need
from tousu.cli.common import (AtOpt, ByOpt, FormatOpt, IdArg, NoteOpt, app_of, canon, check_format, command, err,
                              operator, out, print_json, warn_stages)
from tousu.errors import TousuError, choices


app = typer.Typer()


@app.command("assess", short_help="考核：按条款对责任人或单位登记罚款")
@command
def assess_cmd(
    ctx: typer.Context,
    cid: IdArg,
    rule: Annotated[Optional[str], typer.Option("--rule", help="考核条款编号（rules.yaml），如 attitude.poor")] = None,
    person: Annotated[Optional[str], typer.Option("--person", help="被考核的责任人（org.yaml 中的人员）")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="被考核的责任单位（按单位考核的条款，如 falsified）")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="考核金额（元），须在条款范围内；越级投诉加倍（第二十五条）")] = None,
    suggest: Annotated[bool, typer.Option("--suggest", help="只列出适用于本投诉的考核条款及金额范围，不做记录")] = False,
    fmt: FormatOpt = "table",
    at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "",
) -> None:
    """考核：按 rules.yaml 的条款对责任人或责任单位登记经济处罚（第二十四—二十八条）。"""
    a = app_of(ctx)
    check_format(fmt)
    if suggest:
        given = [opt for opt, v in (("--rule", rule), ("--person", person), ("--unit", unit), ("--amount", amount)) if v]
        if given:
            raise TousuError(f"--suggest 只列出适用的条款，不能与 {'、'.join(given)} 同用")
        c = a.store.load(cid)
        data = assessment.suggest(c, a.rules)
        if fmt == "json":
            print_json(data)
        else:
            _render_suggest(out, data)
        return
    if fmt != "table":
        raise TousuError("--format 只用于 --suggest")
    t = parse_at(at, a.now)
    who = operator(a, by)
    if interactive():
        rule, person, unit, amount = _ask_assessment(a, cid, rule, person, unit, amount)
    money = assessment.parse_amount(amount)
    rule, person, unit = canon(a, "rule", rule, "--rule"), canon(a, "person", person, "--person"), \
        canon(a, "unit", unit, "--unit")
    c = a.store.update(cid, lambda c: lifecycle.assess(
        c, rules=a.rules, org=a.org, rule=rule, amount=money, person=person, unit=unit,
        at=t, by=who, now=a.now, note=note))
    ev = c.history[-1]
    r = a.rules.penalty(ev.rule or "")
    warn_stages(a, c)
    for w in assessment.warnings_for_assess(c, r) if r else ():
        err.print(f"[yellow]注意：[/]{w}")
    who = ev.person or ev.unit
    err.print(f"[green]{cid} 已考核{who} {ev.amount} 元（{ev.rule}，{r.clause if r else ''}）。[/]")
    if r and r.sanction:
        err.print(f"另：{r.sanction}（须另行办理）。")


def _ask_assessment(a: App, cid: str, rule: str | None, person: str | None, unit: str | None,
                    amount: str | None) -> tuple[str, str | None, str | None, str]:
    """In a terminal: ask for the rule, whom it charges and the amount, whichever is missing."""
    rule = need(rule, "考核条款编号", "--rule", lambda v: canon(a, "rule", v, "--rule") or v,
                f"（可先用 tousu assess {cid} --suggest 查看适用的条款）")
    r = a.rules.penalty(rule)
    if r is not None and r.charges == "unit" and not unit:
        unit = need(None, "被考核的责任单位", "--unit", lambda v: canon(a, "unit", v, "--unit") or v,
                    f"（{'、'.join(a.org.unit_names)}）")
    elif r is not None and r.charges == "person" and not person:
        person = need(None, "被考核的责任人", "--person", lambda v: canon(a, "person", v, "--person") or v,
                      f"（{'、'.join(a.org.person_names)}）")
    span = f"（{assessment.describe_range(r.min, r.max)}）" if r is not None and r.amount_set else ""
    amount = need(amount, "考核金额（元）", "--amount", None, span)
    return rule, person, unit, amount


def _render_suggest(console: Console, data: dict[str, Any]) -> None:
    esc = "、".join(data["escalated_to"])
    title = (f"投诉 {data['id']} 适用的考核条款（{data['category']} › {data['item']}；事件等级：{data['severity']}；"
             f"{'越级：' + esc + '，金额加倍' if esc else '未越级'}）")
    if not data["rules"]:
        console.print(f"{title}\n没有适用的条款：{data['verdict']}。")
    else:
        t = Table(title=title, title_justify="left")
        t.add_column("条款编号", no_wrap=True)
        t.add_column("金额", no_wrap=True)
        t.add_column("依据 · 对象 · 考核情形", min_width=20, ratio=1, overflow="fold")
        for r in data["rules"]:
            amount = assessment.describe_range(r["min"], r["max"])
            case = f"{r['clause']} · {r['role']}\n{r['name']}" + (f"；另处：{r['sanction']}" if r["sanction"] else "")
            t.add_row(r["rule"], amount, case)
        console.print(t)
    if data["other"]:
        console.print(f"与本投诉项不直接相关、但也可使用的条款：{'、'.join(data['other'])}")
    if data["unset"]:
        console.print(f"尚未设定金额的条款 {len(data['unset'])} 条（十个不准、十项承诺等），"
                      "请按本公司考核文件在 rules.yaml 中填写后再用。")


@app.command("escalate", short_help="登记越级投诉（第二十五条）")
@command
def escalate_cmd(
    ctx: typer.Context,
    cid: IdArg,
    to: Annotated[Optional[str], typer.Option("--to", help="越级投诉渠道（rules.yaml 的 escalation_channels）")] = None,
    at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "",
) -> None:
    """登记客户越级投诉（向公司以外的服务监督渠道投诉）；经查属实的加倍考核（第二十五条）。"""
    a = app_of(ctx)
    if not to:
        raise TousuError(f"缺少越级投诉渠道：请用 --to 给出，可选：{choices(a.rules.escalation_channels)}")
    t = parse_at(at, a.now)
    who = operator(a, by)
    to = canon(a, "escalation", to, "--to") or ""
    c = a.store.update(cid, lambda c: lifecycle.escalate(c, rules=a.rules, channel=to, at=t,
                                                          by=who, now=a.now, note=note))
    warn_stages(a, c)
    for w in assessment.warnings_after_escalate(c):
        err.print(f"[yellow]注意：[/]{w}")
    err.print(f"[green]{cid} 已登记越级投诉至 {to}；经查属实的，考核金额加倍（第二十五条）。[/]")
