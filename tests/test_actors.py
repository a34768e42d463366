"""Who may record a unit's step (issue #9 §2): the unit's own staff, or a 职能部门 on its behalf."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Cli
from foundation_helpers import REPLY, fcli, ok, rules_file  # noqa: F401


def _dispatched(fcli: Cli) -> str:
    cid = fcli.add()
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:30"))
    return cid


def test_staff_of_another_station_cannot_record_its_contact(fcli: Cli, data_dir: Path) -> None:
    cid = _dispatched(fcli)
    before = sorted(p.read_bytes() for p in data_dir.rglob("TS*.yaml"))
    r = fcli("contact", cid, "--by", "孙七", "--at", "2026-11-02 10:00")
    assert r.exit_code == 2
    assert "孙七是东城供电所的人员，投诉 TS202611020001 派发给城关供电所" in r.stderr
    assert sorted(p.read_bytes() for p in data_dir.rglob("TS*.yaml")) == before


def test_the_stations_own_staff_and_names_outside_org_yaml_record_as_before(fcli: Cli) -> None:
    cid = _dispatched(fcli)
    ok(fcli("contact", cid, "--by", "李四", "--at", "2026-11-02 10:00"))
    ok(fcli("reply", cid, *REPLY, "--by", "临时工小周", "--at", "2026-11-03 10:00"))


def test_a_functional_department_records_on_the_units_behalf_and_the_record_says_so(fcli: Cli) -> None:
    cid = _dispatched(fcli)
    r = fcli("contact", cid, "--by", "王五", "--at", "2026-11-02 10:00", "--note", "电话联系")
    ok(r)
    assert "市场营销部王五代城关供电所登记" in r.stderr
    shown = json.loads(fcli("show", cid, "--format", "json").stdout)
    contact = [e for e in shown["history"] if e["action"] == "contact"][0]
    assert contact["note"] == "电话联系（市场营销部王五代城关供电所登记）"


@pytest.mark.parametrize("env, warned", [({"TOUSU_USER": "张三"}, False), ({"TOUSU_USER": None}, True)])
def test_by_falling_back_to_the_login_name_says_so(fcli: Cli, monkeypatch: pytest.MonkeyPatch,
                                                   env: dict, warned: bool) -> None:
    for k, v in env.items():
        monkeypatch.delenv(k, raising=False) if v is None else monkeypatch.setenv(k, v)
    monkeypatch.setattr("getpass.getuser", lambda: "root")
    cid = _dispatched(fcli)
    r = fcli("contact", cid, "--at", "2026-11-02 10:00")
    ok(r)
    assert ("经办人按登录名「root」记录" in r.stderr) is warned


def test_an_add_entered_after_the_hour_says_the_dispatch_deadline_has_passed(fcli: Cli) -> None:
    r = fcli("add", "--received-at", "2026-11-02 09:00", "--channel", "来电", "--name", "王小明",
             "--phone", "13912345678", "--item", "服务态度", "--content", "抄表员态度生硬")
    ok(r)
    assert "派发（第十四条）期限 2026-11-02 10:00 已过" in r.stderr and "请在 1 小时内" not in r.stderr
