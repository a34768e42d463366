"""作废 and 催办 in every bulletin a person reads (issue #9 §1, §5; SPEC §2, §6).

A voided complaint is listed once, under 作废 (ID, 受理时间, 作废原因, 作废人), and counted nowhere else;
the 催办 of the month are counted per unit urged, with a company total: in the terminal table, the xlsx
(汇总 and its own sheet, explained on 说明) and the Word 公文 alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
import openpyxl
import pytest
from rich.cells import cell_len

from conftest import Cli
from foundation_helpers import fcli, ok, rules_file  # noqa: F401

AT = ("--at", "2026-12-01 00:00")


@pytest.fixture
def month(fcli: Cli) -> tuple[Cli, str, str]:
    """November: one live complaint of 城关供电所 urged twice; one of 东城供电所, urged once, then voided."""
    kept = fcli.add()
    ok(fcli("dispatch", kept, "--unit", "城关供电所", "--at", "2026-11-02 09:30"))
    ok(fcli("urge", kept, "--at", "2026-11-02 15:00", "--note", "客户再次来电"))
    ok(fcli("urge", kept, "--at", "2026-11-03 09:00", "--by", "王五"))
    gone = fcli.add(received_at="2026-11-03 10:00", phone="13800001111", name="刘大伟", content="电费太高")
    ok(fcli("dispatch", gone, "--unit", "东城供电所", "--at", "2026-11-03 10:20"))
    ok(fcli("urge", gone, "--at", "2026-11-03 11:00"))
    ok(fcli("void", gone, "--reason", f"刘大伟同一诉求重复受理（同 {kept}）", "--at", "2026-11-03 11:30", "--by", "王五"))
    return fcli, kept, gone


def test_json_lists_the_void_once_and_counts_urges_per_unit(month: tuple[Cli, str, str]) -> None:
    cli, kept, gone = month
    data = json.loads(cli("report", "--month", "2026-11", "--format", "json", *AT).stdout)
    assert data["voided"] == [{"id": gone, "received_at": "2026-11-03T10:00:00+08:00", "item": "服务态度",
                               "at": "2026-11-03T11:30:00+08:00", "by": "王五",
                               "reason": f"刘*伟同一诉求重复受理（同 {kept}）"}]
    assert data["urges_by_unit"] == {"城关供电所": 2}  # the voided complaint's 催办 counts nowhere
    assert data["urges_total"] == 2
    assert data["received"] == 1 and data["by_unit"]["东城供电所"]["received"] == 0
    assert gone not in json.dumps({k: v for k, v in data.items() if k != "voided"}, ensure_ascii=False)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("│")[1:-1]]


def _terminal(cli: Cli) -> str:
    """The bulletin as `tousu report --month` prints it at an 80-column terminal."""
    from rich.console import Console

    from tousu.terminal import report as report_table

    data = json.loads(cli("report", "--month", "2026-11", "--format", "json", *AT).stdout)
    console = Console(record=True, width=80)
    report_table.month(console, data)
    return console.export_text()


def test_terminal_has_a_void_list_and_an_urge_column(month: tuple[Cli, str, str]) -> None:
    cli, kept, gone = month
    text = _terminal(cli)
    assert max(cell_len(ln) for ln in text.splitlines()) <= 80 and "…" not in text
    assert "作废工单（1 件" in cli("report", "--month", "2026-11", *AT).stdout  # the command itself, too
    lines = text.splitlines()
    units = lines[next(i for i, ln in enumerate(lines) if ln.startswith("按责任单位")):]
    head = next(ln for ln in units if "责任单位" in ln and "┃" in ln)
    assert [c.strip() for c in head.split("┃")[1:-1]][-1] == "催办"
    assert _cells(next(ln for ln in units if ln.startswith("│ 城关供电所")))[-1] == "2"
    assert _cells(next(ln for ln in units if ln.startswith("│ 东城供电所")))[-1] == "0"
    assert _cells(next(ln for ln in units if "合计" in ln))[-1] == "2"
    voided = lines[next(i for i, ln in enumerate(lines) if ln.startswith("作废工单")):]
    assert voided[0].rstrip() == "作废工单（1 件，误录或重复受理，不计入以上任何统计）"
    rows = [_cells(ln) for ln in voided if ln.startswith("│")]
    assert rows[0][:3] == [gone, "2026-11-03 10:00", "王五"] and rows[1][2] == "2026-11-03 11:30"
    assert "".join(r[3] for r in rows) == f"刘*伟同一诉求重复受理（同 {kept}）"
    assert "刘大伟" not in text
    assert text.count(gone) == 1  # listed once, nowhere else


def test_terminal_without_voids_or_urges_shows_zero_and_no_empty_list(fcli: Cli) -> None:
    cid = fcli.add()
    ok(fcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:30"))
    lines = _terminal(fcli).splitlines()
    assert _cells(next(ln for ln in lines if ln.startswith("│ 作废工单")))[:2] == ["作废工单（不计入统计）", "0"]
    assert _cells(next(ln for ln in lines if ln.startswith("│ 催办")))[:2] == ["催办（次）", "0"]
    assert not any(ln.startswith("作废工单（") for ln in lines)  # no empty list


def _sheet_text(ws) -> list[list]:  # noqa: ANN001
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_xlsx_has_an_urge_column_a_void_sheet_and_says_what_they_are(month: tuple[Cli, str, str],
                                                                     tmp_path: Path) -> None:
    cli, kept, gone = month
    out = tmp_path / "通报.xlsx"
    ok(cli("report", "--month", "2026-11", "-o", str(out), *AT))
    wb = openpyxl.load_workbook(out)
    summary = _sheet_text(wb["汇总"])
    head = next(r for r in summary if r[0] == "责任单位")
    col = head.index("催办（次）")
    assert next(r for r in summary if r[0] == "城关供电所")[col] == 2
    assert next(r for r in summary if r[0] == "东城供电所")[col] == 0
    assert next(r for r in summary if r[0] == "合计")[col] == 2
    void_row = next(r for r in summary if r[0] and str(r[0]).startswith("作废工单"))
    assert void_row[1] == 1
    second = next(i for i, r in enumerate(summary, 1) if str(r[0] or "").startswith("二、"))
    assert second - 1 in {b.id for b in wb["汇总"].row_breaks.brk}  # 一 grew past one page with 二: 二 starts the next
    rows = _sheet_text(wb["作废工单"])
    assert rows[0][0] == "2026-11 作废工单（误录或重复受理；不计入任何统计、时限和考核）"
    heads = next(r for r in rows if r[0] == "编号")
    assert heads[:6] == ["编号", "受理时间", "投诉项", "作废原因", "作废人", "作废时间"]
    row = next(r for r in rows if r[0] == gone)
    assert str(row[1]) == "2026-11-03 10:00:00" and row[3] == f"刘*伟同一诉求重复受理（同 {kept}）" and row[4] == "王五"
    where = [ws.title for ws in wb for r in ws.iter_rows(values_only=True) for v in r if v and gone in str(v)]
    assert where == ["作废工单"]  # counted nowhere else
    explained = {r[0]: r[1] for r in _sheet_text(wb["说明"]) if r[0]}
    assert "作废" in explained["作废工单"] and "不计入" in explained["作废工单"]
    assert "催办" in explained["催办"] and "95598班" in explained["催办"]


def _docx_tables(d) -> list[list[list[str]]]:  # noqa: ANN001
    return [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]


def test_docx_names_voids_and_urges(month: tuple[Cli, str, str], tmp_path: Path) -> None:
    cli, kept, gone = month
    out = tmp_path / "通报.docx"
    ok(cli("report", "--month", "2026-11", "-o", str(out), *AT))
    d = docx.Document(str(out))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "本月催办2次（城关供电所2次）" in text
    assert "作废工单1件（误录或重复受理），不计入以上任何统计" in text
    tables = _docx_tables(d)
    units = next(t for t in tables if "责任单位" in t[0] and "排名" in t[0])
    col = units[0].index("催办")
    assert next(r for r in units if r[1] == "城关供电所")[col] == "2"
    assert units[-1][1] == "合计" and units[-1][col] == "2"
    voided = next(t for t in tables if t[0][:4] == ["编号", "受理时间", "作废原因", "作废人"])
    assert voided[1][:4] == [gone, "2026-11-03 10:00", f"刘*伟同一诉求重复受理（同 {kept}）", "王五"]
    everywhere = text + json.dumps(tables, ensure_ascii=False)
    assert everywhere.count(gone) == 1 and "刘大伟" not in everywhere


def test_a_voided_complaint_carries_no_fine(cli: Cli) -> None:
    """Assessed, then found to be entered twice: its fine leaves the penalties and the 绩效 ledger too."""
    from foundation_helpers import walk

    cid = cli.add()
    walk(cli, cid, "reply")
    ok(cli("assess", cid, "--rule", "attitude.poor", "--person", "李四", "--amount", "300", "--at", "2026-11-05 10:00"))
    data = json.loads(cli("report", "--month", "2026-11", "--format", "json", *AT).stdout)
    assert [p["amount"] for p in data["penalties"]] == [300] and data["ledger"][0]["deducted"] == 300
    ok(cli("void", cid, "--reason", "重复受理", "--at", "2026-11-05 11:00"))
    data = json.loads(cli("report", "--month", "2026-11", "--format", "json", *AT).stdout)
    assert data["penalties"] == [] and data["ledger"] == [] and data["unit_fines"] == []
    assert [v["id"] for v in data["voided"]] == [cid]


def test_the_half_year_leaves_voided_complaints_out(month: tuple[Cli, str, str]) -> None:
    cli, kept, gone = month
    data = json.loads(cli("report", "--half", "2026H2", "--format", "json", *AT).stdout)
    assert data["received"] == 1
    assert gone not in json.dumps(data, ensure_ascii=False)
