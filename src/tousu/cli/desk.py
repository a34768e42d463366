"""The front desk: `tousu find` (a customer's complaints) and `tousu todo` (what a unit owes now)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from tousu.cli.common import (FormatOpt, app_of, canon, check_format, command, out, print_hint, print_json,
                              print_notes, print_problems)
from tousu.cli.context import App, parse_at
from tousu.config.matching import Vocabulary
from tousu.domain.deadlines import HOTLINE
from tousu.reports import search
from tousu.reports import todo as todo_mod
from tousu.terminal import desk as render
from tousu.timeutil import iso

app = typer.Typer()

AtLookOpt = Annotated[Optional[str], typer.Option("--at", help="按此时间计算剩余时间和预警级别（默认现在）")]


@app.command("find", short_help="按电话、姓名、户号、工单编号、地址或内容查找投诉")
@command
def find_cmd(ctx: typer.Context,
             text: Annotated[str, typer.Argument(help="电话（任意写法）、姓名、户号、95598工单编号、地址或诉求内容中的词",
                                                 metavar="文字", show_default=False)],
             at: AtLookOpt = None, fmt: FormatOpt = "table") -> None:
    """查找投诉：电话号码（空格、横线、+86 等写法都可）、客户姓名、户号、95598 工单编号、地址或诉求内容中的词；新的在前，附状态和下一期限。"""
    a = app_of(ctx)
    check_format(fmt)
    now = parse_at(at, a.now)
    v = a.view(narrow=search.narrow(text))  # the index where it can be used: the same answer as the files
    problems = v.problems
    rows = search.find_stages(v.items, text, a.rules, a.calendar, now)
    if fmt == "json":
        print_json({"query": text, "as_of": iso(now), "results": rows, "rules": str(a.rules_path)})
    else:
        render.find_table(out, text, rows)
    found = {str(c.path) for c, _ in v.items if c.id in {r["id"] for r in rows}}
    print_notes([p for p in v.notes if str(p.path) in found], [p for p in v.findings if str(p.path) in found])
    print_problems(problems)
    if problems:
        raise typer.Exit(2)


def owner_vocabulary(a: App) -> Vocabulary:
    """Units of org.yaml and 95598班 (who owes dispatch and revisit)."""
    unit = a.org.vocabulary("unit")
    values = unit.values if HOTLINE in unit.values else (*unit.values, HOTLINE)
    return Vocabulary("单位", values, unit.aliases, unknown=unit.unknown)


@app.command("todo", short_help="本单位（或95598班、营销部）的待办环节，按期限排序")
@command
def todo_cmd(ctx: typer.Context,
             unit: Annotated[Optional[str], typer.Option("--unit", help="单位（org.yaml 中的单位，或 95598班）")] = None,
             person: Annotated[Optional[str], typer.Option("--person", help="人员：列出其所在单位的待办")] = None,
             at: AtLookOpt = None, fmt: FormatOpt = "table") -> None:
    """待办：单位（或 95598班、市场营销部）应办的每个环节，按期限排序，附剩余时间、预警级别和下一步命令。"""
    a = app_of(ctx)
    check_format(fmt)
    now = parse_at(at, a.now)
    if unit is not None:
        m = owner_vocabulary(a).resolve(unit, "--unit")
        print_hint(m.note)
        unit = m.value
    person = canon(a, "person", person, "--person")
    person_unit = a.org.person(person).unit if person else None
    owners = todo_mod.owners_for(unit, person_unit)
    v = a.view(pending_only=True, narrow=todo_mod.narrow(owners))  # the index where it can be used: as the files
    problems = v.problems
    rows = todo_mod.todo_stages(v.items, owners, a.rules, a.calendar, now)
    title = f"{unit or person_unit}的待办" if (unit or person_unit) else "全部待办"
    if person:
        title = f"{person}（{person_unit}）的待办"
    if fmt == "json":
        print_json({"as_of": iso(now), "unit": unit or person_unit, "person": person, "todo": rows,
                    "rules": str(a.rules_path)})
    else:
        render.todo_table(out, title, rows, now)
    print_notes(v.notes, v.findings)
    print_problems(problems)
    if problems:
        raise typer.Exit(2)

