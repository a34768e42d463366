"""The state machine's refusals (SPEC §2): exact Chinese message, exit 2, the record unchanged byte for byte."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import Cli
from foundation_helpers import refuse, REPLY, fcli, ok, refused, rules_file, snapshot, walk  # noqa: F401
from tousu.storage.store import Store


@pytest.fixture
def cid(fcli: Cli) -> str:
    return fcli.add()


def test_contact_before_dispatch(fcli: Cli, cid: str) -> None:
    refuse(fcli, f"投诉 {cid} 当前状态为「待派发」，不能登记首次联系（登记首次联系只适用于「处理中」状态）",
           "contact", cid, "--at", "2026-11-02 10:00")


def test_reply_before_contact(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "dispatch")
    refuse(fcli, f"投诉 {cid} 尚未登记首次联系客户，请先运行 tousu contact {cid}（第十五条：首日联系）",
           "reply", cid, *REPLY, "--at", "2026-11-02 12:00")


def test_revisit_before_review(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "reply")
    refuse(fcli, f"投诉 {cid} 当前状态为「待审核」，不能回访（回访只适用于「待回访」状态）；答复须先经营销部审核（tousu review）",
           "revisit", cid, "--satisfied", "--at", "2026-11-02 13:00")


def test_archive_before_revisit(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "review")
    refuse(fcli, f"投诉 {cid} 当前状态为「待回访」，不能归档（归档只适用于「待归档」状态）；归档前须回访且客户满意（tousu revisit）",
           "archive", cid, "--at", "2026-11-02 14:00")


def test_archive_after_an_unsatisfied_revisit(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "review")
    ok(fcli("revisit", cid, "--unsatisfied", "--reason", "还是没解决", "--at", "2026-11-02 14:00"))
    refuse(fcli, f"投诉 {cid} 当前状态为「待派发」，不能归档（归档只适用于「待归档」状态）；归档前须回访且客户满意（tousu revisit）",
           "archive", cid, "--at", "2026-11-02 15:00")


def test_dispatch_while_in_hand(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "dispatch")
    refuse(fcli, f"投诉 {cid} 当前状态为「处理中」，不能派发（派发只适用于「待派发」状态）；"
                 "处理中的工单如不属本单位，应由该单位先退回（tousu return）",
           "dispatch", cid, "--unit", "东城供电所", "--at", "2026-11-02 11:00")


def test_step_dated_before_the_previous_step(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "dispatch")  # dispatched 10:00
    refuse(fcli, "联系时间 2026-11-02 09:59 早于上一步「派发」的时间 2026-11-02 10:00，请检查 --at",
           "contact", cid, "--at", "2026-11-02 09:59")


def test_dispatch_dated_before_intake(fcli: Cli, cid: str) -> None:
    refuse(fcli, "派发时间 2026-11-02 08:00 早于上一步「受理」的时间 2026-11-02 09:00，请检查 --at",
           "dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 08:00")


def test_step_in_the_future(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "dispatch")
    before = snapshot(fcli.data)
    r = fcli("contact", cid, "--at", "2099-01-01 10:00")
    assert r.exit_code == 2
    assert re.fullmatch(r"错误：联系时间 2099-01-01 10:00 晚于当前时间 \d{4}-\d\d-\d\d \d\d:\d\d，不能预先登记\n", r.stderr)
    assert snapshot(fcli.data) == before


def test_add_in_the_future(fcli: Cli) -> None:
    r = fcli("add", "--received-at", "2099-01-01 10:00", "--channel", "来电", "--name", "王", "--phone",
             "13912345678", "--item", "服务态度", "--content", "x")
    assert r.exit_code == 2 and "受理时间 2099-01-01 10:00 晚于当前时间" in r.stderr
    assert snapshot(fcli.data) == {"org.yaml": (fcli.data / "org.yaml").read_bytes()}


def test_grade_cannot_lower_or_repeat(fcli: Cli, cid: str) -> None:
    ok(fcli("grade", cid, "--severity", "严重", "--at", "2026-11-02 09:10"))
    refuse(fcli, f"投诉 {cid} 的事件等级已是「严重」，只能提高（可选：重大）",
           "grade", cid, "--severity", "一般", "--at", "2026-11-02 09:20")
    refuse(fcli, f"投诉 {cid} 的事件等级已是「严重」，只能提高（可选：重大）",
           "grade", cid, "--severity", "严重", "--at", "2026-11-02 09:20")


def test_grade_unknown_severity(fcli: Cli, cid: str) -> None:
    refuse(fcli, "事件等级「特大」无效，可选：一般、严重、重大；您是不是要找：重大？", "grade", cid, "--severity", "特大")


def test_notify_on_an_ordinary_event(fcli: Cli, cid: str) -> None:
    refuse(fcli, f"投诉 {cid} 的事件等级为「一般」，只有严重或重大投诉事件需要上报（第十九条）；"
                 f"如需定级请用 tousu grade {cid} --severity 严重",
           "notify", cid, "--at", "2026-11-02 09:30")


def test_notify_twice(fcli: Cli, cid: str) -> None:
    ok(fcli("grade", cid, "--severity", "严重", "--at", "2026-11-02 09:10"))
    ok(fcli("notify", cid, "--at", "2026-11-02 09:20", "--by", "赵六"))
    refuse(fcli, f"投诉 {cid} 已于 2026-11-02 09:20 由 赵六 上报，不能重复上报", "notify", cid,
           "--at", "2026-11-02 09:30")
    ok(fcli("grade", cid, "--severity", "重大", "--at", "2026-11-02 09:40"))  # raised again: report again
    ok(fcli("notify", cid, "--at", "2026-11-02 09:50"))


def test_return_after_reply(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "reply")
    refuse(fcli, f"投诉 {cid} 当前状态为「待审核」，不能退回（退回只适用于「处理中」状态）",
           "return", cid, "--reason", "不属本所", "--at", "2026-11-02 12:30")


def test_return_after_a_rejected_reply(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "reply")
    ok(fcli("review", cid, "--reject", "--reason", "原因不清", "--at", "2026-11-02 12:30"))
    refuse(fcli, f"投诉 {cid} 已由城关供电所答复，不能再退回",
           "return", cid, "--reason", "不属本所", "--at", "2026-11-02 12:40")


def test_double_contact(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "contact")  # contacted 11:00 by 张三 (TOUSU_USER)
    refuse(fcli, f"投诉 {cid} 已于 2026-11-02 11:00 由 张三 登记首次联系，不能重复登记",
           "contact", cid, "--at", "2026-11-02 11:30")


def test_review_reject_needs_a_reason(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "reply")
    refuse(fcli, "缺少驳回理由，请用 --reason 给出", "review", cid, "--reject", "--at", "2026-11-02 12:30")


def test_return_needs_a_reason(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "dispatch")
    refuse(fcli, "缺少退回理由（第十七条：应说明理由），请用 --reason 给出",
           "return", cid, "--reason", " ", "--at", "2026-11-02 10:30")


def test_archive_twice_and_steps_after_archive(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "archive")
    refuse(fcli, f"投诉 {cid} 当前状态为「已归档」，不能归档（归档只适用于「待归档」状态）；归档前须回访且客户满意（tousu revisit）",
           "archive", cid, "--at", "2026-11-02 16:00")
    refuse(fcli, f"投诉 {cid} 已归档，不能再定级", "grade", cid, "--severity", "严重", "--at", "2026-11-02 16:00")


def test_extend_must_be_later_than_the_current_deadline(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "dispatch")
    refuse(fcli, "延期至 2026-11-05 24:00 不晚于现在的答复期限 2026-11-06 24:00，无需延期",
           "extend", cid, "--until", "2026-11-05", "--reason", "复杂", "--approved-by", "王五",
           "--at", "2026-11-03 09:00")


def test_extend_needs_a_known_approver(fcli: Cli, cid: str) -> None:
    walk(fcli, cid, "dispatch")
    before = snapshot(fcli.data)
    r = fcli("extend", cid, "--until", "2026-11-20", "--reason", "复杂", "--approved-by", "钱八",
             "--at", "2026-11-03 09:00")
    assert r.exit_code == 2
    assert "人员「钱八」不在组织机构" in r.stderr and "已有的人员：李四、赵六、孙七、王五" in r.stderr
    assert snapshot(fcli.data) == before


def test_a_refusal_leaves_the_history_as_it_was(fcli: Cli, cid: str, data_dir: Path) -> None:
    walk(fcli, cid, "contact")
    fcli("contact", cid, "--at", "2026-11-02 11:30")
    fcli("dispatch", cid, "--unit", "东城供电所", "--at", "2026-11-02 11:30")
    c = Store(data_dir).load(cid)
    assert [e.action for e in c.history] == ["add", "dispatch", "contact"]
    assert c.state == "dispatched" and c.unit == "城关供电所"
