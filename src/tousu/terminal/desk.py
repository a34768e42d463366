"""find and todo for people: tables that fit an 80-column terminal, the ID always whole."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tousu.timeutil import duration_zh, from_iso, human, human_deadline

ID_WIDTH = 14  # TS + 8 + 4: never shrunk, never wrapped
LEVEL_STYLE = {"提醒": "cyan", "预警": "yellow", "告警": "bold yellow", "超期": "bold red"}


def id_column(t: Table) -> None:
    t.add_column("编号", no_wrap=True, min_width=ID_WIDTH, overflow="ignore")


def level_text(name: str | None) -> str:
    if not name:
        return "—"
    return f"[{LEVEL_STYLE.get(name, 'bold')}]{escape(name)}[/]"


def time_left(minutes: int) -> str:
    if minutes < 0:
        return f"[bold red]超{duration_zh(timedelta(minutes=-minutes))}[/]"
    return f"剩{duration_zh(timedelta(minutes=minutes))}"


def find_table(console: Console, query: str, rows: list[dict[str, Any]]) -> None:
    t = Table(title=f"「{escape(query)}」的查找结果（{len(rows)} 件，新的在前）", title_justify="left")
    id_column(t)
    t.add_column("受理时间", no_wrap=True)
    t.add_column("客户", overflow="fold", min_width=13, max_width=16)  # a phone (139-1234-5678) stays whole
    t.add_column("投诉项\n状态", overflow="fold", max_width=10)
    t.add_column("下一期限", overflow="fold", ratio=1, min_width=12)
    for r in rows:
        due = "—"
        if r["next_deadline"]:
            due = f"{r['next_stage_name']}\n{human_deadline(from_iso(r['next_deadline']))[5:]}"
            if r["level"]:
                due += f" {level_text(r['level'])}"
        who = f"{escape(r['name'])}\n{escape(r['phone'])}"
        what = f"{escape(r['item'])}\n{r['state_name']}"
        t.add_row(r["id"], human(from_iso(r["received_at"]))[2:], who, what, due)
    console.print(t)
    if not rows:
        console.print("没有找到。可按电话（任意写法）、姓名、户号、95598工单编号、地址或诉求内容中的词查找。")


def todo_table(console: Console, title: str, rows: list[dict[str, Any]], now: datetime) -> None:
    t = Table(title=f"{escape(title)}（{len(rows)} 项，截至 {human(now)}）", title_justify="left")
    id_column(t)
    t.add_column("环节", overflow="fold", min_width=4, max_width=8)
    t.add_column("期限", no_wrap=True)
    t.add_column("剩余", no_wrap=True)
    t.add_column("级别", no_wrap=True)
    t.add_column("下一步", overflow="fold", ratio=1, min_width=13)  # `tousu contact` stays on one line
    for r in rows:
        stage = r["stage_name"] if len({x["owner"] for x in rows}) == 1 else f"{r['stage_name']}\n{r['owner']}"
        if r.get("urges"):  # 催办: the stage someone is waiting for, marked where the eye reads
            stage += f"\n催办{r['urges']}次"
        command = r["next_command"].replace(f" {r['id']}", "")  # the ID is in its own column
        t.add_row(r["id"], escape(stage), human_deadline(from_iso(r["deadline"]))[5:], time_left(r["minutes_left"]),
                  level_text(r["level"]), escape(command))
    console.print(t)
    if not rows:
        console.print("[green]没有待办的环节。[/]")
