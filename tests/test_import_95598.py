"""Issue #11: a 95598 work-order export imported as it comes out of the system, with no mapping file.

The workbooks are built here the way exports look: merged title rows, 导出时间, a blank row, the
header, orders in every 工单状态, a 合计 row and a note; times as text in three forms and as real
Excel dates; phones and 户号 as numbers. A second export of the same orders shows more progress.
Times are in 2025, so the import's "not in the future" check never depends on today's date.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import Cli
from test_excel import new_data, ok, records, refused
from tousu.excel.safe import set_text

# Two provinces' headers for the same facts (the variants issue #11 lists).
HEAD_A = ["序号", "工单编号", "受理时间", "来源", "业务子类", "客户名称", "联系电话", "用电地址", "户号", "受理内容",
          "供电单位", "派单时间", "回复时间", "处理意见", "是否属实", "回访时间", "回访结果", "工单状态", "紧急程度"]
HEAD_B = ["国网工单编号", "来电时间", "工单来源", "诉求分类", "户名", "来电号码", "地址", "用户编号", "工单内容",
          "处理单位", "派发时间", "办结时间", "回复内容", "核实结论", "回访时间", "满意度", "状态", "是否越级"]

# ref, received, channel, sub-type, name, phone (number), address, account (number), content,
# unit, dispatched, replied, opinion, verified, revisited, satisfaction, state
ORDERS = [
    ("2511030001", "2025/11/03 09:05:12", "95598电话", "频繁停电", "王小明", 13912345678, "城关镇解放路18号",
     301234567, "一周停电三次", None, None, None, None, None, None, None, "待派单"),
    ("2511030002", "2025-11-3 9:30", "网上国网", "电费争议", "李芳", 13800000002, "城关镇", 301234568,
     "电费比上月高一倍", "城关供电所", None, None, None, None, None, None, "已派单"),
    ("2511030003", "20251103100000", "微信", "故障抢修", "张伟", 2312345678, "东城", 301234569,
     "抢修人员四小时未到", "东城供电所", "2025/11/03 10:20:00", None, None, None, None, None, "处理中"),
    ("2511040004", datetime(2025, 11, 4, 8, 0), "营业厅", "业扩报装", "赵敏", 13800000004, "东城", 301234570,
     "新装办理慢", "东城供电所", "2025/11/04 08:30:00", "2025/11/05 16:00:00", "已加快办理", "是", None, None,
     "已回复"),
    ("2511040005", "2025/11/04 09:00:00", "12398转办", "计量装置", "钱进", 13800000005, "城关镇", 301234571,
     "电表走得快", "城关供电所", None, "2025/11/06 10:00:00", "校验合格，已解释", "否", None, None, "待回访"),
    ("2511050006", "2025/11/05 09:00:00", "电话", "抄表", "孙丽", 13800000006, "城关镇", 301234572,
     "抄表员估抄", "城关供电所", "2025/11/05 09:40:00", "2025/11/06 15:00:00", "已更正电费", "是",
     "2025/11/07 10:00:00", "满意", "已回访"),
    ("2511050007", "2025/11/05 10:00:00", "95598电话", "服务态度", "周强", 13800000007, "东城", 301234573,
     "营业员态度差", "东城供电所", None, "2025/11/06 11:00:00", "已致歉并批评教育", "是",
     "2025/11/07 09:00:00", "基本满意", "已归档"),
    ("2511060008", "2025/11/06 08:00:00", "网上国网", "停电通知", "吴静", 13800000008, "城关镇", 301234574,
     "停电未提前通知", "城关供电所", None, "2025/11/07 10:00:00", "已补发通知", "是", None, None, "已办结"),
]

TITLE = "XX供电公司95598工单明细"


def export(path: Path, orders=ORDERS, head=HEAD_A, *, total: bool = True, sheet: str = "工单明细") -> Path:  # noqa: ANN001
    """A workbook shaped like a 95598 export of these orders (header variant A or B)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(head))
    ws.append(["导出时间：2025-11-30 17:00:00"])
    ws.append([])
    ws.append(head)
    for i, o in enumerate(orders, 1):
        (ref, received, channel, sub, name, phone, address, account, content, unit, dispatched, replied,
         opinion, verified, revisited, satisfaction, state) = o
        values = {"工单编号": ref, "国网工单编号": ref, "受理时间": received, "来电时间": received, "来源": channel,
                  "工单来源": channel, "业务子类": sub, "诉求分类": sub, "客户名称": name, "户名": name,
                  "联系电话": phone, "来电号码": phone, "用电地址": address, "地址": address, "户号": account,
                  "用户编号": account, "受理内容": content, "工单内容": content, "供电单位": unit, "处理单位": unit,
                  "派单时间": dispatched, "派发时间": dispatched, "回复时间": replied, "办结时间": replied,
                  "处理意见": opinion, "回复内容": opinion, "是否属实": verified, "核实结论": verified,
                  "回访时间": revisited, "回访结果": satisfaction, "满意度": satisfaction, "工单状态": state,
                  "状态": state, "序号": i, "紧急程度": "一般", "是否越级": "否"}
        r = ws.max_row + 1
        for c, h in enumerate(head, 1):
            v = values[h]
            if isinstance(v, str):
                set_text(ws.cell(r, c), v)
            else:
                ws.cell(r, c).value = v
    if total:
        ws.append([f"合计：{len(orders)}条"])
        ws.append(["注：本表由95598业务支持系统导出，仅供内部使用"])
    wb.save(path)
    return path


def by_ref(data: Path) -> dict[str, dict]:
    return {d["ref"]: d for d in records(data).values()}


def test_an_export_imports_with_no_mapping_and_keeps_each_orders_progress(cli: Cli, tmp_path: Path) -> None:
    r = cli("import", export(tmp_path / "95598.xlsx"))
    ok(r)
    assert "导入完成：新增 8 件，未变 0 件，冲突 0 件。" in r.stdout
    skipped = r.stderr.replace("\n", "")
    assert "第1行（标题行）；第2行（导出时间）；第3行（空行）" in skipped
    assert "第13行（合计行）；第14行（说明行）" in skipped
    got = by_ref(cli.data)
    states = {ref: [e["action"] for e in d["history"]] for ref, d in got.items()}
    assert states["2511030001"] == ["add"]
    assert states["2511030002"] == ["add", "dispatch"]
    assert states["2511040004"] == ["add", "dispatch", "contact", "reply"]
    assert states["2511040005"] == ["add", "dispatch", "contact", "reply", "review"]
    assert states["2511050006"] == ["add", "dispatch", "contact", "reply", "review", "revisit"]
    for ref in ("2511050007", "2511060008"):  # 已归档, 已办结
        assert states[ref] == ["add", "dispatch", "contact", "reply", "review", "revisit", "archive"]
    # Steps the export gives no time for are recorded as such; those it gives keep their time.
    unknown = {ref: [e["action"] for e in d["history"] if e.get("time_unknown")] for ref, d in got.items()}
    assert unknown["2511030002"] == ["dispatch"]
    assert unknown["2511030003"] == []
    assert unknown["2511040004"] == ["contact"]
    assert unknown["2511060008"] == ["dispatch", "contact", "review", "revisit", "archive"]
    reply = got["2511040004"]["history"][3]
    assert reply["at"] == "2025-11-05T16:00:00+08:00" and "time_unknown" not in reply
    assert (reply["verified"], reply["responsible"], reply["process"]) == (True, True, "已加快办理")
    # Values translated by the shipped mapping; numbers read as text (a landline's lost 0 put back).
    first = got["2511030001"]
    assert (first["channel"], first["item"], first["category"]) == ("来电", "供电质量", "运行维护类")
    assert first["customer"]["account"] == "301234567"
    assert got["2511030003"]["customer"]["phone"] == "02312345678"
    assert got["2511030003"]["received_at"] == "2025-11-03T10:00:00+08:00"
    assert [got[ref]["item"] for ref in ("2511030002", "2511030003", "2511040004", "2511040005", "2511050006",
                                         "2511050007", "2511060008")] == [
        "电费电价", "故障处理", "报装接电", "电能计量", "抄表质量", "服务态度", "停电公告"]
    assert got["2511040005"]["channel"] == "其他"
    assert got["2511050007"]["history"][5]["satisfied"] is True  # 基本满意


def test_closed_orders_are_never_reported_overdue(cli: Cli, tmp_path: Path) -> None:
    ok(cli("import", export(tmp_path / "95598.xlsx")))
    r = cli("check-overdue", "--at", "2025-12-20 09:00", "--format", "json")
    late = {row["id"] for row in json.loads(r.stdout)["overdue"]}
    refs = {d["id"]: d["ref"] for d in records(cli.data).values()}
    late_refs = {refs[i] for i in late}
    # Revisited or closed in 95598: nothing of theirs is overdue (2511040005 still awaits its 回访: it may be).
    assert not late_refs & {"2511050006", "2511050007", "2511060008"}
    # 待派单 is really overdue for 派发; 已派单 at an unknown time is still chased for its contact and reply.
    assert "2511030001" in late_refs and "2511030002" in late_refs


def test_dry_run_shows_the_mapping_the_translations_and_the_states(cli: Cli, tmp_path: Path) -> None:
    r = cli("import", export(tmp_path / "95598.xlsx", head=HEAD_B), "--dry-run")
    ok(r)
    text = r.stdout
    assert "表头在「工单明细」第4行；列的对应：" in text
    for line in ("国网工单编号 → 95598工单编号", "来电时间 → 受理时间", "处理单位 → 责任单位", "办结时间 → 答复时间",
                 "满意度 → 回访结果", "状态 → 工单状态"):
        assert line in text
    assert "取值转换：" in text
    for line in ("工单来源：95598电话 → 来电（2 行）", "诉求分类：频繁停电 → 供电质量（1 行）", "状态：已办结 → 已归档（1 行）",
                 "满意度：基本满意 → 满意（1 行）", "来电号码：数字格式的座机号 → 补上开头的 0（1 行）",
                 "责任认定：（无此列） → 按核实结论：属实→供电责任，不属实→非供电责任（5 行）"):
        assert line in text
    assert "导入后各状态的件数：" in text and "已归档 2 件" in text and "待派发 1 件" in text
    assert "试运行，未写入任何数据：将新增 8 件" in text
    assert records(cli.data) == {}


def test_a_later_export_adds_the_new_steps(cli: Cli, tmp_path: Path) -> None:
    ok(cli("import", export(tmp_path / "1.xlsx")))
    before = by_ref(cli.data)
    later = [list(o) for o in ORDERS]
    # 已派单 → 已归档 with a reply; 处理中 → 已回访; the others unchanged.
    later[1][11:17] = ["2025/11/10 10:00:00", "已核对电费，抄表无误", "否", "2025/11/11 09:00:00", "满意", "已归档"]
    later[2][11:17] = ["2025/11/04 10:00:00", "已抢修恢复", "是", "2025/11/05 09:00:00", "满意", "已回访"]
    r = cli("import", export(tmp_path / "2.xlsx", [tuple(o) for o in later], HEAD_B))
    ok(r)
    assert "新增 0 件，更新 2 件（追加处理步骤），未变 6 件，冲突 0 件。" in r.stdout
    after = by_ref(cli.data)
    assert after["2511030002"]["id"] == before["2511030002"]["id"]
    assert after["2511030002"]["history"][:2] == before["2511030002"]["history"]  # nothing rewritten
    assert [e["action"] for e in after["2511030002"]["history"]][-1] == "archive"
    assert [e["action"] for e in after["2511030003"]["history"]][-1] == "revisit"
    # The same export again: nothing to do.
    r = cli("import", tmp_path / "2.xlsx")
    assert "新增 0 件，未变 8 件，冲突 0 件。" in r.stdout
    # Different content for the same 工单编号: a conflict, never overwritten.
    later[0][8] = "别的内容"
    r = cli("import", export(tmp_path / "3.xlsx", [tuple(o) for o in later], HEAD_B))
    assert "冲突：第5行（工单编号 2511030001）" in r.stdout and "诉求内容不同；未覆盖" in r.stdout


def test_unknown_units_are_told_once_with_the_lines_to_add(cli: Cli, tmp_path: Path) -> None:
    orders = [tuple(o[:9]) + ("北城供电所",) + tuple(o[10:]) if o[9] else o for o in ORDERS]
    orders[2] = orders[2][:9] + ("南山供电所",) + orders[2][10:]
    err = refused(cli("import", export(tmp_path / "u.xlsx", orders)),
                  "「供电单位」：2 个单位不在组织机构", "北城供电所（第6、8、9、10、11…行）", "南山供电所（第7行）",
                  "- {name: 北城供电所, kind: 基层单位}", "- {name: 南山供电所, kind: 基层单位}",
                  "请在表中改为已有的单位：城关供电所")
    assert err.count("不在组织机构") == 1
    assert records(cli.data) == {}


@pytest.mark.parametrize(("change", "message"), [
    (lambda o: o[:1] + ("2025/11/31 9:00",) + o[2:], "「工单明细」第5行，「受理时间」：时间「2025/11/31 9:00」不是有效的日期时间"),
    (lambda o: o[:16] + ("待签收",), "「工单明细」第5行，「工单状态」：工单状态「待签收」无法识别，可选：待派单"),
    (lambda o: o[:3] + ("抄水表",) + o[4:], "「工单明细」第5行，「业务子类」：投诉项「抄水表」无效"),
    (lambda o: o[:2] + ("飞鸽传书",) + o[3:], "「工单明细」第5行，「来源」：受理渠道「飞鸽传书」无效"),
])
def test_bad_cells_name_sheet_row_column_and_value(cli: Cli, tmp_path: Path, change, message: str) -> None:  # noqa: ANN001
    orders = [change(ORDERS[0])] + ORDERS[1:]
    refused(cli("import", export(tmp_path / "bad.xlsx", orders)), message, "未导入任何数据")
    assert records(cli.data) == {}


def test_a_sheet_with_no_recognisable_header_is_refused(cli: Cli, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append([TITLE])
    ws.append(["甲", "乙", "丙"])
    ws.append([1, 2, 3])
    wb.save(tmp_path / "x.xlsx")
    refused(cli("import", tmp_path / "x.xlsx"), "「Sheet1」：前 20 行中没有可识别的表头（应有 受理时间、受理渠道")


def test_a_replied_order_without_verdict_is_refused(cli: Cli, tmp_path: Path) -> None:
    orders = list(ORDERS)
    orders[3] = orders[3][:13] + (None,) + orders[3][14:]
    refused(cli("import", export(tmp_path / "v.xlsx", orders)), "「工单明细」第8行，「是否属实」：工单已答复，须填核实结论")


def test_the_bulletin_marks_figures_resting_on_unknown_times(cli: Cli, tmp_path: Path) -> None:
    ok(cli("import", export(tmp_path / "95598.xlsx")))
    r = cli("report", "--month", "2025-11", "--at", "2025-12-01 09:00", "--format", "json")
    ok(r)
    data = json.loads(r.stdout)
    assert data["received"] == 8
    assert data["time_unknown"] == 6
    assert any(w.startswith("6 件投诉有时间未知的步骤") for w in data["warnings"])
    late = {(row["id"], row["stage"]) for row in data["late"]}
    refs = {d["id"]: d["ref"] for d in records(cli.data).values()}
    # The archived orders' dispatch/contact/review stages rest on unknown times: never listed late.
    assert not [x for x in late if refs[x[0]] in ("2511050007", "2511060008")]


def _as_xls(path: Path, head=HEAD_A, orders=ORDERS) -> Path:  # noqa: ANN001
    """The same export as an old .xls (BIFF8), with real Excel dates where the 95598 system writes them."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("工单明细")
    ws.write_merge(0, 0, 0, len(head) - 1, TITLE)
    ws.write(1, 0, "导出时间：2025-11-30 17:00:00")
    for c, h in enumerate(head):
        ws.write(3, c, h)
    dates = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
    for r, o in enumerate(orders, 4):
        row = dict(zip(["工单编号", "受理时间", "来源", "业务子类", "客户名称", "联系电话", "用电地址", "户号", "受理内容",
                        "供电单位", "派单时间", "回复时间", "处理意见", "是否属实", "回访时间", "回访结果", "工单状态"], o))
        row.update({"序号": r - 3, "紧急程度": "一般"})
        for c, h in enumerate(head):
            v = row[h]
            if isinstance(v, str) and h.endswith("时间") and "/" in v:
                ws.write(r, c, datetime.strptime(v, "%Y/%m/%d %H:%M:%S"), dates)
            elif v is not None:
                ws.write(r, c, v)
    ws.write(4 + len(orders), 0, f"合计：{len(orders)}条")
    book.save(str(path))
    return path


def test_an_old_xls_export_is_read(cli: Cli, tmp_path: Path) -> None:
    r = cli("import", _as_xls(tmp_path / "95598.xls"))
    ok(r)
    assert "导入完成：新增 8 件" in r.stdout
    got = by_ref(cli.data)
    assert got["2511040004"]["history"][1]["at"] == "2025-11-04T08:30:00+08:00"  # an Excel date cell
    assert got["2511030003"]["customer"]["phone"] == "02312345678"
    assert [e["action"] for e in got["2511050007"]["history"]][-1] == "archive"
    # The .xls and the .xlsx of the same export are the same orders: nothing new the second time.
    r = cli("import", export(tmp_path / "95598.xlsx"))
    assert "新增 0 件，未变 8 件，冲突 0 件。" in r.stdout


def test_a_damaged_xls_says_how_to_convert(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "坏.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    refused(cli("import", bad), "不是有效的 .xls 文件", "「文件 → 另存为」选择「Excel 工作簿 (*.xlsx)」")
