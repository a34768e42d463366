"""Asking for what is missing, in a terminal only (SPEC §4, issue #10 §5).

Every step asks as `add` does: the choices are shown, Enter skips an optional field, a wrong
answer is explained and asked again, Ctrl-C cancels and nothing is written (main() says so,
exit 130). Nothing here is ever called when stdin is not a terminal.
"""

from __future__ import annotations

import sys
from typing import Callable, Optional, TypeVar

import typer
from rich.markup import escape

from tousu.cli.common import err
from tousu.errors import TousuError

T = TypeVar("T")


def interactive() -> bool:
    """Prompts only when a person is typing."""
    return sys.stdin.isatty()


def ask(label: str, parse: Optional[Callable[[str], T]] = None, *, optional: bool = False) -> T | str | None:
    """Prompt until the answer parses; '' → None for an optional field."""
    while True:
        value = typer.prompt(label, default="", show_default=False).strip()
        if not value:
            if optional:
                return None
            err.print("[red]不能为空[/]")
            continue
        try:
            return parse(value) if parse else value
        except TousuError as exc:
            err.print(f"[red]{escape(exc.message)}[/]")


def ask_yes_no(label: str, yes: str, no: str) -> bool:
    """A verdict as one of two words (属实/不属实 …), asked until it is one of them."""
    while True:
        value = typer.prompt(f"{label}（{yes}/{no}）", default="", show_default=False).strip()
        if value in (yes, "y", "Y", "是"):
            return True
        if value in (no, "n", "N", "否"):
            return False
        err.print(f"[red]请回答「{yes}」或「{no}」[/]")
