"""The root of the command line: global options, the command groups in help order, main().

The command groups are imported lazily (cli/registry.py): a command imports only its own module.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from tousu.cli import crash
from tousu.cli.common import DataOpt, RulesOpt, err
from tousu.cli.context import App
from tousu.cli.registry import LazyGroup
from tousu.terminal.console import BROKEN_PIPE, quiet_stdout
from tousu.cli.usage_zh import help_in_chinese, usage_zh

help_in_chinese()

app = typer.Typer(
    cls=LazyGroup,
    help="tousu（投诉）：供电公司客户投诉工单管理与考核。数据在 ./data（--data），规则在 ./rules.yaml（--rules）。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from tousu import __version__

        try:
            sys.stdout.write(f"tousu {__version__}\n")
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_stdout()
            raise typer.Exit(BROKEN_PIPE) from None
        raise typer.Exit(0)


@app.callback()
def _global(
    ctx: typer.Context,
    data: DataOpt = None,
    rules: RulesOpt = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本并退出")] = False,
) -> None:
    ctx.obj = App(data_dir=data or Path("data"), rules_option=rules,
                  warn=lambda message: err.print(f"[yellow]注意：[/]{escape(message)}"))


def main() -> None:
    """Entry point: usage errors in Chinese (exit 2); Ctrl-C exits 130; any other failure exits 2
    with a Chinese message naming the log file that holds the traceback (cli/crash.py)."""
    sys.unraisablehook = crash.unraisable  # a failing __del__ (ZipFile after a full disk) goes to the log too
    try:
        code = _run()
        sys.stdout.flush()  # here, not at exit, where a closed pipe would be a traceback and status 120
    except SystemExit as exc:
        if exc.code == 1:  # only check-overdue may end with 1, and it returns it: this is click's broken pipe
            quiet_stdout()
            sys.exit(BROKEN_PIPE if type(sys.stdout).__name__ == "PacifyFlushWrapper" else crash.EXIT_ERROR)
        raise
    except KeyboardInterrupt:
        err.print("已取消。")
        sys.exit(130)
    except BrokenPipeError:  # `tousu list | head`: the reader left; say nothing more
        quiet_stdout()
        sys.exit(BROKEN_PIPE)
    except BaseException as exc:  # noqa: BLE001 - a bug or a broken machine: exit 2, never 1 (overdue)
        try:
            err.print(f"[bold red]错误：[/]{escape(crash.report(exc))}")
        except BaseException:  # noqa: BLE001 - stderr itself is gone
            pass
        sys.exit(crash.EXIT_ERROR)
    sys.exit(code)


def _undecodable(arg: str) -> bool:
    """An argument with bytes that are not UTF-8 (Python keeps them as lone surrogates)."""
    return any("\udc80" <= ch <= "\udcff" for ch in arg)


def _run() -> int:
    bad = next((a for a in sys.argv[1:] if _undecodable(a)), None)
    if bad is not None:  # a terminal or script in GBK, or stray bytes: say so instead of failing on write
        shown = bad.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        err.print(f"[bold red]错误：[/]参数「{escape(shown)}」中有不是 UTF-8 编码的字节（终端或脚本的编码不是 UTF-8？），"
                  "没有写入任何记录")
        return 2
    command_ = typer.main.get_command(app)
    try:
        code = command_.main(prog_name="tousu", standalone_mode=False)
    except Exception as exc:  # noqa: BLE001 - click's usage errors, duck-typed across typer versions
        kind = type(exc).__name__
        if kind == "Abort":  # Ctrl-C / Ctrl-D at a prompt
            err.print("\n已取消，没有写入任何记录。")
            return 130
        if kind == "NoArgsIsHelpError" and getattr(exc, "ctx", None) is not None:
            sys.stdout.write(exc.ctx.get_help() + "\n")  # type: ignore[attr-defined]
            return 0
        if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
            raise
        ctx = getattr(exc, "ctx", None)
        err.print(f"[bold red]错误：[/]{escape(usage_zh(exc))}")
        if ctx is not None:
            err.print(f"查看用法：{ctx.command_path} -h", markup=False)
        return exc.exit_code
    if type(code).__name__ == "Abort" or code is None:
        return 0
    return code if isinstance(code, int) else 0
