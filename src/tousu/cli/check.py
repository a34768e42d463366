"""`tousu check`: the data folder audited, like bean-check (issue #9 §6).

Silent, exit 0, when all is well; else every problem as `path:line: CODE message`
(stable codes, domain/audit.CODES) and exit 1; exit 2 on usage errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from tousu.cli.common import FormatOpt, app_of, check_format, command, out, print_json
from tousu.config import org as org_mod
from tousu.config import rules as rules_mod
from tousu.config import yamlio
from tousu.domain import audit
from tousu.errors import Problem, TousuError
from tousu.storage import files, records, seal

app = typer.Typer()


def _config(a: Any) -> tuple[Any, list[Problem]]:
    """rules.yaml and org.yaml: their problems, and the rules to check records by (None if broken)."""
    found: list[Problem] = []
    rules = None
    try:
        rules = rules_mod.load(a.rules_path)
    except TousuError as exc:
        found += [Problem(p.path, p.line, p.message, "E001") for p in exc.problems] or \
            [Problem(a.rules_path, 0, exc.message, "E001")]
    try:
        org_mod.load(a.store.root / "org.yaml")
    except TousuError as exc:
        found += [Problem(p.path, p.line, p.message, "E002") for p in exc.problems] or \
            [Problem(a.store.root / "org.yaml", 0, exc.message, "E002")]
    return rules, found


def _seals(path: Path, max_bytes: int) -> list[Problem]:
    try:
        data = yamlio.load_bytes(files.record_bytes(path, max_bytes), path)
    except (yamlio.Unreadable, yamlio.YamlProblem):
        return []  # reported by the record's own reading
    raw = data.get("history") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        return []
    events = [(dict(item), yamlio.line_of(raw, i)) for i, item in enumerate(raw) if isinstance(item, dict)]
    return seal.problems(path, str(data.get("id", path.stem)), events)


# The loaders word these problems for every command; `check` gives them their codes here.
_READ_CODES = (("处理记录为空", "E101"), ("第一个事件应为受理", "E101"), ("事件时间", "E102"))


def _code_of(message: str) -> str:
    return next((code for start, code in _READ_CODES if message.startswith(start)), "E100")


def audit_folder(a: Any) -> list[Problem]:
    rules, found = _config(a)
    max_bytes = rules.record_max_bytes if rules else files.MAX_RECORD_BYTES
    for path in a.store.paths():
        c, problems = records.read(path, max_bytes)
        found += [Problem(p.path, p.line, p.message, p.code or _code_of(p.message)) for p in problems]
        if c is not None and rules is not None:
            found += audit.findings(c, rules)
        found += _seals(path, max_bytes)
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
            out.print(str(p), markup=False, highlight=False)
    if found:
        raise typer.Exit(1)
