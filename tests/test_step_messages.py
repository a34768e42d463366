"""What a step says about the next deadline when it is entered after the fact (第十六条, 第十九条)."""

from __future__ import annotations

from datetime import datetime

import pytest

from conftest import Cli
from foundation_helpers import REPLY, fcli, ok, rules_file  # noqa: F401
from tousu.timeutil import CHINA


def test_a_backfilled_review_does_not_say_the_revisit_is_overdue_as_a_fact(fcli: Cli) -> None:
    cid = fcli.add(received_at="2026-11-23 09:00")
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-23 09:30"))
    ok(fcli("contact", cid, "--at", "2026-11-23 14:00"))
    ok(fcli("reply", cid, *REPLY, "--at", "2026-11-25 10:00"))
    r = fcli("review", cid, "--at", "2026-11-25 14:00")
    ok(r)
    assert "回访（第十六条）期限 2026-11-26 10:00 已过：尚未办理请尽快办理；已办理的请登记并用 --at 补录实际时间" in r.stderr
    assert "请在 2026-11-26 10:00 前" not in r.stderr


def test_a_review_in_time_gives_the_revisit_deadline(fcli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tousu.cli.context.now_china", lambda: datetime(2026, 11, 25, 14, 5, tzinfo=CHINA))
    cid = fcli.add(received_at="2026-11-23 09:00")
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-23 09:30"))
    ok(fcli("contact", cid, "--at", "2026-11-23 14:00"))
    ok(fcli("reply", cid, *REPLY, "--at", "2026-11-25 10:00"))
    r = fcli("review", cid)
    ok(r)
    assert "请在 2026-11-26 10:00 前回访（第十六条）" in r.stderr and "已过" not in r.stderr


def test_the_clerk_types_the_95598_sub_type_and_gets_the_item(cli: Cli) -> None:
    """The desk takes the 95598 业务子类 as import does (频繁停电 → 供电质量); an ambiguous word stays refused."""
    cid = cli.add(item="频繁停电", content="本月停电五次")
    r = cli("show", cid, "--format", "json")
    assert __import__("json").loads(r.stdout)["item"] == "供电质量"
    r = cli("add", "--channel", "电话", "--name", "王五", "--phone", "13912345679", "--item", "电费",
            "--content", "电费不对", "--received-at", "2026-11-02 10:00")
    assert r.exit_code == 2 and "可指多个：电费电价、催收电费" in r.stderr


def test_show_names_a_penalty_by_its_chinese_rule_and_clause(cli: Cli, repo_root) -> None:  # noqa: ANN001
    from conftest import Cli as _Cli

    sample = _Cli(repo_root / "data")
    r = sample("show", "TS202611020001", "--at", "2026-11-28 10:00")
    assert r.exit_code == 0, r.output
    assert "态度冷淡、语言生硬等态度欠佳引发客户不满造成投诉（第二十四条" in r.stdout and "attitude.poor" not in r.stdout


def test_piped_tables_keep_the_width_of_the_persons_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """`tousu list | less` at 80 columns is 80 wide; cron (no terminal at all) gets 160 columns."""
    import io
    import os

    from tousu.cli import common

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

        def fileno(self) -> int:
            return 2

    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    monkeypatch.setattr("sys.stdin", io.StringIO())
    monkeypatch.setattr("sys.stderr", Tty())
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size((80, 24)))
    assert common.piped_width() == 80
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert common.piped_width() == 160
    monkeypatch.setenv("COLUMNS", "100")
    assert common.piped_width() is None
