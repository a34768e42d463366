"""`tousu check`: the data folder audited, like bean-check (issue #9 §6).

Silent, exit 0, when all is well; else every problem as `path:line: CODE message`
(stable codes, domain/audit.CODES) and exit 1 — a broken rules.yaml or org.yaml too (E001, E002;
the records are still checked); exit 2 on usage errors (no data folder, a wrong option).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from tousu.cli.common import FormatOpt, app_of, check_format, command, out, print_json
from tousu.config import org as org_mod
from tousu.config import rules as rules_mod
from tousu.domain import audit
from tousu.errors import Problem, TousuError
from tousu.storage import files, records

app = typer.Typer()


def _config(a: Any, org: Path) -> tuple[Any, list[Problem]]:
    """rules.yaml and org.yaml: their problems, and the rules to check records by (None if broken)."""
    found: list[Problem] = []
    rules = None
    try:
        rules = rules_mod.load(a.rules_path)
    except TousuError as exc:
        found += [Problem(p.path, p.line, p.message, "E001") for p in exc.problems] or \
            [Problem(a.rules_path, 0, exc.message, "E001")]
    try:
        org_mod.load(org)
    except TousuError as exc:
        found += [Problem(p.path, p.line, p.message, "E002") for p in exc.problems] or \
            [Problem(org, 0, exc.message, "E002")]
    return rules, found


def audit_folder(a: Any) -> list[Problem]:
    store = a.open_store(files.MAX_RECORD_BYTES)  # no data folder: refused, exit 2 (a broken rules.yaml is listed)
    rules, found = _config(a, store.root / "org.yaml")
    max_bytes = rules.record_max_bytes if rules else files.MAX_RECORD_BYTES
    for path in store.paths():
        c, problems = records.read(path, max_bytes)
        found += problems  # coded where they are found (storage/records.py)
        if c is not None:
            found += records.seal_problems(c)
            if rules is not None:
                found += audit.findings(c, rules)
    return sorted(found, key=lambda p: (str(p.path), p.line, p.code))


@app.command("check", short_help="检查规则、组织与全部记录（无问题则无输出）")
@command
def check_cmd(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    """检查 rules.yaml、org.yaml 和每一份投诉记录（含封签）：没有问题时不输出、退出码 0；
    否则每个问题一行「路径:行号: 代码 说明」，退出码 1。"""
    a = app_of(ctx)
    check_format(fmt)
    found = audit_folder(a)
    if fmt == "json":
        print_json({"problems": [p.as_json() for p in found], "codes": audit.CODES})
    else:
        for p in found:
            out.print(str(p), markup=False, highlight=False, soft_wrap=True)  # one line each, whatever the width
    if found:
        raise typer.Exit(1)
