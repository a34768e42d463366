"""Corrections on the record, who owes the next step, side-step tracks, 催办 (issue #9, SPEC §2, §3)."""

from __future__ import annotations

import json

from conftest import Cli
from foundation_helpers import refuse, REPLY, check, fcli, ok, record_path, refused, rules_file, show, snapshot, walk  # noqa: F401


# ---------------------------------------------------------------- undo (撤销)


def test_undo_then_redo_of_a_contact(fcli: Cli) -> None:
    cid = fcli.add()
    walk(fcli, cid, "contact")  # dispatched 10:00, contacted 11:00 (by the wrong person)
    ok(fcli("undo", cid, "--reason", "误登记：实际由李四联系", "--at", "2026-11-02 11:30"))
    data = show(fcli, cid, "2026-11-02 11:40")
    assert data["state"] == "dispatched"
    assert [s["status"] for s in data["stages"] if s["stage"] == "contact"] == ["pending"]
    assert data["history"][2]["action"] == "contact" and data["history"][2]["withdrawn"] is True
    assert data["history"][3]["action"] == "undo" and data["history"][3]["withdrawn"] == "contact"
    # The real contact, at 11:10, before the undo was recorded: compared with the dispatch it follows.
    ok(fcli("contact", cid, "--at", "2026-11-02 11:10", "--by", "李四"))
    data = show(fcli, cid, "2026-11-02 11:40")
    assert [(s["stage"], s["done_at"]) for s in data["stages"] if s["stage"] == "contact"] == \
        [("contact", "2026-11-02T11:10:00+08:00")]
    r = fcli("show", cid, "--at", "2026-11-02 11:40")
    assert "首次联系（已撤销）" in r.stdout and "撤销 2026-11-02 11:00 的「首次联系」" in r.stdout


def test_undo_is_repeatable_and_stops_at_the_intake(fcli: Cli) -> None:
    cid = fcli.add()
    walk(fcli, cid, "contact")
    ok(fcli("undo", cid, "--reason", "误登记", "--at", "2026-11-02 12:00"))
    ok(fcli("undo", cid, "--reason", "派错单位", "--at", "2026-11-02 12:01"))
    assert show(fcli, cid, "2026-11-02 12:05")["state"] == "pending_dispatch"
    refuse(fcli, f"投诉 {cid} 只有受理，没有可撤销的步骤；录入有误或重复的投诉请用 tousu void {cid} --reason …",
           "undo", cid, "--reason", "再撤", "--at", "2026-11-02 12:02")


def test_undo_needs_a_reason(fcli: Cli) -> None:
    cid = fcli.add()
    walk(fcli, cid, "dispatch")
    refuse(fcli, "缺少撤销理由，请用 --reason 给出", "undo", cid, "--at", "2026-11-02 12:00")


# ---------------------------------------------------------------- void (作废)


def test_void_then_add_the_same_day_gets_a_new_id(fcli: Cli) -> None:
    first = fcli.add()
    ok(fcli("void", first, "--reason", "重复受理", "--at", "2026-11-02 09:30"))
    second = fcli.add(phone="13800001111")
    assert second != first and second == "TS202611020002"
    # Even after the voided file is deleted by hand, its number is never given again.
    record_path(fcli.data, second).unlink()
    third = fcli.add(phone="13800002222")
    assert third == "TS202611020003"


def test_a_voided_complaint_leaves_counts_lists_and_deadlines(fcli: Cli) -> None:
    cid = fcli.add()
    ok(fcli("void", cid, "--reason", "误录", "--at", "2026-11-02 09:10"))
    r, rep = check(fcli, "2026-11-05 00:00")
    assert r.exit_code == 0 and rep["overdue"] == []
    assert cid not in fcli("list").stdout
    assert cid in fcli("list", "--state", "已作废").stdout
    data = json.loads(fcli("report", "--month", "2026-11", "--format", "json", "--at", "2026-12-01 00:00").stdout)
    assert data["received"] == 0
    assert [(v["id"], v["reason"]) for v in data["voided"]] == [(cid, "误录")]
    refuse(fcli, f"投诉 {cid} 当前状态为「已作废」，不能派发（派发只适用于「待派发」状态）",
           "dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 10:00")
    refuse(fcli, f"投诉 {cid} 已于 2026-11-02 09:10 作废（误录），不能再作废",
           "void", cid, "--reason", "again", "--at", "2026-11-02 10:00")


# ---------------------------------------------------------------- correct (更正)


def test_correct_a_phone_shows_old_and_new(fcli: Cli) -> None:
    cid = fcli.add()
    ok(fcli("correct", cid, "--field", "phone", "--value", "13900001111", "--reason", "客户来电更正",
            "--at", "2026-11-02 09:20"))
    data = show(fcli, cid, "2026-11-02 09:30")
    assert data["customer"]["phone"] == "13900001111"
    last = {k: v for k, v in data["history"][-1].items() if k != "seal"}
    assert last == {"action": "correct", "at": "2026-11-02T09:20:00+08:00", "by": "张三",
                    "reason": "客户来电更正", "fact": "phone", "old": "13912345678", "new": "13900001111"}
    assert "更正联系电话：13912345678 → 13900001111（客户来电更正）" in fcli("show", cid).stdout


def test_correct_the_item_moves_the_category(fcli: Cli) -> None:
    cid = fcli.add()
    ok(fcli("correct", cid, "--field", "投诉项", "--value", "电费电价", "--reason", "分类错", "--at", "2026-11-02 09:20"))
    data = show(fcli, cid, "2026-11-02 09:30")
    assert (data["category"], data["item"]) == ("营销管理类", "电费电价")


def test_correct_received_at_within_the_day(fcli: Cli) -> None:
    cid = fcli.add()
    ok(fcli("correct", cid, "--field", "received_at", "--value", "2026-11-02 08:40", "--reason", "实为08:40来电",
            "--at", "2026-11-02 09:20"))
    data = show(fcli, cid, "2026-11-02 09:30")
    assert data["received_at"] == "2026-11-02T08:40:00+08:00"
    assert data["stages"][0]["deadline"] == "2026-11-02T09:40:00+08:00"
    refuse(fcli, f"受理时间 2026-11-03 08:40 不在编号 {cid} 所示的受理日 2026-11-02；受理日期有误的投诉请作废后重新受理（tousu void）",
           "correct", cid, "--field", "received_at", "--value", "2026-11-03 08:40", "--reason", "x",
           "--at", "2026-11-02 09:25")


def test_correct_refusals(fcli: Cli) -> None:
    cid = fcli.add()
    refuse(fcli, "更正字段「mobile」无效，可选：name（客户姓名）、phone（联系电话）、address（客户地址）、account（户号）、"
                 "item（投诉项）、content（诉求内容）、ref（95598工单编号）、channel（受理渠道）、received_at（受理时间）",
           "correct", cid, "--field", "mobile", "--value", "1", "--reason", "x")
    refuse(fcli, "受理渠道「微信」无效，可选：来电、来信、来访、互联网、其他",
           "correct", cid, "--field", "channel", "--value", "微信", "--reason", "x")
    refuse(fcli, "缺少更正理由，请用 --reason 给出", "correct", cid, "--field", "name", "--value", "王大明")
    refuse(fcli, f"投诉 {cid} 的客户姓名已是「王小明」，无需更正",
           "correct", cid, "--field", "name", "--value", "王小明", "--reason", "x")


# ---------------------------------------------------------------- who owes the next step


def test_late_review_is_charged_to_marketing(fcli: Cli) -> None:
    cid = fcli.add()
    walk(fcli, cid, "reply")  # replied 2026-11-02 12:00, never reviewed
    r, rep = check(fcli, "2026-11-03 13:00")
    assert r.exit_code == 1
    rows = [(o["id"], o["stage"], o["owner"], o["deadline"]) for o in rep["overdue"]]
    assert rows == [(cid, "review", "市场营销部", "2026-11-03T12:00:00+08:00")]


def test_revisit_clock_may_start_at_the_review(data_dir, rules_file) -> None:  # noqa: ANN001
    text = rules_file.read_text(encoding="utf-8").replace(
        "  due_soon_hours: 24\n", "  due_soon_hours: 24\n  revisit: {starts: review}\n")
    assert "starts: review" in text
    rules_file.write_text(text, encoding="utf-8")
    cli = Cli(data_dir, rules_file)
    cid = cli.add()
    walk(cli, cid, "review")  # replied 12:00, reviewed 13:00
    revisit = [s for s in show(cli, cid)["stages"] if s["stage"] == "revisit"][0]
    assert revisit["deadline"] == "2026-11-03T13:00:00+08:00" and revisit["owner"] == "95598班"


# ---------------------------------------------------------------- tracks


def test_contact_at_0910_after_a_0930_notify(fcli: Cli) -> None:
    cid = fcli.add(received_at="2026-11-02 08:50")
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:00"))
    ok(fcli("grade", cid, "--severity", "严重", "--at", "2026-11-02 09:20"))
    ok(fcli("notify", cid, "--at", "2026-11-02 09:30"))
    ok(fcli("contact", cid, "--at", "2026-11-02 09:10", "--by", "李四"))
    refuse(fcli, "答复时间 2026-11-02 09:05 早于上一步「首次联系」的时间 2026-11-02 09:10，请检查 --at",
           "reply", cid, *REPLY, "--at", "2026-11-02 09:05")


def test_times_are_compared_at_minutes(fcli: Cli) -> None:
    cid = fcli.add()
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02T09:30:40+08:00"))
    ok(fcli("contact", cid, "--at", "2026-11-02 09:30"))  # the same minute as shown: not "09:30 早于 09:30"


# ---------------------------------------------------------------- 催办


def test_urge_names_the_owner_and_the_bulletin_counts_it(fcli: Cli) -> None:
    cid = fcli.add()
    walk(fcli, cid, "dispatch")
    r = fcli("urge", cid, "--at", "2026-11-02 10:30", "--note", "客户再次来电")
    ok(r)
    assert f"{cid} 已催办城关供电所（首次联系客户）。" in r.stderr
    data = json.loads(fcli("report", "--month", "2026-11", "--format", "json", "--at", "2026-12-01 00:00").stdout)
    assert data["urges_by_unit"] == {"城关供电所": 1}


def test_urge_with_nothing_pending(fcli: Cli) -> None:
    cid = fcli.add()
    walk(fcli, cid, "archive")
    refuse(fcli, f"投诉 {cid} 当前状态为「已归档」，没有待办环节可催办", "urge", cid, "--at", "2026-11-02 16:00")


# ---------------------------------------------------------------- the default time is taken under the lock


def test_default_time_is_taken_once_the_lock_is_held(fcli: Cli, monkeypatch) -> None:  # noqa: ANN001
    from datetime import datetime, timedelta

    from tousu.cli import context
    from tousu.storage import store
    from tousu.timeutil import CHINA

    cid = fcli.add(received_at="2026-11-30 09:00")
    clock = iter(datetime(2026, 11, 30, 10, 0, tzinfo=CHINA) + timedelta(minutes=i) for i in range(100))
    held: list[bool] = []
    locked = store._locked
    state = {"in": False}

    def fake_now() -> datetime:
        held.append(state["in"])
        return next(clock)

    def spy(path):  # noqa: ANN001, ANN202
        import contextlib

        @contextlib.contextmanager
        def cm():  # noqa: ANN202
            with locked(path):
                state["in"] = True
                try:
                    yield
                finally:
                    state["in"] = False
        return cm()

    monkeypatch.setattr(context, "now_china", fake_now)
    monkeypatch.setattr(store, "_locked", spy)
    ok(fcli("dispatch", cid, "--unit", "城关供电所"))
    c = store.Store(fcli.data).load(cid)
    assert c.history[-1].action == "dispatch"
    assert held[-1] is True  # the time recorded was read under the lock


# ---------------------------------------------------------------- duplicate intake


def test_a_double_add_is_refused_and_allow_duplicate_insists(fcli: Cli) -> None:
    first = fcli.add(check_duplicate=True)
    refuse(fcli, f"与已受理的投诉 {first}（2026-11-02 09:00，服务态度）重复：同一联系电话、投诉项和诉求内容，24小时内；"
                 "如确需再次受理，请加 --allow-duplicate",
           "add", "--received-at", "2026-11-02 15:00", "--channel", "来电", "--name", "王小明",
           "--phone", "139-1234-5678", "--item", "服务态度", "--content", "抄表员态度生硬")
    r = fcli("add", "--received-at", "2026-11-02 15:00", "--channel", "来电", "--name", "王小明",
             "--phone", "13912345678", "--item", "服务态度", "--content", "抄表员态度生硬", "--allow-duplicate")
    ok(r)
    assert r.stdout.strip() == "TS202611020002"
    # Another day's call with the same words is not a duplicate; nor is a voided complaint's twin.
    assert fcli.add(received_at="2026-11-04 09:00", check_duplicate=True) == "TS202611040001"


def test_a_voided_twin_is_no_duplicate(fcli: Cli) -> None:
    first = fcli.add()
    ok(fcli("void", first, "--reason", "录错电话", "--at", "2026-11-02 09:05"))
    assert fcli.add(received_at="2026-11-02 09:10", check_duplicate=True) == "TS202611020002"
