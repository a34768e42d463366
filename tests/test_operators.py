"""rules.yaml `operators:` makes --by strict (issue #9 §2; SPEC §2, §8).

Default (`open`): --by is recorded as given; a fallback to the login name warns, naming it. `strict`: --by
must be a person in org.yaml's staff; a list of names: one of them. Either way the name is matched as
people type it (张 → 张三), a missing --by falls back to TOUSU_USER or the login name only when that is a
valid name, and a refusal names the bad value and the valid ones, exits 2 and writes nothing.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from conftest import Cli
from foundation_helpers import refuse, FOUNDATION_RULES, REPLY, fcli, ok, refused, rules_file, show, snapshot, walk, write_rules  # noqa: F401

PENALTY = """\
penalties:
  - {id: attitude.poor, name: 态度冷淡、语言生硬, clause: 第二十四条（三）2（1）, min: 200, max: 500, charges: person, role: 责任人}
"""
STAFF = "李四、赵六、孙七、王五"


def strict_cli(data_dir: Path, tmp_path: Path, operators: str = "strict") -> Cli:
    return Cli(data_dir, write_rules(tmp_path, FOUNDATION_RULES + PENALTY + f"operators: {operators}\n"))


@pytest.fixture
def scli(data_dir: Path, tmp_path: Path) -> Cli:
    """A data folder whose rules.yaml says `operators: strict`, with one complaint dispatched to 城关供电所."""
    cli = strict_cli(data_dir, tmp_path)
    cli.add(by="王五")
    return cli


CID = "TS202611020001"


def test_default_records_any_name_as_given(fcli: Cli) -> None:
    cid = fcli.add()
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 10:00", "--by", "临时工小刘"))
    assert show(fcli, cid, "2026-11-02 10:05")["history"][-1]["by"] == "临时工小刘"


def test_default_fallback_to_the_login_name_warns_naming_it(fcli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cid = fcli.add()
    monkeypatch.delenv("TOUSU_USER")
    monkeypatch.setattr(getpass, "getuser", lambda: "clerk1")
    r = fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 10:00")
    ok(r)
    assert "注意：没有给出 --by，也没有设置环境变量 TOUSU_USER，经办人按登录名「clerk1」记录" in r.stderr
    assert show(fcli, cid, "2026-11-02 10:05")["history"][-1]["by"] == "clerk1"


def test_strict_takes_a_staff_name_as_people_type_it(scli: Cli) -> None:
    r = scli("dispatch", CID, "--unit", "城关供电所", "--at", "2026-11-02 10:00", "--by", " 王 ")
    ok(r)
    assert "经办人「王」按「王五」记录（--by）" in r.stderr
    ok(scli("contact", CID, "--at", "2026-11-02 11:00", "--by", "李四"))
    assert [e["by"] for e in show(scli, CID, "2026-11-02 11:05")["history"]] == ["王五", "王五", "李四"]


def test_strict_refuses_a_name_not_in_the_staff(scli: Cli) -> None:
    refuse(scli, "经办人「小李」（--by）不是组织机构（{}）中的人员（rules.yaml 的 operators: strict 要求经办人"
                 f"是其中的人员），可选：{STAFF}；您是不是要找：李四？".format(scli.data / "org.yaml"),
           "dispatch", CID, "--unit", "城关供电所", "--at", "2026-11-02 10:00", "--by", "小李")


def test_strict_refuses_a_missing_by_whose_fallback_is_no_staff(scli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    org = scli.data / "org.yaml"
    # conftest sets TOUSU_USER=张三, who is not in org.yaml
    refuse(scli, f"缺少经办人（--by）：rules.yaml 的 operators: strict 要求经办人是组织机构（{org}）中的人员，"
                 f"环境变量 TOUSU_USER「张三」不是；请用 --by 给出，可选：{STAFF}",
           "dispatch", CID, "--unit", "城关供电所", "--at", "2026-11-02 10:00")
    monkeypatch.delenv("TOUSU_USER")
    monkeypatch.setattr(getpass, "getuser", lambda: "root")
    refuse(scli, f"缺少经办人（--by）：rules.yaml 的 operators: strict 要求经办人是组织机构（{org}）中的人员，"
                 f"登录名「root」不是；请用 --by 给出，可选：{STAFF}",
           "dispatch", CID, "--unit", "城关供电所", "--at", "2026-11-02 10:00")


def test_strict_accepts_a_fallback_that_is_staff(scli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUSU_USER", "王五")
    ok(scli("dispatch", CID, "--unit", "城关供电所", "--at", "2026-11-02 10:00"))
    monkeypatch.delenv("TOUSU_USER")
    monkeypatch.setattr(getpass, "getuser", lambda: "李四")
    r = scli("contact", CID, "--at", "2026-11-02 11:00")
    ok(r)
    assert "经办人按登录名「李四」记录" in r.stderr  # the fallback is still named
    assert [e["by"] for e in show(scli, CID, "2026-11-02 11:05")["history"]][1:] == ["王五", "李四"]


def test_a_list_of_operators(data_dir: Path, tmp_path: Path) -> None:
    cli = strict_cli(data_dir, tmp_path, "[张三, 李四, 95598值班]")
    cid = cli.add()  # TOUSU_USER=张三 is in the list
    assert show(cli, cid)["history"][0]["by"] == "张三"
    r = cli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 10:00", "--by", "值班")
    ok(r)
    assert show(cli, cid, "2026-11-02 10:05")["history"][-1]["by"] == "95598值班"
    refuse(cli, "经办人「王五」（--by）不在 rules.yaml 的 operators 名单中，可选：张三、李四、95598值班",
           "contact", cid, "--at", "2026-11-02 11:00", "--by", "王五")


@pytest.mark.parametrize("value, message", [
    ("loose", "「operators」的值「loose」无效，可选：open、strict，或经办人姓名的列表"),
    ("[]", "「operators」的值「（0 项的列表）」无效，可选：open、strict，或经办人姓名的列表"),
    ("[张三, 张三]", "「operators」中「张三」重复"),
])
def test_a_wrong_operators_value_is_a_located_error(data_dir: Path, tmp_path: Path, value: str, message: str) -> None:
    cli = strict_cli(data_dir, tmp_path, value)
    r = cli("list")
    assert r.exit_code == 2 and message in r.stderr, r.stderr
    assert f"rules.yaml:{FOUNDATION_RULES.count(chr(10)) + PENALTY.count(chr(10)) + 1}:" in r.stderr


def test_strict_with_no_staff_says_what_to_do(data_dir: Path, tmp_path: Path) -> None:
    cli = strict_cli(data_dir, tmp_path)
    (data_dir / "org.yaml").write_text("units:\n  - {name: 城关供电所, kind: 基层单位}\n", encoding="utf-8")
    refuse(cli, f"rules.yaml 的 operators: strict 要求经办人是组织机构（{data_dir / 'org.yaml'}）中的人员，"
                "但其中没有 staff：请先在 org.yaml 的 staff 中列出经办人，或把 operators 改为 open",
           "add", "--received-at", "2026-11-02 09:00", "--channel", "来电", "--name", "王小明", "--phone",
           "13912345678", "--item", "服务态度", "--content", "态度差", "--by", "王五")


# Every command that records a step (SPEC §4: "every command that changes a record takes --by") obeys it.
STEPS = [
    ("add", "--received-at", "2026-11-02 09:30", "--channel", "来电", "--name", "赵大", "--phone", "13900001111",
     "--item", "服务态度", "--content", "又一件"),
    ("dispatch", CID, "--unit", "城关供电所"),
    ("contact", CID),
    ("return", CID, "--reason", "不属本所"),
    ("extend", CID, "--until", "2026-11-20", "--reason", "情况复杂", "--approved-by", "王五"),
    ("reply", CID, *REPLY),
    ("review", CID),
    ("revisit", CID, "--satisfied"),
    ("archive", CID),
    ("grade", CID, "--severity", "严重"),
    ("notify", CID),
    ("escalate", CID, "--to", "政府热线"),
    ("assess", CID, "--rule", "attitude.poor", "--person", "李四", "--amount", "300"),
    ("undo", CID, "--reason", "登记错了"),
    ("void", CID, "--reason", "重复受理"),
    ("correct", CID, "--field", "name", "--value", "王晓明", "--reason", "听错了"),
    ("urge", CID),
]


ARRANGE = {  # how far the complaint is taken first (foundation_helpers.walk), so that the step is allowed
    "contact": "dispatch", "return": "dispatch", "extend": "dispatch", "reply": "contact", "review": "reply",
    "revisit": "review", "archive": "revisit", "notify": "dispatch", "assess": "reply", "undo": "reply",
}


@pytest.mark.parametrize("args", STEPS, ids=[s[0] for s in STEPS])
def test_every_step_command_obeys_strict(data_dir: Path, tmp_path: Path, args: tuple[str, ...],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUSU_USER", "李四")  # the arranging steps: a valid fallback, not the name given below
    cli = strict_cli(data_dir, tmp_path)
    cli.add()
    if args[0] in ARRANGE:
        walk(cli, CID, ARRANGE[args[0]])
    if args[0] == "notify":  # 上报 is owed only by a 严重 or 重大 complaint
        ok(cli("grade", CID, "--severity", "严重", "--at", "2026-11-02 15:30"))
    extra = ("--at", "2026-11-02 16:00") if args[0] != "add" else ()
    refuse(cli, "经办人「小刘」（--by）不是组织机构（{}）中的人员（rules.yaml 的 operators: strict 要求经办人"
                f"是其中的人员），可选：{STAFF}".format(data_dir / "org.yaml"), *args, *extra, "--by", "小刘")
    # the refusal is the name's: the same command, allowed in this state, records its step by the staff name,
    # completed from the name as people type it (the command records what strict resolved, not what was typed)
    before = [] if args[0] == "add" else show(cli, CID, "2026-11-02 16:05")["history"]
    r = cli(*args, *extra, "--by", " 王 ")
    ok(r)
    assert "经办人「王」按「王五」记录（--by）" in r.stderr, r.stderr
    cid = r.stdout.strip().splitlines()[-1] if args[0] == "add" else CID
    after = show(cli, cid, "2026-11-02 16:05")["history"]
    step = lambda e: (e["action"], e["at"], e["by"])  # noqa: E731 - an undo marks the step it withdraws
    assert [step(e) for e in after[:-1]] == [step(e) for e in before], after
    assert after[-1]["action"] == args[0] and after[-1]["by"] == "王五", after[-1]
