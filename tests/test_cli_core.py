"""The CLI's foundation (SPEC §4): bad input refused in Chinese, China time on any machine, init and a whole walk."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import Cli
from foundation_helpers import fcli, ok, record_path, refused, rules_file, show, snapshot, stage  # noqa: F401
from tousu.domain.workdays import WorkCalendar
from tousu.cli import app
from tousu.domain.deadlines import working_day_deadline
from tousu.storage.store import Store

ADD = {"--received-at": "2026-11-02 09:00", "--channel": "来电", "--name": "王小明", "--phone": "13912345678",
       "--item": "服务态度", "--content": "抄表员态度生硬"}


def add_args(**changes: str | None) -> list[str]:
    fields = dict(ADD)
    for k, v in changes.items():
        key = "--" + k.replace("_", "-")
        if v is None:
            fields.pop(key, None)
        else:
            fields[key] = v
    return ["add"] + [x for kv in fields.items() for x in kv]


def refuse_add(cli: Cli, message: str, **changes: str | None) -> None:
    before = snapshot(cli.data)
    refused(cli(*add_args(**changes)), message)
    assert snapshot(cli.data) == before
    assert list((cli.data / "complaints").rglob("*")) == []


# ------------------------------------------------------------ bad input to add

ITEMS = ("服务规范类：服务态度、服务规范；营销管理类：抄表质量、营业收费、电费电价、催收电费、电能计量、报装接电；"
         "运行维护类：故障处理、供电质量、停电公告、电器损坏、安全隐患、施工质量、环保、电网改造；供电方宣传责任类：宣传不到位")


@pytest.mark.parametrize(("changes", "message"), [
    ({"channel": "传真"}, "受理渠道「传真」无效，可选：来电、来信、来访、互联网、其他"),
    ({"item": "电价太高"}, f"投诉项「电价太高」无效，可选（第十条）：{ITEMS}；您是不是要找：电费电价？"),
    ({"category": "其他类"}, "投诉大类「其他类」无效，可选：服务规范类、营销管理类、运行维护类、供电方宣传责任类"),
    ({"category": "营销管理类"}, "投诉项「服务态度」不属于「营销管理类」，而属于「服务规范类」；"
                                "「营销管理类」的投诉项：抄表质量、营业收费、电费电价、催收电费、电能计量、报装接电"),
    ({"attitude": "愤怒"}, "客户态度程度「愤怒」无效，可选（第十四条）：平和、不满、情绪激动、态度坚决"),
    ({"severity": "特大"}, "事件等级「特大」无效，可选：一般、严重、重大；您是不是要找：重大？"),
    ({"escalated_to": "市长信箱"}, "越级投诉渠道「市长信箱」无效，可选（第二十五条）：国家电网公司、国家能源局派出机构/12398、"
                                  "政府热线、省公司、新闻媒体、其他"),
    ({"received_at": "2026-13-01"}, "--received-at：时间「2026-13-01」不是有效的日期时间：月份「13」应为 1–12"),
    ({"received_at": "2026-02-30 10:00"}, "--received-at：时间「2026-02-30 10:00」不是有效的日期时间：2026年2月只有28天"),
    ({"received_at": "2026-11-31"}, "--received-at：时间「2026-11-31」不是有效的日期时间：11月只有30天"),
    ({"received_at": "昨天"}, "--received-at：时间「昨天」无法识别，应为 YYYY-MM-DD HH:MM"
                              "（如 2026-11-26 09:30，也接受 ISO 8601、2026/11/26 9:30、2026年11月26日 09:30），"
                              "或 15:00（今天）、11-23 14:30（今年）、昨天 15:00、前天 9:30"),
    ({"phone": "abc"}, "联系电话「abc」无效，应为手机号 11 位（如 13912345678、139 1234 5678、+86 139-1234-5678），"
                       "或座机号 区号+7至8位号码（如 023-12345678、(0571)8765432、010 12345678 转 123）"),
    ({"content": "  "}, "缺少诉求内容，请用 --content 给出"),
])
def test_add_refuses_bad_values(fcli: Cli, changes: dict, message: str) -> None:
    refuse_add(fcli, message, **changes)


def test_add_missing_fields_without_a_terminal_does_not_prompt(fcli: Cli) -> None:
    refuse_add(fcli, "缺少必填项：客户姓名（--name）、投诉项（--item）、诉求内容（--content）",
               name=None, item=None, content=None)


def test_add_nothing_at_all_without_a_terminal(fcli: Cli) -> None:
    before = snapshot(fcli.data)
    r = fcli("add", input="王小明\n")
    refused(r, "缺少必填项：受理渠道（--channel）、客户姓名（--name）、联系电话（--phone）、投诉项（--item）、诉求内容（--content）")
    assert "受理渠道（" not in r.stdout  # no prompt
    assert snapshot(fcli.data) == before


def test_add_prints_only_the_id_on_stdout(fcli: Cli, data_dir: Path) -> None:
    r = fcli(*add_args(escalated_to="政府热线", ref="95598-001", attitude="情绪激动"))
    ok(r)
    assert r.stdout == "TS202611020001\n"
    c = Store(data_dir).load("TS202611020001")
    assert (c.category, c.item, c.attitude, c.escalated_to, c.ref) == \
        ("服务规范类", "服务态度", "情绪激动", ("政府热线",), "95598-001")
    assert c.received_by == "张三" and c.history[0].by == "张三"


# ------------------------------------------------------------ other bad input


@pytest.mark.parametrize("bad", ["../x", "TS2026110200", "TS202611020001.yaml", "../../etc/passwd"])
def test_show_refuses_what_is_not_an_id(fcli: Cli, bad: str) -> None:
    refused(fcli("show", bad), f"编号「{bad}」不是投诉编号，应为 TS+受理日期(8位)+序号(4位)，如 TS202611260001；"
                               "也不是已登记的95598工单编号（可用 tousu find 查找）")


def test_unknown_id(fcli: Cli, data_dir: Path) -> None:
    before = snapshot(data_dir)
    r = fcli("contact", "TS202611029999", "--at", "2026-11-02 10:00")
    assert r.exit_code == 2
    path = record_path(data_dir, "TS202611029999")
    assert r.stderr == f"错误：找不到投诉「TS202611029999」（{path}）；用 tousu list 查看已有的投诉\n"
    assert snapshot(data_dir) == before
    assert not path.parent.exists()


def test_unknown_format(fcli: Cli) -> None:
    cid = fcli.add()
    for args in (("show", cid), ("list",), ("check-overdue",)):
        refused(fcli(*args, "--format", "xml"), "输出格式「xml」无效，可选：table、json")


def test_unknown_list_state(fcli: Cli) -> None:
    refused(fcli("list", "--state", "已完成"), "状态「已完成」无效，可选：待派发、处理中、待审核、待回访、待归档、已归档、已作废")


def test_unknown_unit(fcli: Cli, data_dir: Path) -> None:
    cid = fcli.add()
    before = snapshot(data_dir)
    refused(fcli("dispatch", cid, "--unit", "西城供电所", "--at", "2026-11-02 09:30"),
            f"单位「西城供电所」不在组织机构（{data_dir / 'org.yaml'}）中，已有的单位：城关供电所、东城供电所、客户服务中心、市场营销部"
            "；您是不是要找：城关供电所、东城供电所？")
    assert snapshot(data_dir) == before


def test_impossible_at(fcli: Cli, data_dir: Path) -> None:
    cid = fcli.add()
    before = snapshot(data_dir)
    refused(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-02-30 10:00"),
            "--at：时间「2026-02-30 10:00」不是有效的日期时间：2026年2月只有28天")
    assert snapshot(data_dir) == before


def test_missing_data_folder(tmp_path: Path, rules_file: Path) -> None:
    missing = tmp_path / "nowhere"
    r = Cli(missing, rules_file)("list")
    refused(r, f"数据目录「{missing}」不存在；用 tousu init {missing} 创建，或用 --data / TOUSU_DATA 指定")
    assert not missing.exists()


def test_missing_rules_file(fcli: Cli, data_dir: Path, tmp_path: Path) -> None:
    fcli.add()
    wrong = Cli(data_dir, tmp_path / "nope.yaml")
    for args in (("list",), ("check-overdue", "--at", "2026-11-02 09:10"), ("show", "TS202611020001")):
        refused(wrong(*args), f"找不到规则文件「{tmp_path / 'nope.yaml'}」（--rules 或环境变量 TOUSU_RULES）")


# ------------------------------------------------------------ China time on any machine


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/New_York"])
def test_now_is_china_time_whatever_the_machines_zone(fcli: Cli, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                      zone: str) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    assert time.localtime().tm_gmtoff != 8 * 3600
    r = fcli(*add_args(received_at=None))
    ok(r)
    cid = r.stdout.strip()
    china_now = datetime.now(timezone(timedelta(hours=8)))
    c = Store(data_dir).load(cid)
    text = record_path(data_dir, cid).read_text(encoding="utf-8")
    assert f"received_at: '{c.received_at.isoformat()}'" in text or f"received_at: {c.received_at.isoformat()}" in text
    assert c.received_at.isoformat().endswith("+08:00")
    assert abs(c.received_at - china_now) < timedelta(minutes=2)
    # the ID carries the China date of 受理, whatever the local date
    received = c.received_at
    assert cid.startswith(f"TS{received:%Y%m%d}")
    ok(fcli("dispatch", cid, "--unit", "城关供电所"))
    data = show(fcli, cid, at=received.isoformat())
    dispatched = datetime.fromisoformat(stage(data, "contact")["started"])
    assert dispatched.utcoffset() == timedelta(hours=8)
    want = working_day_deadline(dispatched, 1, WorkCalendar())
    assert stage(data, "contact")["deadline"] == want.at.isoformat()
    assert stage(data, "dispatch")["deadline"] == (received + timedelta(hours=1)).isoformat()


def test_at_with_an_offset_is_converted_to_china_time(fcli: Cli, data_dir: Path) -> None:
    r = fcli(*add_args(received_at="2026-11-02T20:30:00-05:00"))  # New York evening = China next morning
    ok(r)
    assert r.stdout.strip() == "TS202611030001"
    c = Store(data_dir).load("TS202611030001")
    assert c.received_at.isoformat() == "2026-11-03T09:30:00+08:00"
    ok(fcli("dispatch", "TS202611030001", "--unit", "城关供电所", "--at", "2026-11-03T02:00:00Z"))
    assert Store(data_dir).load("TS202611030001").history[-1].at.isoformat() == "2026-11-03T10:00:00+08:00"


# ------------------------------------------------------------ init, then a whole walk


def test_init_then_a_whole_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str):  # noqa: ANN202
        return runner.invoke(app, list(args), catch_exceptions=False)

    r = run("init")
    ok(r)
    assert (tmp_path / "data" / "org.yaml").is_file() and (tmp_path / "data" / "complaints").is_dir()
    assert (tmp_path / "rules.yaml").is_file()
    r = run("init")
    refused(r, f"{Path('data') / 'org.yaml'} 已存在，未做任何改动")

    r = run(*add_args())
    ok(r)
    cid = r.stdout.strip()
    assert cid == "TS202611020001"
    store = Store(tmp_path / "data")
    steps = [
        (("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:40"), "dispatched"),
        (("contact", cid, "--at", "2026-11-02 15:00", "--by", "李四"), "dispatched"),
        (("reply", cid, "--verified", "--responsible", "--cause", "抄表员解释不耐心", "--process", "上门致歉",
          "--measures", "培训", "--at", "2026-11-04 10:00", "--by", "李四"), "replied"),
        (("review", cid, "--at", "2026-11-04 11:00", "--by", "王五"), "reviewed"),
        (("revisit", cid, "--satisfied", "--at", "2026-11-04 16:00", "--by", "王五"), "revisited"),
        (("archive", cid, "--at", "2026-11-04 17:00", "--by", "王五"), "archived"),
    ]
    for args, state in steps:
        ok(run(*args))
        assert store.load(cid).state == state, args
    c = store.load(cid)
    assert [e.action for e in c.history] == ["add", "dispatch", "contact", "reply", "review", "revisit", "archive"]
    assert c.counted and c.unit == "城关供电所" and c.revisit_result == "满意"
    r = run("show", cid, "--format", "json", "--at", "2026-11-05 00:00")
    ok(r)
    data = json.loads(r.stdout)
    assert data["state"] == "archived"
    assert {s["stage"]: s["status"] for s in data["stages"]} == \
        {"dispatch": "met", "contact": "met", "reply": "met", "review": "met", "revisit": "met"}
    r = run("check-overdue", "--format", "json", "--at", "2026-11-30 00:00")
    assert r.exit_code == 0 and json.loads(r.stdout)["overdue"] == []
    r = run("list", "--format", "json", "--state", "已归档")
    ok(r)
    assert [x["id"] for x in json.loads(r.stdout)] == [cid]


# ------------------------------------------------------------ list


def test_list_filters(fcli: Cli, data_dir: Path) -> None:
    a = fcli.add()
    b = fcli.add(item="电费电价")
    c = fcli.add(received_at="2026-10-15 09:00", item="故障处理")
    ok(fcli("dispatch", a, "--unit", "城关供电所", "--at", "2026-11-02 09:30"))
    ok(fcli("dispatch", b, "--unit", "东城供电所", "--at", "2026-11-02 09:30"))
    ok(fcli("contact", b, "--at", "2026-11-02 10:00"))

    def ids(*args: str) -> list[str]:
        r = fcli("list", "--format", "json", "--at", "2026-11-04 08:00", *args)
        ok(r)
        return [x["id"] for x in json.loads(r.stdout)]

    assert ids() == [c, a, b]
    assert ids("--month", "2026-11") == [a, b]
    assert ids("--month", "2026-10") == [c]
    assert ids("--unit", "东城供电所") == [b]
    assert ids("--state", "待派发") == [c] == ids("--state", "pending_dispatch")
    assert ids("--category", "营销管理类") == [b] == ids("--category", "电费电价")
    assert ids("--overdue") == [c, a]  # c never dispatched; a never contacted (due 11-03 24:00)
    r = fcli("list", "--format", "json", "--at", "2026-11-04 08:00", "--unit", "东城供电所")
    row = json.loads(r.stdout)[0]
    assert (row["state"], row["next_stage"], row["next_deadline"]) == ("dispatched", "reply", "2026-11-07T00:00:00+08:00")


@pytest.mark.parametrize(("args", "message"), [
    (("--month", "2026-13"), "--month：月份「2026-13」无效，应为 YYYY-MM（如 2026-11）"),
    (("--category", "水费"), "投诉大类或投诉项「水费」无效，可选：服务规范类、营销管理类、运行维护类、供电方宣传责任类、"
                            "服务态度、服务规范、抄表质量、营业收费、电费电价、催收电费、电能计量、报装接电、故障处理、供电质量、"
                            "停电公告、电器损坏、安全隐患、施工质量、环保、电网改造、宣传不到位；您是不是要找：营业收费、电费电价、催收电费？"),
])
def test_list_refuses_bad_filters(fcli: Cli, args: tuple[str, ...], message: str) -> None:
    refused(fcli("list", *args), message)


def test_list_refuses_an_unknown_unit(fcli: Cli, data_dir: Path) -> None:
    refused(fcli("list", "--unit", "西城供电所"),
            f"单位「西城供电所」不在组织机构（{data_dir / 'org.yaml'}）中，已有的单位：城关供电所、东城供电所、客户服务中心、市场营销部"
            "；您是不是要找：城关供电所、东城供电所？")


# ------------------------------------------------------------ what people type is shown as typed


def test_brackets_a_customer_types_are_shown_not_interpreted(fcli: Cli) -> None:
    """Rich markup in customer text ('[/]', '[bold]') must neither crash nor vanish."""
    r = fcli(*add_args(name="[bold]王[/bold]", content="电表[/]读数不对", address="[red]1号"))
    ok(r)
    cid = r.stdout.strip()
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:30", "--note", "[/]加急"))
    ok(fcli("contact", cid, "--at", "2026-11-02 10:00"))
    ok(fcli("extend", cid, "--until", "2026-11-20", "--reason", "[/]复杂", "--approved-by", "王五",
            "--at", "2026-11-03 09:00"))
    r = fcli("show", cid, "--at", "2026-11-03 10:00")
    ok(r)
    for text in ("[bold]王[/bold]", "电表[/]读数不对", "[red]1号", "[/]加急", "[/]复杂"):
        assert text in r.stdout, text
    r = fcli("list", "--at", "2026-11-03 10:00")
    ok(r)
    assert "[bold]王[/bold]" in r.stdout
    r = fcli("check-overdue", "--at", "2026-11-20 23:00")
    assert r.exit_code == 0 and "[/]复杂" in r.stdout


def test_brackets_in_a_bad_value_are_shown_in_the_message(fcli: Cli) -> None:
    refused(fcli(*add_args(channel="[/]")), "受理渠道「[/]」无效，可选：来电、来信、来访、互联网、其他")
