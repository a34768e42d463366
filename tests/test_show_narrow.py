"""`tousu show` at an 80-column terminal keeps every word a person typed (found in the trial week):
a reject reason, a revisit reason, an undo reason or a long 诉求内容 wraps instead of ending in “…”."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from conftest import Cli
from foundation_helpers import fcli, ok, rules_file, walk  # noqa: F401
from tousu.cli import common


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.out, "width", 80)


def _cells(stdout: str, title: str, col: int) -> str:
    """The text of one column of the table under `title`, its wrapped lines joined."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    text = []
    for line in lines[start + 1:]:
        if line[:1] in "└":
            break
        if line[:1] == "│":
            text.append(line.split("│")[col].strip())
    return "".join(text)


def test_show_wraps_reasons_and_content_at_80_columns(fcli: Cli, narrow: None) -> None:
    content = "抄表员上门态度生硬说话难听还把院门踢坏了要求赔偿并道歉" * 3
    cid = fcli.add(content=content)
    walk(fcli, cid, "reply")
    reject = "未现场校验电表答复依据不足请重新核实后再答复客户"
    ok(fcli("review", cid, "--reject", "--reason", reject, "--at", "2026-11-02 12:30"))
    r = fcli("show", cid, "--at", "2026-11-02 13:00")
    ok(r)
    assert "…" not in r.stdout, r.stdout
    assert max(cell_len(line) for line in r.stdout.splitlines()) <= 80, r.stdout
    assert content in _cells(r.stdout, f"投诉 {cid}", 2), r.stdout
    assert f"审核驳回（{reject}）" in _cells(r.stdout, "处理记录", 4), r.stdout


def test_show_of_a_voided_complaint_says_it_has_no_deadlines(fcli: Cli, narrow: None) -> None:
    cid = fcli.add()
    ok(fcli("void", cid, "--reason", "重复受理", "--at", "2026-11-02 09:30"))
    r = fcli("show", cid, "--at", "2026-11-02 10:00")
    ok(r)
    assert "时限：无（已作废，不计时限）" in r.stdout and "┃ # ┃" not in r.stdout, r.stdout
    assert "规则文件：" in r.stdout  # the rest of the page is still there
