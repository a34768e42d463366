"""New-user trial of the 95598 import: the order's state column wins over its unit column.

A 待派单 order that already names 95598's intended unit (供电单位) is not dispatched: 95598班 owes
the dispatch, judged from 受理时间; the unit stays visible in the intake's note and in --dry-run.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Cli
from test_excel import ok, records
from test_import_95598 import ORDERS, by_ref, export

WAITING = ("2511030009", "2025/11/03 09:00:00", "95598电话", "服务态度", "郑洁", 13800000009, "东城", 301234579,
           "营业员推诿", "东城供电所", None, None, None, None, None, None, "待派单")


def test_a_waiting_order_naming_its_unit_is_not_dispatched(cli: Cli, tmp_path: Path) -> None:
    xlsx = export(tmp_path / "95598.xlsx", orders=[WAITING])
    dry = cli("import", xlsx, "--dry-run")
    ok(dry)
    assert "工单状态：待派单 → 待派发（1 行）" in dry.stdout
    assert "供电单位：东城供电所 → 工单待派单，未派发，记入受理备注（1 行）" in dry.stdout
    ok(cli("import", xlsx))
    d = by_ref(cli.data)["2511030009"]
    assert "unit" not in d or not d["unit"]
    assert [e["action"] for e in d["history"]] == ["add"]
    assert d["history"][0]["note"] == "95598 拟派单位：东城供电所"
    r = cli("check-overdue", "--at", "2025-11-05 09:00", "--format", "json")
    rows = json.loads(r.stdout)["overdue"]
    assert [(row["stage"], row["owner"], row["deadline"]) for row in rows] == \
        [("dispatch", "95598班", "2025-11-03T10:00:00+08:00")]
    assert all(row.get("unit") in (None, "") for row in rows)


def test_a_waiting_order_is_late_for_95598_not_for_its_unit_in_the_bulletin(cli: Cli, tmp_path: Path) -> None:
    ok(cli("import", export(tmp_path / "95598.xlsx", orders=[WAITING])))
    r = cli("report", "--month", "2025-11", "--format", "json", "--at", "2025-12-01 09:00")
    ok(r)
    data = json.loads(r.stdout)
    assert data["late_by_owner"] == {"95598班": 1}
    assert [(row["stage"], row["owner"]) for row in data["late"]] == [("dispatch", "95598班")]
    assert data["by_unit"]["东城供电所"]["received"] == 0 and data["by_unit"]["东城供电所"]["late_stages"] == 0
