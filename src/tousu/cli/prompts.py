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
            err.print(f"[red]{escape(label.split('（')[0])}不能为空，请输入（Ctrl-C 取消）[/]")
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


def need(value: Optional[str], label: str, option: str, parse: Optional[Callable[[str], T]] = None,
         hint: str | Callable[[], str] = "") -> T | str:
    """A required value: as given; else asked for in a terminal (`hint` shows the choices); else
    refused naming the option."""
    if value is not None:  # given, even blank: the step itself says what is wrong with it
        return parse(value) if parse else value
    if not interactive():
        raise TousuError(f"缺少必填选项「{option}」（{label}）")
    got = ask(f"{label}{hint() if callable(hint) else hint}", parse)
    assert got is not None
    return got


def maybe(value: Optional[str], label: str) -> str:
    """An optional text: as given; else asked for in a terminal (Enter skips); else empty."""
    if value or not interactive():
        return value or ""
    return str(ask(f"{label}（可空，回车跳过）", None, optional=True) or "")


def verdict(yes_flag: bool, no_flag: bool, what: str, yes_opt: str, no_opt: str, yes: str, no: str) -> bool:
    """A verdict by exactly one of two flags; asked for in a terminal when neither is given."""
    from tousu.cli.common import one_of

    if not (yes_flag or no_flag) and interactive():
        return ask_yes_no(what, yes, no)
    return one_of(yes_flag, no_flag, what, yes_opt, no_opt)
