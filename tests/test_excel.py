"""Excel in and out (issue #5; SPEC §4 export/import, §7): the 台账 round trip, idempotent imports,
foreign layouts through a column mapping, the usual date forms, bad rows named, formula text kept as text.

Sheets are built with openpyxl in tmp_path and read back by cell value, never compared by bytes.
Times are in 2025 so that the import's "not in the future" check never depends on today's date.
"""

from __future__ import annotations

import errno
import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import to_excel

from conftest import ORG, Cli
from tousu.excel import importing as excel_import
from tousu.storage.records import to_data
from tousu.storage.store import Store
from tousu.excel.safe import set_text

FORMULA = '=HYPERLINK("http://evil.example","点我")'


def ok(r) -> None:  # noqa: ANN001 - click Result
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output


def refused(r, *parts: str) -> str:  # noqa: ANN001
    """Exit 2, no traceback; every part in stderr (line breaks of the terminal removed)."""
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    text = r.stderr.replace("\n", "")
    for part in parts:
        assert part in text, r.stderr
    return r.stderr


def new_data(tmp_path: Path, name: str) -> Path:
    d = tmp_path / name
    (d / "complaints").mkdir(parents=True)
    (d / "org.yaml").write_text(ORG, encoding="utf-8")
    return d


def records(data: Path) -> dict[str, dict]:
    found, problems = Store(data).load_all()
    assert problems == []
    return {c.id: to_data(c) for c in found}


def files(data: Path) -> dict[str, bytes]:
    return {str(p.relative_to(data)): p.read_bytes() for p in sorted((data / "complaints").rglob("*.yaml"))}


def sheet(path: Path, rows: list[list], title: str = "Sheet") -> Path:
    """An xlsx with these rows; strings written as text (so '=…' stays text, as in a real export)."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            set_text(ws.cell(r, c), value)
    wb.save(path)
    return path


def walk(cli: Cli) -> list[str]:
    """Complaints in every state, with re-dispatch, extension, grade, 上报, 越级 and 考核."""
    step = lambda *a: ok(cli(*a))  # noqa: E731
    ids = []
    # 1. the whole way to 归档, with an 越级 and a penalty
    a = cli.add(received_at="2025-11-03 09:05", ref="2511030001", item="服务态度",
                content="抄表员态度生硬", address="城关镇解放路18号", account="0301234567", attitude="不满")
    step("dispatch", a, "--unit", "城关供电所", "--at", "2025-11-03 09:40", "--by", "王五")
    step("contact", a, "--at", "2025-11-03 14:20", "--by", "李四", "--note", "电话联系")
    step("reply", a, "--verified", "--responsible", "--cause", "服务意识不强", "--process", "上门致歉",
         "--measures", "全所学习", "--at", "2025-11-05 16:00", "--by", "赵六")
    step("review", a, "--at", "2025-11-06 09:00", "--by", "王五")
    step("escalate", a, "--to", "政府热线", "--at", "2025-11-06 09:30", "--by", "王五")
    step("revisit", a, "--satisfied", "--at", "2025-11-06 10:30", "--by", "张三")
    step("archive", a, "--at", "2025-11-06 11:00", "--by", "王五")
    step("assess", a, "--rule", "attitude.poor", "--person", "李四", "--amount", "600",
         "--at", "2025-11-07 10:00", "--by", "王五")
    ids.append(a)
    # 2. returned, re-dispatched, extended, rejected once; formula-like text from the customer
    b = cli.add(received_at="2025-11-04 10:00", item="电费电价", content=FORMULA, name="@SUM(A1)",
                phone="023-12345678", escalated_to="国家电网公司")
    step("dispatch", b, "--unit", "东城供电所", "--at", "2025-11-04 10:30")
    step("return", b, "--reason", "不属本所辖区", "--at", "2025-11-04 15:00", "--by", "孙七")
    step("dispatch", b, "--unit", "城关供电所", "--at", "2025-11-04 15:30")
    step("contact", b, "--at", "2025-11-05 09:00")
    step("extend", b, "--until", "2025-11-20", "--reason", "需现场校验电能表", "--approved-by", "王五",
         "--at", "2025-11-06 09:00")
    step("reply", b, "--not-verified", "--not-responsible", "--cause", "+客户误解", "--process", "-解释电价",
         "--at", "2025-11-12 10:00")
    step("review", b, "--reject", "--reason", "答复不完整", "--at", "2025-11-12 15:00")
    ids.append(b)
    # 3. 严重 at intake, then 重大, 上报; still 待派发
    c = cli.add(received_at="2025-11-05 08:00", item="故障处理", content="停电八小时无人处理", severity="严重")
    step("grade", c, "--severity", "重大", "--at", "2025-11-05 09:00")
    step("notify", c, "--at", "2025-11-05 10:00")
    ids.append(c)
    # 4. unsatisfied 回访 → waiting for re-dispatch
    d = cli.add(received_at="2025-11-10 11:00", item="抄表质量", content="抄错表")
    step("dispatch", d, "--unit", "城关供电所", "--at", "2025-11-10 11:30")
    step("contact", d, "--at", "2025-11-10 14:00")
    step("reply", d, "--verified", "--responsible", "--cause", "估抄", "--process", "更正电费", "--at", "2025-11-11 10:00")
    step("review", d, "--at", "2025-11-11 11:00")
    step("revisit", d, "--unsatisfied", "--reason", "还是没解决", "--at", "2025-11-11 15:00")
    ids.append(d)
    return ids


# ------------------------------------------------------------ export → import


def test_round_trip_gives_identical_records_and_reimport_adds_nothing(cli: Cli, tmp_path: Path) -> None:
    ids = walk(cli)
    xlsx = tmp_path / "台账.xlsx"
    r = cli("export", "-o", xlsx)
    ok(r)
    assert f"已导出 {len(ids)} 件投诉" in r.stderr

    target = new_data(tmp_path, "empty")
    other = Cli(target)
    r = other("import", xlsx)
    ok(r)
    assert "导入完成：新增 4 件，未变 0 件，冲突 0 件。" in r.stdout
    assert records(target) == records(cli.data)
    assert sorted(records(target)) == sorted(ids)  # IDs kept

    before = files(target)
    r = other("import", xlsx)
    ok(r)
    assert "导入完成：新增 0 件，未变 4 件，冲突 0 件。" in r.stdout
    assert files(target) == before

    # Importing into the folder it came from adds nothing either.
    r = cli("import", xlsx)
    ok(r)
    assert "新增 0 件，未变 4 件" in r.stdout


def test_export_cells(cli: Cli, tmp_path: Path) -> None:
    ids = walk(cli)
    xlsx = tmp_path / "out.xlsx"
    ok(cli("export", "-o", xlsx))
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["投诉台账", "处理记录"]
    ws = wb["投诉台账"]
    head = [c.value for c in ws[1]]
    for h in ("ID", "95598工单编号", "受理时间", "受理渠道", "受理人", "客户姓名", "联系电话", "用电地址", "户号",
              "投诉大类", "投诉项", "诉求内容", "客户态度", "事件等级", "越级渠道", "责任单位", "核实结论", "责任认定",
              "原因", "处理过程", "整改措施", "回访结果", "当前状态", "派发时间", "联系时间", "答复时间", "审核时间",
              "回访时间", "归档时间", "首次联系客户期限", "首次联系客户按时情况", "答复客户期限", "答复客户按时情况"):
        assert h in head, h
    rows = {r[0]: dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    a, b = rows[ids[0]], rows[ids[1]]
    assert a["受理时间"] == datetime(2025, 11, 3, 9, 5)  # a real date, China time
    assert a["当前状态"] == "已归档" and a["回访结果"] == "满意" and a["核实结论"] == "属实"
    assert a["越级渠道"] == "政府热线"
    # a midnight deadline reads as the day it ends (SPEC §3), never as the next day's 00:00
    assert a["首次联系客户期限"] == "2025-11-04 24:00"  # 民法典: the 2nd working day ends
    assert a["首次联系客户按时情况"] == "按时"
    assert b["答复客户期限"] == "2025-11-20 24:00"  # the approved extension
    assert rows[ids[2]]["事件等级"] == "重大"
    row_of = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    cell = ws.cell(row_of[ids[0]], head.index("受理时间") + 1)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm"
    assert ws.cell(1, 1).font.name == "等线" and ws.cell(1, 1).font.b  # headers too: no serif "ID" (trial)
    for col in ("诉求内容", "客户姓名", "原因", "处理过程"):
        c = ws.cell(row_of[ids[1]], head.index(col) + 1)
        assert c.data_type == "s", col  # text, never a formula
    assert ws.cell(row_of[ids[1]], head.index("诉求内容") + 1).value == FORMULA
    hist = wb["处理记录"]
    hhead = [c.value for c in hist[1]]
    events = [dict(zip(hhead, r)) for r in hist.iter_rows(min_row=2, values_only=True)]
    assert [e["步骤"] for e in events if e["ID"] == ids[0]] == [
        "受理", "派发", "首次联系", "答复", "审核", "越级登记", "回访", "归档", "考核"]
    assess = [e for e in events if e["步骤"] == "考核"][0]
    assert (assess["考核条款"], assess["被考核人"], assess["金额"]) == ("attitude.poor", "李四", 600)


def test_export_filters_and_mask(cli: Cli, tmp_path: Path) -> None:
    ids = walk(cli)
    xlsx = tmp_path / "m.xlsx"
    ok(cli("export", "--from", "2025-11-04", "--to", "2025-11-05", "--mask", "-o", xlsx))
    ws = load_workbook(xlsx)["投诉台账"]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [r["ID"] for r in rows] == ids[1:3]
    assert rows[1]["客户姓名"] == "王*明" and rows[1]["联系电话"] == "139****5678"
    ok(cli("export", "--month", "2025-11", "--unit", "城关供电所", "-o", xlsx))
    ws = load_workbook(xlsx)["投诉台账"]
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == [ids[0], ids[1], ids[3]]
    refused(cli("export", "--unit", "北城供电所", "-o", xlsx), "单位「北城供电所」不在组织机构")
    refused(cli("export", "--month", "2025-13", "-o", xlsx), "--month：月份「2025-13」无效")
    refused(cli("export", "-o", tmp_path / "x.csv"), "输出文件", "应以 .xlsx 结尾")


# ------------------------------------------------------------ foreign layouts and date forms

HEAD_95598 = ["工单编号", "受理时间", "客户名称", "联系方式", "客户地址", "客户编号", "投诉分类", "受理内容", "处理单位", "派单时间"]


def test_95598_layout_with_title_row_and_the_usual_date_forms(cli: Cli, tmp_path: Path) -> None:
    serial = to_excel(datetime(2025, 11, 3, 9, 5))
    forms = ["2025/11/3 9:05", "2025年11月3日 09:05", "2025-11-03 09:05", serial, datetime(2025, 11, 3, 9, 5)]
    rows = [["95598客户投诉工单导出（2025年11月）"], HEAD_95598]
    for i, when in enumerate(forms):
        rows.append([f"25110300{i}", when, f"客户{i}", 13900000000 + i, "城关镇", 301234567, "营销管理类-电费电价",
                     "电费偏高", "城关供电所" if i == 0 else None, "2025/11/3 9:40" if i == 0 else None])
    xlsx = sheet(tmp_path / "95598.xlsx", rows, "工单")
    ok(cli("import", xlsx, "--dry-run"))
    assert records(cli.data) == {}
    r = cli("import", xlsx)
    ok(r)
    assert "新增 5 件" in r.stdout
    got = sorted(records(cli.data).values(), key=lambda d: d["ref"])
    assert [d["received_at"] for d in got] == ["2025-11-03T09:05:00+08:00"] * 5
    assert [d["id"] for d in got] == [f"TS2025110300{i:02d}" for i in range(1, 6)]
    first = got[0]
    assert first["channel"] == "来电" and first["received_by"] == "95598班"  # the shipped defaults
    assert first["customer"] == {"name": "客户0", "phone": "13900000000", "address": "城关镇", "account": "301234567"}
    assert (first["category"], first["item"]) == ("营销管理类", "电费电价")
    assert [(e["action"], e["at"]) for e in first["history"]] == [
        ("add", "2025-11-03T09:05:00+08:00"), ("dispatch", "2025-11-03T09:40:00+08:00")]
    assert first["history"][1]["unit"] == "城关供电所"


def test_foreign_layout_through_a_mapping_file(cli: Cli, tmp_path: Path) -> None:
    mapping = tmp_path / "映射.yaml"
    mapping.write_text("""\
columns:
  单号: 95598工单编号
  来电时间: received_at
  用户: 客户姓名
  电话: 联系电话
  分类: 投诉项
  内容: 诉求内容
  方式: 受理渠道
  承办: 责任单位
  下派: 派发时间
  首联: 联系时间
values:
  受理渠道: {网站: 互联网}
defaults:
  受理人: 刘洋
""", encoding="utf-8")
    xlsx = sheet(tmp_path / "f.xlsx", [
        ["单号", "来电时间", "用户", "电话", "分类", "内容", "方式", "承办", "下派", "首联", "无关"],
        ["A-1", "2025-11-03 09:05", "钱多多", "13800000000", "供电质量", "电压低", "网站", "东城供电所",
         "2025-11-03 09:30", "2025-11-03 16:00", "x"],
    ])
    r = cli("import", xlsx, "--mapping", mapping)
    ok(r)
    assert "未导入的列：无关" in r.stderr
    (c,) = records(cli.data).values()
    assert (c["ref"], c["channel"], c["received_by"], c["item"]) == ("A-1", "互联网", "刘洋", "供电质量")
    assert [e["action"] for e in c["history"]] == ["add", "dispatch", "contact"]
    assert c["history"][2] == {"action": "contact", "at": "2025-11-03T16:00:00+08:00", "by": "东城供电所"}

    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  单号: 工单号码\nextra: 1\n", encoding="utf-8")
    refused(cli("import", xlsx, "--mapping", bad), "列映射文件", "bad.yaml:2: 列「单号」对应的字段「工单号码」未知",
            "bad.yaml:3: 未知的键「extra」")


def test_formula_text_stays_text(cli: Cli, tmp_path: Path) -> None:
    xlsx = sheet(tmp_path / "f.xlsx", [
        HEAD_95598[:8],
        ["2511030001", "2025-11-03 09:05", "-1+2", "13800000000", "+86 城关镇", "", "服务态度", FORMULA],
    ])
    ok(cli("import", xlsx))
    (c,) = records(cli.data).values()
    assert c["content"] == FORMULA and c["customer"]["name"] == "-1+2"
    out = tmp_path / "again.xlsx"
    ok(cli("export", "-o", out))
    ws = load_workbook(out)["投诉台账"]
    head = [x.value for x in ws[1]]
    cell = ws.cell(2, head.index("诉求内容") + 1)
    assert (cell.value, cell.data_type) == (FORMULA, "s")


# ------------------------------------------------------------ bad input: named, nothing written


def test_one_bad_row_writes_nothing_and_is_named(cli: Cli, tmp_path: Path) -> None:
    good = ["2511030001", "2025-11-03 09:05", "王小明", "13800000000", "城关镇", "", "服务态度", "态度差", None, None]
    xlsx = sheet(tmp_path / "b.xlsx", [
        HEAD_95598,
        good,
        ["2511030002", "2025/13/3 9:05", "李四", "13800000001", "", "", "打人", "乱收费", "北城供电所", "2025-11-03 10:00"],
        good[:1] + ["2025-11-04 09:00", "赵", "13800000009"] + good[4:],
        ["2511030004", "2025-11-05 09:00", "钱", "13800000003", "", "", "催款", "催费", None, None],
        ["2511030005", "2025-11-05 09:00", "孙", "13800000004", "", "", "服务态度", None, "东城供电所", None],
        ["2511030006", "2025-11-05 09:00", "周", "12", "", "", "服务态度", "x", None, None],
    ])
    err = refused(cli("import", xlsx), "「b.xlsx」有 7 处错误，未导入任何数据")
    lines = [x.strip() for x in err.splitlines()[1:]]
    text = "".join(lines)
    assert "第3行，「受理时间」：时间「2025/13/3 9:05」不是有效的日期时间" in text
    assert "第3行，「投诉分类」：投诉项「打人」无效" in text  # told although the row's time is wrong
    # Unknown units: one message for the file, with the org.yaml line to add (issue #11).
    assert "「处理单位」：1 个单位不在组织机构" in text and "北城供电所（第3行）" in text
    assert "- {name: 北城供电所, kind: 基层单位}" in text
    assert "第7行，「联系方式」：联系电话「12」无效" in text
    assert "第4行，「工单编号」：与第2行是同一工单（编号相同）但内容不同" in text
    assert "第5行，「投诉分类」：投诉项「催款」无效" in text
    assert "第6行，「受理内容」：不能为空" in text
    # 处理单位 without 派单时间: dispatched at an unknown time, no longer a problem (issue #11).
    assert not [x for x in lines if x.startswith("第2行")]  # the good row is not blamed
    assert records(cli.data) == {}


def test_history_sheet_problems_name_the_sheet(cli: Cli, tmp_path: Path) -> None:
    walk(cli)
    xlsx = tmp_path / "h.xlsx"
    ok(cli("export", "-o", xlsx))
    wb = load_workbook(xlsx)
    ws = wb["处理记录"]
    head = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, head.index("步骤") + 1).value == "派发")
    ws.cell(row, head.index("单位") + 1).value = "北城供电所"
    ws.cell(row + 1, head.index("步骤") + 1).value = "喝茶"
    wb.save(xlsx)
    target = new_data(tmp_path, "t")
    refused(Cli(target)("import", xlsx), f"「处理记录」第{row}行，「单位」：单位「北城供电所」不在组织机构")
    assert records(target) == {}


def test_history_steps_import_cannot_replay_are_named_not_a_crash(cli: Cli, tmp_path: Path) -> None:
    """A 台账 whose 处理记录 holds a 更正, 撤销 or 催办 (tousu's own export): each such complaint refused at
    that row, saying what to do; without their 处理记录 rows the same 台账 imports from its main sheet."""
    a = cli.add(received_at="2025-11-03 09:00")
    ok(cli("correct", a, "--field", "name", "--value", "王晓明", "--reason", "听错了", "--at", "2025-11-03 09:10"))
    b = cli.add(received_at="2025-11-04 09:00", phone="13800000001")
    ok(cli("dispatch", b, "--unit", "城关供电所", "--at", "2025-11-04 09:30"))
    ok(cli("undo", b, "--reason", "派错了", "--at", "2025-11-04 09:40"))
    c = cli.add(received_at="2025-11-05 09:00", phone="13800000002")
    ok(cli("urge", c, "--at", "2025-11-05 09:20"))
    xlsx = tmp_path / "c.xlsx"
    ok(cli("export", "-o", xlsx))
    target = new_data(tmp_path, "t")
    err = refused(Cli(target)("import", xlsx), "「c.xlsx」有 3 处错误，未导入任何数据")
    text = "".join(x.strip() for x in err.splitlines())
    for label in ("更正", "催办", "撤销"):
        assert f"「步骤」：步骤「{label}」不能从处理记录导入" in text, text
    assert "受理、派发" in text and "或删去这件投诉在「处理记录」中的行" in text
    assert records(target) == {}

    wb = load_workbook(xlsx)
    ws = wb["处理记录"]
    for r in range(ws.max_row, 1, -1):
        if ws.cell(r, 1).value in (a, b, c):
            ws.delete_rows(r)
    wb.save(xlsx)
    ok(Cli(target)("import", xlsx))
    assert sorted(records(target)) == sorted([a, b, c])


def test_the_history_sheet_may_hold_several_steps_per_work_order(cli: Cli, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A 台账 has about seven 处理记录 rows per work order: tousu's own export of a city's year (10,000 orders,
    75,289 steps) imports in one go; the history sheet has a limit of its own (ten per order of the main
    sheet's limit), with its own remedy."""
    from tousu.excel.importing import sheets

    ids = walk(cli)
    xlsx = tmp_path / "台账.xlsx"
    ok(cli("export", "-o", xlsx))
    steps = sum(1 for _ in load_workbook(xlsx, read_only=True)["处理记录"].iter_rows()) - 1
    assert steps > 5 + sheets.HEADER_SCAN_ROWS > len(ids)  # more steps than the work-order limit below
    monkeypatch.setattr(sheets, "MAX_ROWS", 5)
    target = new_data(tmp_path, "t")
    ok(Cli(target)("import", xlsx))
    assert sorted(records(target)) == sorted(ids)

    monkeypatch.setattr(sheets, "MAX_ROWS", 0)  # 4 work orders still pass (the header rows' slack); the steps not
    other = new_data(tmp_path, "u")
    refused(Cli(other)("import", xlsx), "工作表「处理记录」超过一次导入的上限 0 行（平均每件工单 10 条）：",
            "tousu export --month 逐月导出")
    assert records(other) == {}


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p / "nope.xlsx", "找不到文件「"),
    (lambda p: (p / "a.xlsx").write_text("not a workbook") and p / "a.xlsx", "不是有效的 xlsx 文件"),
    (lambda p: (p / "a.xls").write_bytes(b"\xd0\xcf\x11\xe0") and p / "a.xls", "旧版 .xls 请先在 Excel/WPS 中另存为 .xlsx"),
])
def test_not_an_xlsx(cli: Cli, tmp_path: Path, make, message: str) -> None:  # noqa: ANN001
    refused(cli("import", make(tmp_path)), message)


def test_missing_sheet_and_missing_columns(cli: Cli, tmp_path: Path) -> None:
    xlsx = sheet(tmp_path / "s.xlsx", [["工单编号", "客户名称", "受理内容"], ["1", "王", "x"]], "工单")
    refused(cli("import", xlsx, "--sheet", "台账"), "「s.xlsx」中没有工作表「台账」，已有的工作表：工单")
    refused(cli("import", xlsx), "第1行，「受理时间」：缺少此列", "第1行，「联系电话」：缺少此列", "第1行，「投诉项」：缺少此列")
    assert records(cli.data) == {}


def test_future_time_is_refused(cli: Cli, tmp_path: Path) -> None:
    xlsx = sheet(tmp_path / "t.xlsx", [HEAD_95598[:8],
                                       ["1", "2099-01-01 09:00", "王", "13800000000", "", "", "服务态度", "x"]])
    refused(cli("import", xlsx), "第2行，「受理时间」：受理时间 2099-01-01 09:00 晚于当前时间")


# ------------------------------------------------------------ idempotence and conflicts


def test_same_95598_number_with_other_content_is_a_conflict_not_overwritten(cli: Cli, tmp_path: Path) -> None:
    row = ["2511030001", "2025-11-03 09:05", "王小明", "13800000000", "城关镇", "", "服务态度", "态度差"]
    ok(cli("import", sheet(tmp_path / "1.xlsx", [HEAD_95598[:8], row])))
    before = files(cli.data)
    changed = sheet(tmp_path / "2.xlsx", [HEAD_95598[:8], row[:7] + ["态度很差"],
                                          ["2511030002"] + row[1:]])
    r = cli("import", changed, "--dry-run")
    ok(r)
    assert "试运行，未写入任何数据：将新增 1 件，未变 0 件，冲突 1 件。" in r.stdout
    assert files(cli.data) == before
    r = cli("import", changed)
    ok(r)
    assert "导入完成：新增 1 件，未变 0 件，冲突 1 件。" in r.stdout
    assert "冲突：第2行（工单编号 2511030001）与已有的 TS202511030001 不一致：诉求内容不同；未覆盖。" in r.stdout
    assert records(cli.data)["TS202511030001"]["content"] == "态度差"
    assert records(cli.data)["TS202511030002"]["ref"] == "2511030002"


def test_a_record_that_moved_on_is_unchanged_not_a_conflict(cli: Cli, tmp_path: Path) -> None:
    xlsx = sheet(tmp_path / "1.xlsx", [HEAD_95598,
                                       ["2511030001", "2025-11-03 09:05", "王小明", "13800000000", "城关镇", "",
                                        "服务态度", "态度差", "城关供电所", "2025-11-03 09:30"]])
    ok(cli("import", xlsx))
    ok(cli("contact", "TS202511030001", "--at", "2025-11-03 15:00"))
    r = cli("import", xlsx)
    ok(r)
    assert "新增 0 件，未变 1 件，冲突 0 件" in r.stdout


def test_ids_continue_after_existing_ones(cli: Cli, tmp_path: Path) -> None:
    first = cli.add(received_at="2025-11-03 08:00")
    xlsx = sheet(tmp_path / "1.xlsx", [HEAD_95598[:8],
                                       ["B", "2025-11-03 10:00", "乙", "13800000002", "", "", "服务态度", "x"],
                                       ["A", "2025-11-03 09:00", "甲", "13800000001", "", "", "服务态度", "x"]])
    ok(cli("import", xlsx))
    got = records(cli.data)
    assert first == "TS202511030001"
    assert (got["TS202511030002"]["ref"], got["TS202511030003"]["ref"]) == ("A", "B")  # in order of 受理时间
    assert cli.add(received_at="2025-11-03 11:00") == "TS202511030004"


def test_mapping_ships_with_the_package() -> None:
    path = excel_import.builtin_mapping_path()
    assert path.is_file()
    m = excel_import.load_mapping(None)
    assert m.columns["工单编号"] == "ref" and m.defaults["channel"] == "来电"


def test_an_empty_export_imports_as_nothing(cli: Cli, tmp_path: Path) -> None:
    xlsx = tmp_path / "e.xlsx"
    ok(cli("export", "-o", xlsx))
    r = Cli(new_data(tmp_path, "x"))("import", xlsx)
    ok(r)
    assert "导入完成：新增 0 件，未变 0 件，冲突 0 件。" in r.stdout


# ------------------------------------------------------------ review fixes: natural key, masking, files, disk errors

HEAD_HAND = ["受理时间", "客户名称", "联系方式", "投诉分类", "受理内容", "受理方式"]


def test_rows_without_id_or_95598_number_are_matched_on_time_phone_item_and_content(cli: Cli, tmp_path: Path) -> None:
    """A hand-kept 台账 has neither ID nor 工单编号: importing it twice still adds nothing (SPEC §4)."""
    rows = [HEAD_HAND,
            ["2025-11-03 09:05", "王小明", "13800000000", "服务态度", "态度差", "来电"],
            ["2025-11-03 10:00", "李大", "13800000001", "电费电价", "电费偏高", "来电"],
            ["2025-11-03 09:05", "王小明", "13800000000", "服务态度", "态度差", "来电"]]  # the same row twice
    xlsx = sheet(tmp_path / "手工台账.xlsx", rows)
    r = cli("import", xlsx)
    ok(r)
    assert "导入完成：新增 2 件，未变 0 件，冲突 0 件。" in r.stdout
    before = files(cli.data)
    r = cli("import", xlsx)
    ok(r)
    assert "导入完成：新增 0 件，未变 2 件，冲突 0 件。" in r.stdout
    assert files(cli.data) == before

    # Same minute, same phone digits, item and content: the same complaint; what else differs is a conflict.
    changed = sheet(tmp_path / "改过.xlsx", [
        HEAD_HAND,
        ["2025-11-03 09:05:40", "王小明", "138-0000-0000", "服务态度", "态度差", "来电"],
        ["2025-11-03 10:00", "李大", "13800000001", "电费电价", "电费偏高", "互联网"],
    ])
    r = cli("import", changed)
    ok(r)
    assert "导入完成：新增 0 件，未变 0 件，冲突 2 件。" in r.stdout
    assert "冲突：第2行（受理时间 2025-11-03 09:05）与已有的 TS202511030001 不一致：受理时间、客户信息不同；未覆盖。" in r.stdout
    assert "冲突：第3行（受理时间 2025-11-03 10:00）与已有的 TS202511030002 不一致：受理渠道不同；未覆盖。" in r.stdout
    assert files(cli.data) == before


def test_rows_without_numbers_that_match_each_other_but_differ_are_refused(cli: Cli, tmp_path: Path) -> None:
    xlsx = sheet(tmp_path / "t.xlsx", [
        HEAD_HAND,
        ["2025-11-03 09:05", "王小明", "13800000000", "服务态度", "态度差", "来电"],
        ["2025-11-03 09:05", "王晓明", "13800000000", "服务态度", "态度差", "来电"],
    ])
    refused(cli("import", xlsx), "第3行，「受理时间」：与第2行是同一投诉（受理时间、联系电话、投诉项、诉求内容相同）但内容不同")
    assert records(cli.data) == {}


def _all_text(path: Path) -> str:
    wb = load_workbook(path)
    return "\n".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def test_export_mask_hides_customer_data_in_free_text_too(cli: Cli, tmp_path: Path) -> None:
    name, phone, address, account = "王小明", "13912345678", "城关镇解放路18号", "0301234567"
    a = cli.add(received_at="2025-11-03 09:05", name=name, phone=phone, address=address, account=account,
                content=f"{name}（{phone}）反映{address}电表走快，户号{account}")
    for args in (("dispatch", a, "--unit", "城关供电所", "--at", "2025-11-03 09:40"),
                 ("contact", a, "--at", "2025-11-03 14:20", "--note", f"拨打{phone}，{name}本人接听"),
                 ("extend", a, "--until", "2025-11-20", "--reason", f"{name}要求在{address}现场校表",
                  "--approved-by", "王五", "--at", "2025-11-04 09:00"),
                 ("reply", a, "--verified", "--responsible", "--cause", f"户号{account}的电表接线错误",
                  "--process", f"到{address}更换电表，向{name}致歉", "--measures", f"回访{phone}",
                  "--at", "2025-11-05 16:00")):
        ok(cli(*args))
    plain, masked = tmp_path / "plain.xlsx", tmp_path / "masked.xlsx"
    ok(cli("export", "-o", plain))
    ok(cli("export", "--mask", "-o", masked))
    text = _all_text(plain)
    for raw in (name, phone, address, account):
        assert raw in text  # the test would prove nothing otherwise
    text = _all_text(masked)
    for raw in (name, phone, address, account):
        assert raw not in text, raw
    ws = load_workbook(masked)["投诉台账"]
    head = [c.value for c in ws[1]]
    row = dict(zip(head, next(ws.iter_rows(min_row=2, values_only=True))))
    assert row["诉求内容"] == "王*明（139****5678）反映城关镇******电表走快，户号******4567"
    assert row["ID"] == a  # IDs tie the two sheets together: never masked


def test_report_masker_lives_in_privacy() -> None:
    from tousu.domain import privacy
    from tousu.reports import cases, repeats

    assert cases.Masker is privacy.Masker and repeats.Masker is privacy.Masker


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_exported_files_get_the_usual_permissions(cli: Cli, tmp_path: Path) -> None:
    walk(cli)
    old = os.umask(0o022)
    try:
        ok(cli("export", "-o", tmp_path / "台账.xlsx"))
        ok(cli("report", "--month", "2025-11", "-o", tmp_path / "通报.xlsx", "--at", "2025-12-01 00:00"))
        ok(cli("report", "--half", "2025H2", "-o", tmp_path / "半年.xlsx"))
    finally:
        os.umask(old)
    for name in ("台账.xlsx", "通报.xlsx", "半年.xlsx"):
        assert _mode(tmp_path / name) == 0o644, name
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["半年.xlsx", "台账.xlsx", "通报.xlsx"]


def test_one_xlsx_save_one_time_one_output_check() -> None:
    import inspect

    from tousu.excel import bulletin as bulletin_xlsx
    from tousu.cli import report as cli_report
    from tousu.excel import ledger as excel_export
    from tousu.excel import safe as xlsxsafe

    for mod in (bulletin_xlsx, excel_export, cli_report):
        src = inspect.getsource(mod)
        for name in ("def save_atomic", "def excel_time", "def check_output", "mkstemp", "os.replace"):
            assert name not in src, (mod.__name__, name)
    assert xlsxsafe.excel_time("2025-11-03T09:05:00+08:00") == datetime(2025, 11, 3, 9, 5)
    assert xlsxsafe.excel_time(datetime(2025, 11, 3, 1, 5, tzinfo=__import__("datetime").timezone.utc)) \
        == datetime(2025, 11, 3, 9, 5)
    assert xlsxsafe.excel_time(None) is None


def test_save_atomic_disk_error_names_the_path_and_leaves_nothing(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from openpyxl import Workbook as WB

    from tousu import files
    from tousu.excel import safe as xlsxsafe
    from tousu.errors import TousuError

    def full(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full)
    target = tmp_path / "x.xlsx"
    with pytest.raises(TousuError) as exc:
        xlsxsafe.save_atomic(WB(), target)
    assert exc.value.message == f"无法写入「{target}」：磁盘已满"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [("export",), ("report", "--month", "2025-11"), ("report", "--half", "2025H2")])
def test_output_is_checked_before_anything_is_read(cli: Cli, tmp_path: Path, args: tuple[str, ...]) -> None:
    broken = cli.data / "complaints" / "2025-11" / "TS202511030001.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text("id: [\n", encoding="utf-8")
    r = cli(*args, "-o", tmp_path / "x.csv")
    err = refused(r, f"输出文件「{tmp_path / 'x.csv'}」应以 .xlsx 结尾")
    assert "无法读取" not in err
    missing = tmp_path / "没有这个目录" / "x.xlsx"
    refused(cli(*args, "-o", missing), f"无法写入「{missing}」：目录「{missing.parent}」不存在")
    refused(cli(*args, "-o", tmp_path), f"输出文件「{tmp_path}」")


def _hand_sheet(tmp_path: Path, n: int) -> Path:
    return sheet(tmp_path / "多行.xlsx", [HEAD_HAND] + [
        [f"2025-11-03 {9 + i // 60:02d}:{i % 60:02d}", f"客户{i}", f"138000000{i:02d}", "服务态度", "态度差", "来电"]
        for i in range(n)])


@pytest.mark.parametrize("fail_at", ["link", "temp"])
def test_a_disk_error_part_way_through_an_import_writes_nothing(cli: Cli, tmp_path: Path, monkeypatch,  # noqa: ANN001
                                                                 fail_at: str) -> None:
    from tousu.config import yamlio

    xlsx = _hand_sheet(tmp_path, 5)
    calls = {"n": 0}
    real_link, real_fdopen = os.link, os.fdopen

    def link(src, dst, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_link(src, dst, *a, **k)

    def fdopen(fd, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls["n"] += 1
        if calls["n"] == 3:
            os.close(fd)
            raise OSError(errno.EIO, "Input/output error")
        return real_fdopen(fd, *a, **k)

    if fail_at == "link":
        monkeypatch.setattr(yamlio.os, "link", link)
    else:
        monkeypatch.setattr(yamlio.os, "fdopen", fdopen)
    r = cli("import", xlsx)
    refused(r, "导入失败，未导入任何数据", "complaints")
    assert ("磁盘已满" if fail_at == "link" else "Input/output error") in r.stderr.replace("\n", "")
    assert records(cli.data) == {}
    assert [p for p in (cli.data / "complaints").rglob("*") if p.is_file()] == []  # no temp files either
    monkeypatch.undo()
    r = cli("import", xlsx)
    ok(r)
    assert "新增 5 件" in r.stdout


@pytest.mark.parametrize("args", [("export", "-o", "OUT"), ("report", "--month", "2025-11", "--format", "json")])
def test_unreadable_record_with_markup_like_text_is_printed_as_is(cli: Cli, tmp_path: Path,
                                                                   args: tuple[str, ...]) -> None:
    broken = cli.data / "complaints" / "2025-11" / "TS202511030001.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text("id: TS202511030001\n'[/x]': 1\n", encoding="utf-8")
    r = cli(*[str(tmp_path / "o.xlsx") if a == "OUT" else a for a in args])
    assert "Traceback" not in r.output
    assert "[/x]" in r.stderr


def test_every_wrong_intake_cell_of_a_row_is_told_in_one_pass(cli: Cli, tmp_path: Path) -> None:
    head = ["受理时间", "客户名称", "联系方式", "投诉分类", "受理内容", "客户态度", "事件等级"]
    xlsx = sheet(tmp_path / "w.xlsx", [head, ["2026-11-01 09:00", "王", "12", "不存在", "y", "愤怒", "特大"]])
    refused(cli("import", xlsx),
            "第2行，「联系方式」：联系电话「12」无效", "第2行，「投诉分类」：投诉项「不存在」无效",
            "第2行，「客户态度」：客户态度程度「愤怒」无效", "第2行，「事件等级」：事件等级「特大」无效")
    assert records(cli.data) == {}


def test_a_real_excel_date_outside_the_years_is_refused(cli: Cli, tmp_path: Path) -> None:
    from datetime import datetime

    xlsx = sheet(tmp_path / "y.xlsx", [HEAD_HAND, [datetime(1999, 12, 1, 9, 0), "王", "13800000002", "服务态度", "x", "电话"]])
    refused(cli("import", xlsx), "第2行，「受理时间」：时间「1999-12-01 09:00」的年份超出范围（2000–2099年）")
    assert records(cli.data) == {}


def test_export_phone_column_holds_every_written_form(cli: Cli, tmp_path: Path) -> None:
    """联系电话 keeps the form typed (+86 138-0013-8000; 010 12345678 转 123): the column is wide enough for
    it, not clipped by the 用电地址 beside it (found in the trial week: “+86 138-0013-80”)."""
    from tousu.excel.sheet import text_width

    ids = walk(cli)
    xlsx = tmp_path / "out.xlsx"
    ok(cli("export", "-o", xlsx))
    ws = load_workbook(xlsx)["投诉台账"]
    head = [c.value for c in ws[1]]
    letter = ws.cell(1, head.index("联系电话") + 1).column_letter
    assert ids and ws.column_dimensions[letter].width >= 1 + max(
        text_width(p) for p in ("+86 138-0013-8000", "010 12345678 转 123", "(0571)8765432-123"))


def test_export_prints_on_a4_with_its_header_row_and_id_on_every_page(cli: Cli, tmp_path: Path) -> None:
    """Printed, the 台账 runs over many pages (found in the trial week: 19 portrait pages, the later ones
    without a heading or an ID): landscape A4, row 1 and column A repeated, page numbers; 内部资料 unless masked."""
    walk(cli)
    for mask, internal in (((), True), (("--mask",), False)):
        xlsx = tmp_path / f"out{len(mask)}.xlsx"
        ok(cli("export", "-o", xlsx, *mask))
        for ws in load_workbook(xlsx).worksheets:
            assert ws.page_setup.paperSize in (9, "9") and ws.page_setup.orientation == "landscape", ws.title
            assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == "$A:$A", ws.title
            assert ws.oddFooter.center.text == "第 &P 页 共 &N 页" and ws.title in ws.oddHeader.center.text
            assert ("内部资料" in (ws.oddHeader.right.text or "")) is internal, (ws.title, mask)


def test_export_says_how_many_voided_complaints_it_left_out(cli: Cli, tmp_path: Path) -> None:
    """A clerk counting the 台账 against the records must not find one missing without a word (trial)."""
    kept = cli.add(received_at="2026-11-02 09:00")
    gone = cli.add(received_at="2026-11-02 10:00", phone="13800138000")
    assert cli("void", gone, "--reason", "重复受理", "--at", "2026-11-02 11:00").exit_code == 0
    xlsx = tmp_path / "台账.xlsx"
    r = cli("export", "-o", xlsx)
    assert r.exit_code == 0, r.output
    assert "已导出 1 件投诉" in r.stderr and "另有 1 件已作废的投诉未导出" in r.stderr
    ids = [row[0] for row in load_workbook(xlsx)["投诉台账"].iter_rows(min_row=2, values_only=True)]
    assert ids == [kept]
    r = cli("export", "-o", xlsx, "--month", "2026-10")
    assert "已作废" not in r.stderr  # none in that month
