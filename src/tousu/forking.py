"""Work cut in two on two cores: the second half in a forked helper process, its result back through a pipe.

A computation over many records that is a pure function of its part (the same answer wherever it runs)
may be spread over two cores: `in_parts(work, items)` gives `[work(first half), work(second half)]`, the
second worked out in a copy of this process made by `os.fork` (nothing to load again: the copy has the
records already) and sent back pickled. Only where a copy can go on as it is — Linux, two cores or more,
no other thread (a lock another thread held would stay held in the copy) — and only for HALVES_MIN items
or more, where the work outweighs the fork and the pickling. A helper that fails in any way — an
exception, a crash, a kill, a result that does not unpickle — costs only time: its half is worked out
here, so the answer is always the one this process alone would give. The pickle is read only from the
helper this process made, through its own pipe. `spawn`, the fork itself (Ctrl-C held back over it, the
copy never back in this process's code), is shared with the index build's helper (storage/indexbuild.py).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

HALVES_MIN = 2_000  # items of work below which one process is quicker (a fork and a pickle cost ~30 ms)


def can_fork() -> bool:
    """A second core, and a system where a forked copy of this process can go on as it is: Linux, and no
    other thread (tousu runs none; a program that embeds it might, and a lock one held would stay held in
    the copy)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return (cores >= 2 and sys.platform.startswith("linux") and hasattr(os, "fork")
            and threading.active_count() == 1)


def _flush_output() -> None:
    """Before a fork: no copy of unwritten output may exist (no stream at all under pythonw; closed under
    some crons)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass


def in_parts(work: Callable[[Sequence[T]], R], items: Sequence[T], min_items: int | None = None) -> list[R]:
    """[work(items)], or [work(first half), work(second half)] with the second in a forked helper when that
    pays (module docstring; `min_items` None: HALVES_MIN). `work` must be a pure function of its part,
    with a result that pickles; joining the parts' results is the caller's."""
    if len(items) < (HALVES_MIN if min_items is None else min_items) or not can_fork():
        return [work(items)]
    mid = len(items) // 2
    first, second = items[:mid], items[mid:]
    made: list[_Helper] = []  # filled before Ctrl-C can reach this process again: nothing is ever left behind
    try:
        if not _fork(work, second, made):
            return [work(items)]
        mine = work(first)
        theirs = made[0].result()
    finally:
        for helper in made:
            helper.close()  # and, if this process failed or was interrupted, the helper is killed and reaped
    return [mine, work(second) if theirs is None else theirs[0]]


class _Helper:
    """A forked helper working out one part: the read end of its pipe, and its process id until reaped."""

    def __init__(self, fd: int, pid: int) -> None:
        self.fd: int | None = fd
        self.pid: int | None = pid

    def result(self) -> tuple[Any] | None:
        """The helper's result (in a 1-tuple, since a result may be None), or None when it failed."""
        assert self.fd is not None and self.pid is not None
        chunks = []
        while chunk := os.read(self.fd, 1 << 20):
            chunks.append(chunk)
        status = os.waitpid(self.pid, 0)[1]
        self.pid = None
        if status != 0:
            return None
        try:
            return (pickle.loads(b"".join(chunks)),)
        except Exception:  # noqa: BLE001 - a truncated or garbled pickle: work the half out here
            return None

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.pid is not None:  # not reaped: this process failed first, the helper's work is of no use
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = None


def _fork(work: Callable[[Sequence[T]], R], part: Sequence[T], made: list[_Helper]) -> bool:
    """Start a helper working out `part`, into `made`; False when no pipe or no process could be made."""
    try:
        read, write = os.pipe()
    except OSError:
        return False

    def keep(pid: int) -> None:
        os.close(write)
        made.append(_Helper(read, pid))

    if spawn(lambda: _send(read, write, work, part), keep):
        return True
    os.close(read)
    os.close(write)
    return False


def _send(read: int, write: int, work: Callable[[Sequence[T]], R], part: Sequence[T]) -> None:
    """In the helper: the pickled result of its part into the pipe."""
    os.close(read)
    data = memoryview(pickle.dumps(work(part), protocol=pickle.HIGHEST_PROTOCOL))
    while data:
        data = data[os.write(write, data):]


def spawn(child: Callable[[], object], keep: Callable[[int], None]) -> bool:
    """Fork a helper process that runs `child()` and exits: 0 if it returned, 1 if it raised. It never
    returns into this process's code, nor finalises anything of this process's (os._exit). Ctrl-C is held
    back over the fork: `keep(pid)` runs here before it can arrive, so no helper is ever lost, and in the
    helper it has the default handling (the helper ends at once). False: no process could be made."""
    _flush_output()
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        try:
            pid = os.fork()
        except OSError:
            return False
        if pid == 0:
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
                child()
                code = 0
            finally:
                os._exit(code)
        keep(pid)
        return True
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
