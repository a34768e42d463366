"""What every command module shares: consoles, option types, the error wrapper, one step runner.

Exit status: 0 success; 1 `check-overdue` found something overdue; 2 any error
(a Chinese message naming the bad value and the valid ones, nothing written).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from collections.abc import Iterator, Sequence
from typing import Annotated, Any, Callable, Optional

import typer
from rich.markup import escape

from tousu.cli.context import App, parse_at
from tousu.domain.deadlines import stages
from tousu.domain.model import Complaint
from tousu.errors import Problem, TousuError, os_reason
from tousu.storage import cachedir
from tousu.terminal.console import BROKEN_PIPE, SafeConsole, quiet_stdout, visible_json
from tousu.timeutil import human_deadline, parse_month

# Piped by a person: the width of their terminal; mailed by cron: room (rich would cut tables to 80).
def piped_width() -> int | None:
    """Width for tables when stdout is not a terminal: the terminal's own width when a person pipes
    (`tousu report | less` at 80 columns: stderr is still that terminal); 160 for cron mail, where no
    terminal is attached at all; None (rich decides) on a terminal or when COLUMNS is set."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return None
    for stream in (sys.stderr, sys.stdin):
        try:
            if stream is not None and stream.isatty():
                return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError):
            continue
    return 160


_WIDTH = piped_width()
# Every text on the terminal goes through SafeConsole: control characters typed into a record show as `\x1b`.
out = SafeConsole(highlight=False, soft_wrap=False, width=_WIDTH)
# soft_wrap: messages and `path:line: …` problems stay one line each, whatever the width (cron logs, grep).
err = SafeConsole(stderr=True, highlight=False, soft_wrap=True)

DataOpt = Annotated[Optional[Path], typer.Option("--data", envvar="TOUSU_DATA", help="数据目录（默认 ./data）")]
RulesOpt = Annotated[Optional[str], typer.Option("--rules", envvar="TOUSU_RULES", help="规则文件（默认找数据目录中、旁边、当前目录的 rules.yaml，再用内置的）")]
AtOpt = Annotated[Optional[str], typer.Option("--at", help="发生时间 YYYY-MM-DD HH:MM（默认现在，中国时间）")]
ByOpt = Annotated[Optional[str], typer.Option("--by", help="经办人（默认环境变量 TOUSU_USER，否则登录名；rules.yaml 的 operators 可要求是登记在册的人）")]
NoteOpt = Annotated[str, typer.Option("--note", help="备注")]
IdArg = Annotated[str, typer.Argument(help="投诉编号，如 TS202611260001", show_default=False, metavar="编号")]
FormatOpt = Annotated[str, typer.Option("--format", help="输出格式：table 或 json")]


def fail(exc: TousuError) -> None:
    err.print(f"[bold red]错误：[/]{escape(exc.message)}", markup=True)
    for p in exc.problems:
        err.print(f"  {p}", markup=False)


def print_problems(problems: list[Problem]) -> None:
    """Record files that could not be read, one `path:line: message` line each (stderr)."""
    for p in problems:
        err.print(f"[red]无法读取：[/]{escape(str(p))}", markup=True)


def print_notes(notes: Sequence[Problem], findings: Sequence[Problem] = ()) -> None:
    """Readable records with values rules.yaml does not know, and what else `tousu check` finds in them
    (storage/findings.py): warnings on stderr, one `path:line: code message` line each, file by file."""
    for p in sorted([*notes, *findings], key=lambda p: str(p.path)) if findings else notes:
        err.print(f"[yellow]注意：[/]{escape(str(p))}", markup=True)


def os_error(exc: OSError) -> TousuError:
    """A file-system failure as a Chinese message naming the path."""
    reasons = {IsADirectoryError: "这是一个目录，不是文件", NotADirectoryError: "路径中有一段不是目录",
               FileExistsError: "已存在同名的文件或目录"}
    reason = next((text for cls, text in reasons.items() if isinstance(exc, cls)), None) or os_reason(exc)
    where = exc.filename or ""
    return TousuError(f"无法读写「{where}」：{reason}；没有写入任何记录" if where else f"文件读写失败：{reason}")


def command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register a command whose TousuErrors become a Chinese message and exit 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TousuError as exc:
            fail(exc)
            raise typer.Exit(2) from None
        except BrokenPipeError:  # the reader of stdout went away (`| head`): end quietly, 141 as a shell says
            quiet_stdout()
            raise typer.Exit(BROKEN_PIPE) from None
        except OSError as exc:
            fail(os_error(exc))
            raise typer.Exit(2) from None
        finally:
            for text in cachedir.notices():  # e.g. no cache folder: said once, whatever asked for it
                err.print(f"[yellow]注意：[/]{escape(text)}")

    return wrapper


def app_of(ctx: typer.Context) -> App:
    return ctx.obj


def check_format(value: str) -> str:
    if value not in ("table", "json"):
        raise TousuError(f"输出格式「{value}」无效，可选：table、json")
    return value


def keep_loaded() -> None:
    """The records just loaded live until the command ends: take them out of the garbage collector's
    passes (gc.freeze). Otherwise each pass of its oldest generation, set off by the objects the figures
    make, scans the whole heap again: ~0.15 s a pass with a province's month loaded. A command is one
    process, and records hold no reference cycles: nothing that could be freed is kept."""
    import gc

    gc.freeze()


def print_json(data: Any) -> None:
    """Valid UTF-8 JSON whatever a file name holds: bytes that were not UTF-8 (lone surrogates in Python)
    are written as JSON's own escapes (\\udcff), as a JSON reader reads them back.

    Laid out for reading and for line tools: each item of the top level on a line of its own, and so is
    each item of a list or object it holds (a complaint, a stage, a unit's row); anything deeper stays on
    its item's line. That lets the C encoder write every line (json's indent= is pure Python: half a
    second for a province's bulletin). Written a megabyte at a time, never the whole text at once."""
    part: list[str] = []
    size = 0
    for line in _json_lines(data):
        part.append(line)
        size += len(line)
        if size >= 1 << 20:
            _write_json("".join(part))
            part, size = [], 0
    _write_json("".join(part) + "\n")


_compact = json.JSONEncoder(ensure_ascii=False).encode  # the C encoder: separators ", " and ": "


def _json_lines(data: Any, indent: str = "", depth: int = 0) -> Iterator[str]:
    """The JSON text of `data` in pieces; containers of the first two levels one item per line."""
    if depth > 1 or not isinstance(data, (dict, list, tuple)) or not data:
        yield _compact(data)
        return
    inner = indent + "  "
    if isinstance(data, dict):
        yield "{\n"
        for i, (k, v) in enumerate(data.items()):
            yield f"{',' + chr(10) if i else ''}{inner}{_key(k)}: "
            yield from _json_lines(v, inner, depth + 1)
        yield f"\n{indent}}}"
    else:
        yield "[\n"
        for i, v in enumerate(data):
            yield f"{',' + chr(10) if i else ''}{inner}"
            yield from _json_lines(v, inner, depth + 1)
        yield f"\n{indent}]"


def _key(k: Any) -> str:
    """An object key as json writes it: a number, true, false or null as its text; any other kind refused."""
    if isinstance(k, str):
        return _compact(k)
    if k is None or isinstance(k, (bool, int, float)):
        return _compact(_compact(k))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(k).__name__}")


def _write_json(text: str) -> None:
    sys.stdout.write(visible_json(text).encode("utf-8", "backslashreplace").decode("utf-8"))


def warn_stages(a: App, c: Complaint) -> None:
    seen: set[str] = set()
    for s in stages(c, a.rules, a.calendar):
        for w in s.warnings:
            if w not in seen:
                seen.add(w)
                err.print(f"[yellow]注意：[/]{w}")


def canon(a: App, kind: str, typed: str | None, option: str) -> str | None:
    """A rules.yaml/org.yaml value as people type it → the canonical one, noting on stderr any
    completion or alias (SPEC §8); None stays None."""
    if typed is None:
        return None
    value, note = a.canonical(kind, typed, option)
    print_hint(note)
    return value


def operator(a: App, by: str | None) -> str:
    """The 经办人 of a step: --by (or its fallback) as rules.yaml `operators:` allows, told before anything is
    written; a completed name is noted on stderr."""
    name, note = a.operator(by)
    print_hint(note)
    return name


def print_hint(note: str | None) -> None:
    """A one-line note on stderr (a completed or aliased value)."""
    if note:
        err.print(f"[dim]提示：{escape(note)}[/]")


def one_of(yes: bool, no: bool, what: str, yes_opt: str, no_opt: str) -> bool:
    """A verdict given by exactly one of two flags."""
    if yes and no:
        raise TousuError(f"{what}不能同时是 {yes_opt} 和 {no_opt}，请只给出其中一个")
    if not (yes or no):
        raise TousuError(f"缺少{what}：请给出 {yes_opt} 或 {no_opt}")
    return yes


Step = Callable[[Complaint, datetime, datetime], Complaint]  # (record, --at, now) → record


def due_text(a: App, c: Complaint, key: str, what: str) -> str:
    """'请在 T 前回访' — or, when that deadline has already passed, since when the stage is overdue."""
    s = next((s for s in reversed(stages(c, a.rules, a.calendar)) if s.key == key and s.pending), None)
    if s is None:
        return f"请{what}"
    if a.now > s.deadline:  # a step entered afterwards: the next one may be done but not yet recorded
        return (f"{what}期限 {human_deadline(s.deadline)} 已过：尚未办理请尽快办理；"
                f"已办理的请登记并用 --at 补录实际时间")
    return f"请在 {human_deadline(s.deadline)} 前{what}"


def run_step(ctx: typer.Context, cid: str, fn: Step, done: str | Callable[[Complaint], str],
             at: str | None = None) -> Complaint:
    """Apply a step under the record's lock; --at omitted means the time the lock was got (not before waiting)."""
    a = app_of(ctx)
    if at:
        parse_at(at, a.now)  # a wrong --at is told before waiting for the lock

    def locked(c: Complaint) -> Complaint:
        now = a.now_under_lock()
        return fn(c, parse_at(at, now), now)

    c = a.store.update(cid, locked)
    warn_stages(a, c)
    text = done(c) if callable(done) else done
    err.print(f"[green]{escape(text.replace(cid, c.id))}[/]")
    return c


def months_of(month: str, option: str = "--month") -> list[tuple[int, int]]:
    try:
        return [parse_month(month)]
    except ValueError as exc:
        raise TousuError(f"{option}：{exc}" if option else str(exc)) from None
