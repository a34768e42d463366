"""The one console every terminal text goes through: what people typed is shown, never obeyed.

A customer's or clerk's text (--content, --name, --address, --by, --note, an
argument echoed in a message) may hold escape sequences: a window-title change,
a clipboard write (OSC 52), a screen clear, concealed text. Sent raw, the
terminal would run them. `SafeConsole` turns every control character of every
string it renders into a visible escape (`\\x1b`, `\\u202e`) before rich lays
out tables and wraps lines, so widths stay right; what rich itself emits for
colours is untouched. Line breaks and tabs stay as they are. Emoji codes
(`:warning:`) are left as typed. The same holds for piped output (cron mail).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.text import Text

# C0 (but newline and tab), DEL, C1, and the Unicode format controls that reorder or hide text
# (bidi marks, embeddings, overrides and isolates; line and paragraph separators).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character written out (ESC → `\\x1b`); the rest unchanged."""
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


BROKEN_PIPE = 141
"""Exit status when the reader of stdout went away (128 + SIGPIPE, as a shell reports it)."""

_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def visible_json(document: str) -> str:
    """JSON text (json.dumps already escapes C0) with DEL, C1 and format controls escaped too (`\\u009b`):
    still the same JSON, and safe to read on a terminal."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", document)


def quiet_stdout() -> None:
    """Point stdout at the null device, so that nothing (not even the flush at exit) fails on it again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class SafeConsole(Console):
    """A rich Console that renders control characters in any text visibly (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("emoji", False)
        super().__init__(*args, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:  # type: ignore[override]
        # Before markup is parsed and the text is measured: "\x1b" takes its four cells in a table.
        return super().render_str(visible(text), **kwargs)

    def on_broken_pipe(self) -> None:
        """The reader of stdout went away (`tousu list | head`): stop quietly with 141 like a shell's
        SIGPIPE — never rich's exit status 1, which `check-overdue` uses for 有超期."""
        self.quiet = True
        quiet_stdout()
        raise SystemExit(BROKEN_PIPE)

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        # The last line of defence: a rich Text built elsewhere from typed text never reaches the
        # terminal raw either (rich's own control segments are left alone).
        return super()._render_buffer(
            Segment(visible(seg.text), seg.style, seg.control) if not seg.control else seg for seg in buffer)
