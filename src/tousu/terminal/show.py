"""Terminal output for people: rich tables and panels, all in Chinese."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markup import escape  # what people typed is text, never markup ('[/]' must not crash)
from rich.table import Table

from tousu.domain.workdays import WorkCalendar
from tousu.domain.deadlines import STATUS_ZH, Stage
from tousu.domain.labels import detail, verdict
from tousu.domain.model import Complaint
from tousu.terminal.desk import id_column, level_text
from tousu.timeutil import duration_zh, from_iso, human, human_deadline

_STATUS_STYLE = {"met": "green", "late": "yellow", "pending": "cyan", "overdue": "bold red"}


def complaint(console: Console, c: Complaint, stages: list[Stage], now: datetime,
              levels: list[str | None] | None = None, rule_names: dict[str, str] | None = None) -> None:
    """`tousu show`: the record, its history and its deadlines."""
    t = Table(title=f"投诉 {c.id}（{c.state_zh}）", show_header=False, title_justify="left")
    t.add_column("项目", style="bold", no_wrap=True)
    t.add_column("内容", overflow="fold")  # what people typed wraps, never ends in “…” (80 columns)
    rows = [
        ("95598工单编号", c.ref or "—"),
        ("受理时间", human(c.received_at)),
        ("受理渠道 / 受理人", f"{c.channel} / {c.received_by}"),
        ("客户", f"{c.customer.name}  {c.customer.phone}"),
        ("地址 / 户号", f"{c.customer.address or '—'} / {c.customer.account or '—'}"),
        ("投诉分类", f"{c.category} › {c.item}"),
        ("诉求内容", c.content),
        ("客户态度", c.attitude),
        ("事件等级", c.current_severity),
        ("越级投诉", "、".join(c.all_escalations) or "无"),
        ("责任单位", c.unit or "—"),
        ("核实结论 / 责任认定", f"{verdict('verified', c.verified, '—')} / {verdict('responsible', c.responsible, '—')}"),
    ]
    r = c.reply
    if r:
        rows += [("原因", r.cause or "—"), ("处理过程", r.process or "—"), ("整改措施", r.measures or "—")]
    rows.append(("回访结果", c.revisit_result or "—"))
    for k, v in rows:
        t.add_row(k, escape(v))
    console.print(t)

    h = Table(title="处理记录", title_justify="left")
    for col in ("时间", "步骤", "经办人"):
        h.add_column(col, no_wrap=col == "时间")
    h.add_column("内容", overflow="fold", ratio=1)
    for i, e in enumerate(c.history):
        step = e.label + ("（已撤销）" if i in c.withdrawn else "")
        h.add_row(human(e.at), step, escape(e.by), escape(detail(e, rule_names=rule_names)))
    console.print(h)

    if not stages:  # a voided complaint has none: say so rather than print an empty table
        console.print("时限：无" + ("（已作废，不计时限）" if c.voided else ""))
        return
    s = Table(title="时限", title_justify="left")
    for col in ("#", "环节", "经办", "期限", "完成", "状态"):
        s.add_column(col, overflow="fold")
    for i, st in enumerate(stages, 1):
        status = st.status(now)
        lv = (levels or [None] * len(stages))[i - 1]
        shown = f"[{_STATUS_STYLE[status]}]{STATUS_ZH[status]}[/]" + (f" {level_text(lv)}" if lv and lv != "超期" else "")
        s.add_row(str(i), st.name, st.owner, human_deadline(st.deadline), human(st.done_at), shown)
    console.print(s)
    for i, st in enumerate(stages, 1):
        console.print(f"  [dim]{i}. {st.name}（{st.clause}）：{escape(st.basis)}[/]")


WIDE = 110  # from this many columns on, one fact per column; below it, two facts share a cell


def _short(t: datetime | None, as_of: datetime, deadline: bool = False) -> str:
    """A time without its year when it is in the year of `as_of` (11-24 24:00), whole otherwise."""
    text = human_deadline(t) if deadline else human(t)
    return text[5:] if t is not None and text[:4] == str(as_of.year) else text


def complaint_list(console: Console, rows: list[tuple[Complaint, Stage | None]], now: datetime) -> None:
    wide = console.width >= WIDE
    t = Table(title=f"投诉列表（{len(rows)} 件）", title_justify="left")
    id_column(t)
    t.add_column("受理时间", no_wrap=True)
    if wide:
        for col in ("投诉项", "客户", "责任单位", "状态"):
            t.add_column(col, overflow="fold")
    else:
        t.add_column("投诉项\n客户", overflow="fold", max_width=10)
        t.add_column("责任单位\n状态", overflow="fold", max_width=10)
    t.add_column("下一期限", overflow="fold", ratio=1, min_width=12)
    for c, nxt in rows:
        due = "—"
        if nxt is not None:
            status = nxt.status(now)
            late = "（已超期）" if status == "overdue" else ""
            when = human_deadline(nxt.deadline) if wide else _short(nxt.deadline, now, True)
            due = f"[{_STATUS_STYLE[status]}]{nxt.name}{' ' if wide else chr(10)}{when}{late}[/]"
        item, name, unit = escape(c.item), escape(c.customer.name), c.unit or "—"
        middle = [item, name, unit, c.state_zh] if wide else [f"{item}\n{name}", f"{unit}\n{c.state_zh}"]
        t.add_row(c.id, human(c.received_at)[2:] if wide else _short(c.received_at, now), *middle, due)
    console.print(t)


def overdue_report(console: Console, report: dict[str, Any]) -> None:
    """check-overdue as tables grouped by unit."""
    as_of = from_iso(report["as_of"])
    for key, title, style in (("overdue", "已超期", "bold red"), ("due_soon", "即将到期", "yellow")):
        rows = report[key]
        if not rows:
            continue
        by_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            by_unit[r["owner"]].append(r)
        for unit in sorted(by_unit):
            t = Table(title=f"[{style}]{title}[/] · {unit}（{len(by_unit[unit])} 项）", title_justify="left")
            wide = console.width >= WIDE
            id_column(t)
            t.add_column("环节", overflow="fold")
            t.add_column("期限", no_wrap=True)
            t.add_column("超期" if key == "overdue" else "剩余", no_wrap=True)
            t.add_column("级别", no_wrap=True)
            t.add_column("投诉项", overflow="fold")
            if wide:
                t.add_column("依据", overflow="fold", ratio=1, min_width=8)
            for r in by_unit[unit]:
                mins = r.get("minutes_overdue", r.get("minutes_left", 0))
                stage = f"{r['stage_name']}（{r['clause']}）" if wide else r["stage_name"]
                due = from_iso(r["deadline"])
                cells = [r["id"], stage, human_deadline(due) if wide else _short(due, as_of, True),
                         duration_zh(_minutes(mins)), level_text(r.get("level")), escape(r["item"])]
                t.add_row(*cells, *([escape(r["basis"])] if wide else []))
            console.print(t)
    if not report["overdue"]:
        console.print(f"[green]截至 {human(as_of)}，没有超期的环节。[/]")
    else:
        console.print(f"[bold red]截至 {human(as_of)}，共 {len(report['overdue'])} 个环节超期。[/]")
    if report["due_soon"]:
        console.print(f"[yellow]{len(report['due_soon'])} 个环节即将到期。[/]")


def _minutes(m: int):  # noqa: ANN202
    from datetime import timedelta

    return timedelta(minutes=m)


def month_calendar(console: Console, cal: WorkCalendar, year: int, month: int) -> None:
    from calendar import monthrange
    from datetime import date

    days = monthrange(year, month)[1]
    t = Table(title=f"{year}年{month}月 工作日", title_justify="left")
    for col in ("日期", "星期", "是否工作日", "说明", "来源"):
        t.add_column(col)
    src = {"chinese-calendar": "chinese-calendar", "rules.yaml": "rules.yaml", "fallback": "周一至周五（无安排）"}
    count = 0
    for d in range(1, days + 1):
        info = cal.info(date(year, month, d))
        count += info.workday
        style = "" if info.workday else "dim"
        mark = "[bold]★[/] " if info.special else ""
        t.add_row(f"{mark}{info.day:%m-%d}", "一二三四五六日"[info.day.weekday()],
                  "上班" if info.workday else "休息", info.describe(), src[info.source], style=style)
    console.print(t)
    console.print(f"{year}年{month}月共 {count} 个工作日（★ 为节假日或调休）。")
