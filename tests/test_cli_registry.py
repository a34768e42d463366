"""The root's commands are imported lazily (cli/registry.py): the table must name every command of every
group module in order, the root's help must be what the commands themselves say, and a command must not
pay for the modules of the others (issue #13: start-up within 1.5× of a minimal Typer app)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from tousu.cli import app
from tousu.cli.registry import GROUPS


def test_the_table_names_each_modules_commands_in_order() -> None:
    for module, names in GROUPS:
        registered = [info.name or typer.main.get_command_name(info.callback.__name__)
                      for info in importlib.import_module(f"tousu.cli.{module}").app.registered_commands]
        assert registered == [name for name, _ in names], module


def test_the_roots_help_lists_what_the_commands_themselves_say(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    group = typer.main.get_command(app)  # a fresh root: nothing imported through it yet
    ctx = group.make_context("tousu", ["--data", "x"])
    group.get_help(ctx)  # rich prints the page
    from_table = capsys.readouterr().out
    for name in group.commands:
        group.commands[name]  # noqa: B018 - the real command, from its module
    group.get_help(ctx)
    assert capsys.readouterr().out == from_table
    listed = [from_table.index(f"│ {name} ") for name in group.commands]  # every command, in the table's order
    assert listed == sorted(listed) and "│ report " in from_table and "月度通报" in from_table


SCRIPT = """
import sys
from tousu import cli
root = sys.argv[1]
sys.argv = ["tousu", "init", root]
assert cli._run() == 0
sys.argv = ["tousu", "--data", root, "add", "--received-at", "2026-11-20 09:00", "--channel", "来电", "--name",
            "王小明", "--phone", "13912345678", "--item", "服务态度", "--content", "态度生硬", "--by", "张三"]
assert cli._run() == 0
print("ADD", *sorted(m for m in sys.modules if m.startswith(("tousu.cli.", "typer.rich_utils", "openpyxl"))))
sys.argv = ["tousu", "--help"]
assert cli._run() == 0
print("HELP", *sorted(m for m in sys.modules if m.startswith(("tousu.cli.", "openpyxl"))))
"""


def test_add_and_help_import_only_what_they_need(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "data")], capture_output=True, text=True,
                       encoding="utf-8", timeout=60, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    after_add, after_help = (set(next(line for line in r.stdout.splitlines() if line.startswith(mark)).split()[1:])
                             for mark in ("ADD ", "HELP "))
    assert "tousu.cli.intake" in after_add
    for other in ("tousu.cli.report", "tousu.cli.assess", "tousu.cli.excel", "tousu.cli.looking", "tousu.cli.desk",
                  "tousu.cli.steps", "typer.rich_utils", "openpyxl"):
        assert other not in after_add, other
    assert after_help == after_add - {"typer.rich_utils"}  # the root's help imports no command's module
