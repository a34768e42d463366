"""Issue #10 §5: in a terminal every step asks for what is missing (driven through a pseudo-terminal);
Ctrl-C cancels and writes nothing; never a prompt when stdin is not a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from conftest import Cli
from foundation_helpers import fcli, ok, refused, rules_file, snapshot  # noqa: F401
from tousu.storage.store import Store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def _controlling_tty() -> None:  # in the child: the pty becomes its terminal, so Ctrl-C is SIGINT
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def in_terminal(cli: Cli, *args: str, answers: list[str], interrupt: str = "", after: str = "") -> tuple[int, str]:
    """Run tousu with a pseudo-terminal as stdin/stdout/stderr, typing `answers` (then Ctrl-C once
    the output shows `interrupt`)."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100"}
    argv = [sys.executable, "-m", "tousu", "--data", str(cli.data), "--rules", str(cli.rules), *args]
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, preexec_fn=_controlling_tty,
                            close_fds=True)
    os.close(slave)
    typed = "".join(a + "\n" for a in answers)
    if not after:  # typed ahead, as a fast clerk does
        os.write(master, typed.encode())
    output = b""
    deadline = time.monotonic() + 60
    sent_interrupt = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        if after and typed and after.encode() in output:  # typed once the first question is on the screen
            os.write(master, typed.encode())
            typed = ""
        if interrupt and not sent_interrupt and interrupt.encode() in output:
            os.write(master, b"\x03")
            sent_interrupt = True
        if proc.poll() is not None and not ready:
            break
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    os.close(master)
    return proc.returncode, output.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.fixture
def dispatched(fcli: Cli) -> str:
    cid = fcli.add()
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:10"))
    ok(fcli("contact", cid, "--at", "2026-11-02 10:00"))
    return cid


def test_reply_asks_for_verdicts_and_texts(fcli: Cli, dispatched: str, data_dir: Path) -> None:
    code, out = in_terminal(fcli, "reply", dispatched, "--at", "2026-11-03 10:00",
                            answers=["也许", "属实", "供电责任", "抄表员态度生硬", "上门道歉", ""])
    assert code == 0, out
    assert "核实结论（属实/不属实）" in out and "请回答「属实」或「不属实」" in out
    assert "整改措施（可空，回车跳过）" in out
    ev = Store(data_dir).load(dispatched).history[-1]
    assert (ev.action, ev.verified, ev.responsible, ev.cause, ev.process, ev.measures) == \
        ("reply", True, True, "抄表员态度生硬", "上门道歉", "")


def test_reply_given_in_full_on_the_line_asks_nothing_optional(fcli: Cli, dispatched: str, data_dir: Path) -> None:
    """A clerk who typed every required option is not asked for the optional 整改措施: the next
    command pasted after it must not be swallowed as the answer (found in the new-user day)."""
    code, out = in_terminal(fcli, "reply", dispatched, "--verified", "--responsible", "--cause", "态度生硬",
                            "--process", "上门道歉", "--at", "2026-11-03 10:00", answers=[])
    assert code == 0, out
    assert "整改措施" not in out
    assert Store(data_dir).load(dispatched).history[-1].measures == ""


def test_return_and_dispatch_ask_with_choices_and_typed_forms(fcli: Cli, dispatched: str, data_dir: Path) -> None:
    code, out = in_terminal(fcli, "return", dispatched, "--at", "2026-11-02 11:00", answers=["不属本所辖区"])
    assert code == 0, out
    code, out = in_terminal(fcli, "dispatch", dispatched, "--at", "2026-11-02 11:10", answers=["供电所", "东城"])
    assert code == 0, out
    assert "责任单位（城关供电所、东城供电所、客户服务中心、市场营销部）" in out
    assert "可指多个：城关供电所、东城供电所" in out  # asked again, never guessed
    assert "提示：单位「东城」按「东城供电所」记录" in out
    c = Store(data_dir).load(dispatched)
    assert (c.history[-2].reason, c.unit) == ("不属本所辖区", "东城供电所")


def test_revisit_unsatisfied_requires_the_reason(fcli: Cli, dispatched: str, data_dir: Path) -> None:
    ok(fcli("reply", dispatched, "--verified", "--responsible", "--cause", "c", "--process", "p",
            "--at", "2026-11-03 10:00"))
    ok(fcli("review", dispatched, "--at", "2026-11-03 11:00"))
    before = snapshot(data_dir)
    refused(fcli("revisit", dispatched, "--unsatisfied", "--at", "2026-11-03 12:00"),
            "缺少必填选项「--reason」（客户不满意的原因）")
    assert snapshot(data_dir) == before
    code, out = in_terminal(fcli, "revisit", dispatched, "--at", "2026-11-03 12:00", answers=["不满意", "", "电表还是走得快"])
    assert code == 0, out
    assert "客户不满意的原因不能为空，请输入（Ctrl-C 取消）" in out  # the field named, not only 不能为空
    ev = Store(data_dir).load(dispatched).history[-1]
    assert (ev.satisfied, ev.reason) == (False, "电表还是走得快")


def test_review_reject_and_extend_and_grade_ask(fcli: Cli, dispatched: str, data_dir: Path) -> None:
    code, out = in_terminal(fcli, "extend", dispatched, "--at", "2026-11-03 10:00",
                            answers=["2026-11-31", "2026-11-20", "需要更换线路", "王"])
    assert code == 0, out
    assert "11月只有30天" in out and "提示：人员「王」按「王五」记录" in out
    ok(fcli("reply", dispatched, "--verified", "--responsible", "--cause", "c", "--process", "p",
            "--at", "2026-11-04 10:00"))
    code, out = in_terminal(fcli, "review", dispatched, "--reject", "--at", "2026-11-04 11:00", answers=["原因写得不清楚"])
    assert code == 0, out
    code, out = in_terminal(fcli, "grade", dispatched, "--at", "2026-11-04 12:00", answers=["严"])
    assert code == 0, out
    h = Store(data_dir).load(dispatched).history
    assert [(e.action, e.reason or e.severity or e.approved_by) for e in h[-4:]] == [
        ("extend", "需要更换线路"), ("reply", None), ("review", "原因写得不清楚"), ("grade", "严重")]
    assert h[-4].approved_by == "王五"


def test_assess_and_correct_ask(fcli: Cli, dispatched: str, data_dir: Path, repo_root: Path) -> None:
    ok(fcli("reply", dispatched, "--verified", "--responsible", "--cause", "c", "--process", "p",
            "--at", "2026-11-03 10:00"))
    code, out = in_terminal(Cli(data_dir, repo_root / "rules.yaml"), "assess", dispatched, "--at", "2026-11-04 10:00",
                            answers=["attitude.poor", "李", "250"])
    assert code == 0, out
    ev = Store(data_dir).load(dispatched).history[-1]
    assert (ev.rule, ev.person, ev.amount) == ("attitude.poor", "李四", 250)
    code, out = in_terminal(fcli, "correct", dispatched, "--at", "2026-11-04 11:00",
                            answers=["phone", "139 8765 4321", "客户更正号码"])
    assert code == 0, out
    assert Store(data_dir).load(dispatched).customer.phone == "139 8765 4321"


def test_add_asks_and_takes_typed_forms(fcli: Cli, data_dir: Path) -> None:
    code, out = in_terminal(fcli, "add", "--received-at", "2026-11-02 09:00",
                            answers=["来", "来电", "王小明", "12345", "139-1234-5678", "安全", "电线杆歪了", "", "", ""])
    assert code == 0, out
    assert "受理渠道「来」可指多个：来电、来信、来访" in out
    assert "联系电话「12345」无效" in out
    c = Store(data_dir).load_all()[0][0]
    assert (c.channel, c.customer.phone, c.item, c.attitude) == ("来电", "139-1234-5678", "安全隐患", "平和")


def test_an_old_received_time_is_confirmed_in_a_terminal(fcli: Cli, data_dir: Path) -> None:
    before = snapshot(data_dir)
    code, out = in_terminal(fcli, "add", "--received-at", "2025-10-01 09:00", "--channel", "来电", "--name", "王",
                            "--phone", "13912345678", "--item", "服务态度", "--content", "x", answers=["n"])
    assert code == 2, out
    assert "确认无误吗？" in out and "已取消，没有写入任何记录" in out
    assert snapshot(data_dir) == before


def test_ctrl_c_at_a_prompt_cancels_and_writes_nothing(fcli: Cli, dispatched: str, data_dir: Path) -> None:
    before = snapshot(data_dir)
    code, out = in_terminal(fcli, "reply", dispatched, "--at", "2026-11-03 10:00", answers=["属实"],
                            interrupt="责任认定", after="核实结论")
    assert code == 130, out
    assert "已取消，没有写入任何记录" in out
    assert snapshot(data_dir) == before


def test_no_prompt_without_a_terminal(fcli: Cli, dispatched: str, data_dir: Path) -> None:
    before = snapshot(data_dir)
    refused(fcli("return", dispatched, input="理由\n"), "缺少必填选项「--reason」（退回理由（第十七条：不属本单位的理由））")
    refused(fcli("reply", dispatched, input="属实\n"),
            "缺少核实结论：请给出 --verified（属实） 或 --not-verified（不属实）")
    assert snapshot(data_dir) == before
