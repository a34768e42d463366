"""Corrections on the record and 催办: undo, void, correct, urge (SPEC §2)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from tousu.cli.common import AtOpt, ByOpt, IdArg, NoteOpt, app_of, command, operator, run_step
from tousu.cli.prompts import interactive, need
from tousu.domain import corrections, lifecycle
from tousu.domain.labels import FIELDS, label
from tousu.errors import TousuError
from tousu.timeutil import human

app = typer.Typer()

ReasonOpt = Annotated[Optional[str], typer.Option("--reason", help="理由（必填，记入处理记录）")]


@app.command("undo", short_help="撤销最近一步主线步骤（须说明理由）")
@command
def undo_cmd(ctx: typer.Context, cid: IdArg, reason: ReasonOpt = None,
             at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """撤销最近一步主线步骤（派发、联系、退回、延期、答复、审核、回访、归档），记入处理记录。"""
    who = operator(app_of(ctx), by)
    run_step(ctx, cid, lambda c, t, now: corrections.undo(c, reason=reason or "", at=t, by=who,
                                                          now=now, note=note),
             lambda c: f"{cid} 已撤销 {human(c.history[-1].withdrawn_at)} 的「{label(c.history[-1].withdrawn or '')}」，"
                       f"当前状态：{c.state_zh}。", at)


@app.command("void", short_help="作废误录或重复受理的投诉")
@command
def void_cmd(ctx: typer.Context, cid: IdArg, reason: ReasonOpt = None,
             at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """作废误录或重复受理的投诉：不再计入任何统计、列表、时限和通报；编号不再使用。"""
    who = operator(app_of(ctx), by)
    run_step(ctx, cid, lambda c, t, now: corrections.void(c, reason=reason or "", at=t, by=who,
                                                          now=now, note=note),
             f"{cid} 已作废，不再计入统计、时限和通报（tousu list --state 已作废 可查）。", at)


@app.command("correct", short_help="更正一项受理信息（须说明理由）")
@command
def correct_cmd(ctx: typer.Context, cid: IdArg,
                field: Annotated[Optional[str], typer.Option(
                    "--field", help="更正的受理信息：" + "、".join(f"{k}（{v}）" for k, v in FIELDS.items()))] = None,
                value: Annotated[Optional[str], typer.Option("--value", help="更正后的值")] = None,
                reason: ReasonOpt = None, at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """更正受理信息（客户姓名、电话、地址、户号、投诉项、诉求内容、工单编号、渠道、受理时间），原值保留在处理记录。"""
    a = app_of(ctx)
    who = operator(a, by)
    if interactive():
        field = need(field, "更正哪一项", "--field", None, "（" + "、".join(f"{k}={v}" for k, v in FIELDS.items()) + "）")
        value = need(value, f"更正后的{FIELDS.get(field, field)}", "--value")
        reason = need(reason, "更正理由", "--reason")
    if value is None:
        raise TousuError("缺少更正后的值，请用 --value 给出")
    run_step(ctx, cid, lambda c, t, now: corrections.correct(c, field=field or "", value=value, reason=reason or "",
                                                             rules=a.rules, at=t, by=who, now=now,
                                                             note=note),
             lambda c: f"{cid} 的{FIELDS.get(c.history[-1].fact or '', '')}已更正："
                       f"「{c.history[-1].old}」→「{c.history[-1].new}」。", at)


@app.command("urge", short_help="催办待办环节（旁路步骤）")
@command
def urge_cmd(ctx: typer.Context, cid: IdArg, at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """催办待办环节（95598班或营销部，旁路步骤，不影响主线）；通报按单位统计催办次数。"""
    a = app_of(ctx)
    who = operator(a, by)
    run_step(ctx, cid, lambda c, t, now: lifecycle.urge(c, rules=a.rules, cal=a.calendar, at=t,
                                                        by=who, now=now, note=note),
             lambda c: f"{cid} 已催办{c.history[-1].unit}（{lifecycle.stage_name(a.rules, c.history[-1].stage)}）。", at)
