"""The main-line and side steps of a work order: dispatch … archive, grade, notify (SPEC §2)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from tousu.cli.common import (AtOpt, ByOpt, IdArg, NoteOpt, app_of, canon, command, due_text, err,
                              operator, run_step)
from tousu.cli.context import parse_at
from tousu.cli.prompts import interactive, maybe, need, verdict
from tousu.domain import actors, lifecycle
from tousu.domain.model import Complaint
from tousu.errors import TousuError
from tousu.timeutil import human_deadline

app = typer.Typer()


def behalf(ctx: typer.Context, c: Complaint, action: str, by: str, note: str) -> str:
    """The note of a unit's step, refused for another station's staff, marked when a 职能部门 records it."""
    remark = actors.on_behalf(c, action, by, app_of(ctx).org)
    if remark:
        err.print(f"[yellow]注意：[/]{remark}")
    return actors.with_note(note, remark)


@app.command("dispatch")
@command
def dispatch_cmd(ctx: typer.Context, cid: IdArg,
                 unit: Annotated[Optional[str], typer.Option("--unit", help="责任单位（org.yaml 中的单位）")] = None,
                 at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """派发（或再分发）投诉工单到责任单位（第十四条，1小时内）。"""
    a = app_of(ctx)
    who = operator(a, by)
    unit = need(unit, "责任单位", "--unit", lambda v: canon(a, "unit", v, "--unit") or v,
                lambda: f"（{'、'.join(a.org.unit_names)}）")
    run_step(ctx, cid, lambda c, t, now: lifecycle.dispatch(c, unit=unit, at=t, by=who, now=now,
                                                 org=a.org, note=note),
          f"{cid} 已派发至 {unit}。", at)


@app.command("contact")
@command
def contact_cmd(ctx: typer.Context, cid: IdArg, at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """登记首次联系客户（第十五条，1个工作日内）。"""
    who = operator(app_of(ctx), by)
    run_step(ctx, cid, lambda c, t, now: lifecycle.contact(c, at=t, by=who, now=now,
                                                           note=behalf(ctx, c, "contact", who, note)),
          f"{cid} 已登记首次联系客户。", at)


@app.command("return", short_help="退回95598班：不属本单位，须说明理由（第十七条）")
@command
def return_cmd(ctx: typer.Context, cid: IdArg,
               reason: Annotated[Optional[str], typer.Option("--reason", help="退回理由（第十七条）")] = None,
               at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """退回95598班：不属本单位处理范围，须说明理由（第十七条，1个工作日内）。"""
    who = operator(app_of(ctx), by)
    reason = need(reason, "退回理由（第十七条：不属本单位的理由）", "--reason")
    run_step(ctx, cid, lambda c, t, now: lifecycle.return_(c, reason=reason, at=t, by=who, now=now,
                                                           note=behalf(ctx, c, "return", who, note)),
          f"{cid} 已退回95598班，待重新派发。", at)


@app.command("extend")
@command
def extend_cmd(ctx: typer.Context, cid: IdArg,
               until: Annotated[Optional[str], typer.Option("--until", help="延期至（日期或日期时间；只写日期表示当日24:00）")] = None,
               reason: Annotated[Optional[str], typer.Option("--reason", help="延期理由（情况复杂）")] = None,
               approved_by: Annotated[Optional[str], typer.Option("--approved-by", help="批准人（org.yaml 中的人员）")] = None,
               at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """登记经公司同意的答复期限延期（第十五条）。"""
    a = app_of(ctx)
    who = operator(a, by)
    until_at = need(until, "延期至（如 2026-12-04，表示当日24:00）", "--until",
                    lambda v: parse_at(v, a.now, "--until", end_of_day=True, future_ok=True))
    reason = need(reason, "延期理由（情况复杂）", "--reason")
    approved_by = need(approved_by, "批准人", "--approved-by",
                       lambda v: canon(a, "person", v, "--approved-by") or v,
                       lambda: f"（{'、'.join(a.org.person_names)}）")

    run_step(ctx, cid, lambda c, t, now: lifecycle.extend(c, until=until_at, reason=reason, approved_by=approved_by, at=t,
                                                by=who, now=now, org=a.org, rules=a.rules,
                                                cal=a.calendar, note=note),
             f"{cid} 的答复期限已延至 {human_deadline(until_at)}。", at)


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
    who = operator(app_of(ctx), by)
    # asked for only when the clerk is answering questions anyway: a reply typed in full on the line
    # is not held up by an optional question (the next pasted command would become its answer)
    asking = interactive() and (None in (cause, process) or not (verified or not_verified)
                                or not (responsible or not_responsible))
    is_verified = verdict(verified, not_verified, "核实结论", "--verified（属实）", "--not-verified（不属实）",
                          "属实", "不属实")
    is_responsible = verdict(responsible, not_responsible, "责任认定",
                             "--responsible（供电责任）", "--not-responsible（非供电责任）", "供电责任", "非供电责任")
    if cause is None and interactive():
        cause = need(None, "投诉产生原因", "--cause")
    if process is None and interactive():
        process = need(None, "处理过程", "--process")
    measures = maybe(measures, "整改措施") if asking else measures
    run_step(ctx, cid, lambda c, t, now: lifecycle.reply(c, verified=is_verified, responsible=is_responsible,
                                                         cause=cause or "", process=process or "", measures=measures,
                                                         at=t, by=who, now=now,
                                                         note=behalf(ctx, c, "reply", who, note)),
          f"{cid} 已答复，待营销部审核。", at)


@app.command("review")
@command
def review_cmd(ctx: typer.Context, cid: IdArg,
               reject: Annotated[bool, typer.Option("--reject", help="驳回，退回责任单位重新答复")] = False,
               reason: Annotated[Optional[str], typer.Option("--reason", help="驳回理由")] = None,
               at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """营销部审核答复（第十六条）：默认通过，--reject 驳回。"""
    who = operator(app_of(ctx), by)
    if reason and not reject:
        raise TousuError("--reason 是驳回理由，只能与 --reject 一起使用；审核通过不需要理由（可用 --note 备注）")
    if reject and not reason and interactive():
        reason = need(None, "驳回理由", "--reason")
    run_step(ctx, cid, lambda c, t, now: lifecycle.review(c, approve=not reject, reason=reason, at=t, by=who,
                                               now=now, note=note),
          (lambda c: f"{cid} 审核驳回，待责任单位重新答复。") if reject else
          lambda c: f"{cid} 审核通过，{due_text(app_of(ctx), c, 'revisit', '回访（第十六条）')}。", at)


@app.command("revisit", short_help="回访客户；不满意则待再分发（第十六、二十一条）")
@command
def revisit_cmd(ctx: typer.Context, cid: IdArg,
                satisfied_flag: Annotated[bool, typer.Option("--satisfied", help="回访结果：满意")] = False,
                unsatisfied: Annotated[bool, typer.Option("--unsatisfied", help="回访结果：不满意（待再分发）")] = False,
                reason: Annotated[Optional[str], typer.Option("--reason", help="客户不满意的原因（--unsatisfied 时必填）")] = None,
                at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """回访客户（第十六条、第二十条）；不满意则须记下客户的原因，待再分发（第二十一条）。"""
    who = operator(app_of(ctx), by)
    satisfied = verdict(satisfied_flag, unsatisfied, "回访结果", "--satisfied（满意）", "--unsatisfied（不满意）",
                        "满意", "不满意")
    if satisfied and reason:
        raise TousuError("--reason 是客户不满意的原因，只能与 --unsatisfied 一起使用（满意时可用 --note 备注）")
    if not satisfied:
        reason = need(reason, "客户不满意的原因", "--reason")
    run_step(ctx, cid, lambda c, t, now: lifecycle.revisit(c, satisfied=satisfied, reason=reason, at=t,
                                                           by=who, now=now, note=note),
          f"{cid} 回访{'满意，可以归档' if satisfied else '不满意，待95598班再分发（第二十一条）'}。", at)


@app.command("archive")
@command
def archive_cmd(ctx: typer.Context, cid: IdArg, at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """归档（回访满意之后）。"""
    who = operator(app_of(ctx), by)
    run_step(ctx, cid, lambda c, t, now: lifecycle.archive(c, at=t, by=who, now=now, note=note),
          f"{cid} 已归档。", at)


@app.command("grade")
@command
def grade_cmd(ctx: typer.Context, cid: IdArg,
              severity: Annotated[Optional[str], typer.Option("--severity", help="事件等级：严重 或 重大（只能提高）")] = None,
              at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """设定或提高事件等级；严重/重大须当日上报营销部（第十九条）。"""
    a = app_of(ctx)
    who = operator(a, by)
    severity = need(severity, "事件等级", "--severity", lambda v: canon(a, "severity", v, "--severity") or v,
                    lambda: f"（{'、'.join(a.rules.severities[1:])}）")
    run_step(ctx, cid, lambda c, t, now: lifecycle.grade(c, severity=severity, rules=a.rules, at=t, by=who,
                                              now=now, note=note),
          lambda c: f"{cid} 的事件等级已定为{severity}，{due_text(a, c, 'notify', '上报营销部')}"
                    f"（tousu notify {cid}）。", at)


@app.command("notify")
@command
def notify_cmd(ctx: typer.Context, cid: IdArg, at: AtOpt = None, by: ByOpt = None, note: NoteOpt = "") -> None:
    """登记严重/重大投诉事件已当日上报营销部（第十九条）。"""
    who = operator(app_of(ctx), by)
    run_step(ctx, cid, lambda c, t, now: lifecycle.notify(c, at=t, by=who, now=now, note=note),
          f"{cid} 已登记上报营销部。", at)

