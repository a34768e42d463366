"""各单位处理质量 lists the same units as 三、按责任单位 (found in the trial week): a 职能部门 that received
nothing and owes nothing is not a row of dashes in one table while absent from the other."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from rich.console import Console

from conftest import Cli
from foundation_helpers import fcli, ok, rules_file  # noqa: F401
from tousu.terminal import report as report_table

AT = ("--at", "2026-12-01 00:00")


def _month(fcli: Cli) -> None:
    cid = fcli.add()
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:30"))
    ok(fcli("contact", cid, "--at", "2026-11-02 10:00"))


def _between(lines: list[str], title: str, following: str) -> str:
    """The rows (not the title) of the table under `title`, up to the next table's title."""
    start = next(i for i, ln in enumerate(lines) if ln.startswith(title))
    end = next(i for i, ln in enumerate(lines) if ln.startswith(following))
    return "\n".join(ln for ln in lines[start:end] if ln.startswith(("│", " ")))


def test_unit_rates_list_the_units_of_the_summary_in_the_terminal(fcli: Cli) -> None:
    _month(fcli)
    data = json.loads(fcli("report", "--month", "2026-11", "--format", "json", *AT).stdout)
    console = Console(record=True, width=80)
    report_table.month(console, data)
    lines = console.export_text().splitlines()
    units = _between(lines, "按责任单位", "各单位处理质量")
    rates = _between(lines, "各单位处理质量", "按受理渠道")
    assert "城关供电所" in units and "城关供电所" in rates
    assert "市场营销部" not in units and "市场营销部" not in rates, rates


def test_unit_rates_list_the_units_of_the_summary_in_the_xlsx(fcli: Cli, tmp_path: Path) -> None:
    _month(fcli)
    out = tmp_path / "通报.xlsx"
    ok(fcli("report", "--month", "2026-11", "-o", str(out), *AT))
    rows = [r[0] for r in openpyxl.load_workbook(out)["汇总"].iter_rows(values_only=True)]
    three, six = rows.index("责任单位"), next(i for i, v in enumerate(rows) if str(v or "").startswith("六、"))
    assert "城关供电所" in rows[three:six] and "城关供电所" in rows[six:]
    assert "市场营销部" not in rows[three:six] and "市场营销部" not in rows[six:], rows[six:]
