"""The start-up floor for bench/run.py: a minimal Typer app with as many commands as tousu.

    python bench/minimal_typer.py --help
    python bench/minimal_typer.py add --received-at … --name … (writes one small YAML file to --out)

27 commands, one of them (`add`) with tousu add's 17 options, which writes what it
was given to a file with PyYAML (as a real `add` must at least do). Nothing else:
what tousu spends beyond this on `--help` and `add` is its own start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(add_completion=False)

NAMES = ["init", "dispatch", "contact", "return", "extend", "reply", "review", "revisit", "archive", "grade",
         "notify", "undo", "void", "correct", "urge", "show", "list", "check-overdue", "calendar", "find", "todo",
         "assess", "escalate", "report", "export", "import"]


def _make(name: str) -> None:
    def cmd(cid: Annotated[Optional[str], typer.Argument(help="编号")] = None,
            at: Annotated[Optional[str], typer.Option("--at", help="时间")] = None) -> None:
        typer.echo(f"{name} {cid or ''} {at or ''}")

    cmd.__doc__ = f"{name} 命令。"
    app.command(name)(cmd)


for _name in NAMES:
    _make(_name)

Opt = Annotated[Optional[str], typer.Option(help="值")]


@app.command("add")
def add(out: Annotated[Path, typer.Option("--out", help="输出文件")],
        received_at: Opt = None, channel: Opt = None, name: Opt = None, phone: Opt = None, address: Opt = None,
        account: Opt = None, category: Opt = None, item: Opt = None, content: Opt = None, attitude: Opt = None,
        severity: Opt = None, escalated_to: Opt = None, ref: Opt = None, by: Opt = None, note: Opt = None,
        yes: Annotated[bool, typer.Option("--yes")] = False) -> None:
    """受理新投诉。"""
    import yaml

    record = {k: v for k, v in locals().items() if k not in ("out", "yaml") and v is not None}
    out.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    typer.echo("TS000000000001")


if __name__ == "__main__":
    app()
