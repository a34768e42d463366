"""The monthly bulletin as a spreadsheet a manager opens in Excel or WPS and prints on A4 (SPEC §6).

Renders the dict of `reports.monthly.month_report`; computes nothing itself. Written in write-only
(streaming) mode so a month of 10,000 complaints takes a second or two. Every string is an explicit
text cell (excel.safe), so nothing a customer typed can run as a formula; times are real Excel dates
(China time, no zone), deadlines text in the 24:00 notation (SPEC §3). The sheet mechanics (fonts,
page header and footer, fitting) are excel/sheet.py's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import Reference
from openpyxl.worksheet.pagebreak import Break

from tousu.excel.cases import cases_sheet
from tousu.excel.safe import save_atomic
from tousu.excel.sheet import (DATE_FORMAT, MASKED_NOTE, MIN_PRINT_PT, PERCENT, UNMASKED_NOTE, Sheet, Styled,
                               chinese_workbook, count_chart, header_row, note, page_header, text_width)
from tousu.reports.monthly import summary_units
from tousu.reports.rates import RATES
from tousu.timeutil import from_iso, human



def _rate(value: float | None) -> Styled:
    return Styled("—", "none") if value is None else Styled(value, "cell", PERCENT)


def _change_ratio(value: float | None) -> Styled:
    return Styled("—（基数为0）") if value is None else Styled(value, "cell", "+0.0%;-0.0%;0.0%")


def _signed(n: int) -> Styled:
    return Styled(n, "cell", "+0;-0;0")


def _sheet(wb: Workbook, r: dict[str, Any], title: str, widths: Sequence[float], **kw: Any) -> Sheet:
    return Sheet(wb, title, widths, header=page_header(r), **kw)


# ---------------------------------------------------------------- 汇总

_SUMMARY_WIDTHS = [34, 12, 12, 12, 12, 12, 12, 12, 12]
_RATE_SPANS = ((5, 6), (7, 9))  # 分子口径 in E:F, 分母口径 in G:I


def _summary(wb: Workbook, r: dict[str, Any]) -> None:
    sh = _sheet(wb, r, "汇总", _SUMMARY_WIDTHS, landscape=True, freeze="A2", boxed=True)
    _summary_head(sh, r)
    _overview(sh, r)
    end_of_overview = sh.row
    _rates(sh, r)
    if sum(sh.heights.values()) > sh.page_points():  # 一 and 二 do not fit one page: 二 starts the next, whole
        sh.ws.row_breaks.append(Break(id=end_of_overview))
    # 一 and 二 fill the first page(s); 三 (a row per unit) and the chart start the next, whole
    sh.ws.row_breaks.append(Break(id=sh.add()))
    first, last = _units(sh, r)
    chart_top = _channels(sh, r)
    if last > first:
        largest = max([0] + [max(u["received"], u["counted"]) for u in r["by_unit"].values()])
        chart = count_chart("col", "各责任单位受理与属实投诉", "责任单位", largest)
        chart.add_data(Reference(sh.ws, min_col=2, max_col=3, min_row=first, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sh.ws, min_col=1, min_row=first + 1, max_row=last))
        chart.legend.position = "b"
        sh.chart(chart, 5, chart_top, len(_SUMMARY_WIDTHS), max(sh.row, chart_top + 14))
    # 六 (a row per unit) starts the third page, whole: 三, 四, 五 and the chart keep the second
    while sh.row < sh.last_row:
        sh.add()
    sh.ws.row_breaks.append(Break(id=sh.row))
    _unit_rates(sh, r)
    if r["warnings"]:
        sh.add()
        for w in r["warnings"]:
            row = [Styled(f"注意：{w}", "warn")]
            sh.add(row, merge=sh.cols, height=sh.fit_height(row, [(1, sh.cols)]))
    sh.finish()


def _summary_head(sh: Sheet, r: dict[str, Any]) -> None:
    cols = len(_SUMMARY_WIDTHS)
    sh.add([Styled(r["title"], "title")], height=24, merge=cols)
    sh.add([Styled("统计范围", "label"), Styled(f"{r['month']} 受理的投诉（中国时间）", "left")]
           + [Styled(None, "left")] * 3, spans=[(2, 5)])
    # the 统计截止 time needs 16 columns, so it spans B:C
    sh.add([Styled("统计截止", "label"), Styled(from_iso(r["as_of"]), "left", DATE_FORMAT),
            Styled(None, "left")], spans=[(2, 3)])
    note(sh, r, cols)
    sh.add()


def _overview(sh: Sheet, r: dict[str, Any]) -> None:
    sh.add([Styled("一、总体情况", "section")])
    mom, yoy = r["month_on_month"], r["year_on_year"]
    header_row(sh, ["指标", "本月", f"上月（{mom['month']}）", "环比增减", "环比", f"去年同月（{yoy['month']}）",
                 "同比增减", "同比"])
    for key, name in (("received", "受理投诉（件）"), ("counted", "属实且供电责任（件，第九条）")):
        m, y = mom[key], yoy[key]
        row = [Styled(name, "label"), m["current"], m["previous"], _signed(m["change"]), _change_ratio(m["ratio"]),
               y["previous"], _signed(y["change"]), _change_ratio(y["ratio"])]
        sh.add(row, height=sh.fit_height(row))
    esc, hh = r["escalated"], r["households"]
    repeat = f"同一户号或电话、同一投诉项，{r['repeat_window_days']}天内再次投诉"
    per = "—" if hh["per_10k_households"] is None else hh["per_10k_households"]
    cover = f"属实件数 ÷ 客户户数 × 10000；按 {'、'.join(hh['units'])} 共 {hh['households']} 户" if hh["units"] \
        else "org.yaml 的单位未填客户户数（households）"
    for name, value, remark in (
            ("不计入统计（不属实或非供电责任、未核实）", r["not_counted"], ""),
            ("越级投诉（件，第二十五条）", esc["received"], f"其中属实 {esc['counted']} 件；属实的加倍考核"),
            ("属实但尚未考核（件）", len(r["counted_unassessed"]), "、".join(r["counted_unassessed"][:20])),
            ("万户投诉率（件/万户）", per, cover),
            ("重复投诉（件）", len(r["repeats"]), repeat),
            ("超期环节（个）", len(r["late"]), "按应办方分列见“三、按责任单位”，明细见“超期明细”表"),
            ("催办（次）", r["urges_total"], "本月登记的催办，按被催办方分列见“三、按责任单位”"),
            ("作废工单（件，不计入统计）", len(r["voided"]), "误录或重复受理而作废，明细见“作废工单”表")):
        row = [Styled(name, "label"), value, Styled(remark, "note")]
        sh.add(row, height=sh.fit_height(row, [(3, 8)]), spans=[(3, 8)])
    sh.add()


def _rates(sh: Sheet, r: dict[str, Any]) -> None:
    sh.add([Styled("二、处理质量（第二十一条；按本月受理的全部投诉计算，口径如右，另见“说明”表）", "section")])
    heads = ["指标", "比率", "分子", "分母", "分子口径", "", "分母口径", "", ""]
    sh.add([Styled(h, "head") for h in heads], height=30, spans=_RATE_SPANS)
    for rate in RATES:
        cnt = r["rate_counts"][rate.key]
        sh.wrapped([Styled(rate.name, "label"), _rate(r["rates"][rate.key]), cnt["numerator"], cnt["denominator"],
                    Styled(rate.numerator, "wrap"), Styled(None, "wrap"),
                    Styled(rate.denominator, "wrap"), Styled(None, "wrap"), Styled(None, "wrap")],
                   style="cell", spans=_RATE_SPANS)


def _units(sh: Sheet, r: dict[str, Any]) -> tuple[int, int]:
    """三: a row per unit, then 95598班 (and 市场营销部 when org.yaml lacks it); 超期环节 charged to who owed it,
    催办 to whom it pressed."""
    sh.add([Styled("三、按责任单位（超期环节按应办方计：95598班派发、回访，市场营销部审核，责任单位联系、答复、退回；"
                   "催办按被催办方计）", "section")])
    first = header_row(sh, ["责任单位", "受理", "属实", "属实排名", "客户户数", "万户投诉率", "超期环节", "催办（次）"])
    last = first
    urged = r["urges_by_unit"]
    for name, u, late in summary_units(r):
        if u is None:
            sh.add([Styled(name, "label"), "—", "—", "—", "—", "—", late, urged.get(name, 0)])
            continue
        per = u.get("per_10k_households")
        last = sh.add([Styled(name, "label"), u["received"], u["counted"],
                       "—" if u["rank"] is None else u["rank"], u.get("households") or "—",
                       "—" if per is None else Styled(per, "cell", "0.00"), late, urged.get(name, 0)])
    sh.add([Styled("合计", "total"), Styled(r["received"], "total"), Styled(r["counted"], "total"), None,
            Styled(r["households"]["households"] or None, "total"), None, Styled(len(r["late"]), "total"),
            Styled(r["urges_total"], "total")])
    sh.add()
    return first, last


def _unit_rates(sh: Sheet, r: dict[str, Any]) -> None:
    sh.add([Styled("六、各单位处理质量", "section")])
    header_row(sh, ["责任单位"] + [x.name for x in RATES])
    for unit, u, _late in summary_units(r):  # the units of 三, no row of dashes for an idle 职能部门
        if u is not None:
            sh.add([Styled(unit, "label")] + [_rate(u["rates"][k.key]) for k in RATES])
    sh.add()


def _channels(sh: Sheet, r: dict[str, Any]) -> int:
    """四 and 五 are narrow tables (A:C): the chart of 三 stands to their right, in E:I."""
    top = sh.add([Styled("四、按受理渠道", "section")])
    header_row(sh, ["受理渠道", "受理", "属实"])
    for ch, v in r["by_channel"].items():
        sh.add([Styled(ch, "label"), v["received"], v["counted"]])
    sh.add()
    sh.add([Styled("五、属实投诉按事件等级", "section")])
    header_row(sh, ["事件等级", "属实"])
    for sev, n in r["by_severity"].items():
        sh.add([Styled(sev, "label"), n])
    return top


# ---------------------------------------------------------------- 分类统计


def _unit_groups(units: list[str], fixed: Sequence[float], width_of: Any) -> list[list[str]]:
    """Units in as few groups as print at MIN_PRINT_PT or more on a landscape A4 page, of even size."""
    from tousu.excel.sheet import column_px, printable_px

    budget = printable_px(True) * 11 / MIN_PRINT_PT - sum(column_px(w) for w in fixed)
    widest = max([column_px(width_of(u)) for u in units] or [1])
    per = max(1, int(budget // widest))
    count = max(1, math.ceil(len(units) / per))
    size = math.ceil(len(units) / count)
    return [units[i:i + size] for i in range(0, len(units), size)] or [[]]


def _categories(wb: Workbook, r: dict[str, Any]) -> None:
    units = list(r["by_unit"])
    width_of = lambda u: max(8, min(16, math.ceil(text_width(u) / 2) + 3))  # noqa: E731 - a name wraps in two lines
    groups = _unit_groups(units, [18, 14, 10, 10], width_of)
    widest = max(groups, key=len)
    widths = [18, 14] + [width_of(u) for u in widest] + [10, 10]
    sh = _sheet(wb, r, "分类统计", widths, landscape=len(widest) > 5, freeze="C3", boxed=True)
    sh.add([Styled(f"{r['month']} 属实投诉分类统计（四大类十七项 × 责任单位，第十条）", "title")],
           height=24, merge=len(widths))
    for n, group in enumerate(groups, 1):
        if len(groups) > 1:
            if n > 1:  # each group of units on a page of its own
                sh.ws.row_breaks.append(Break(id=sh.row))
            sh.add([Styled(f"（{n}/{len(groups)}）{group[0]} — {group[-1]}", "section")])
        _item_table(sh, r, group)
        sh.add()
    if len(groups) > 1:  # 按大类 and its chart together on the last page
        sh.ws.row_breaks.append(Break(id=sh.row))
    top = sh.add([Styled("按大类", "section")])
    first = header_row(sh, ["投诉大类", "属实", "受理"])
    for cat, v in r["by_category"].items():
        sh.add([Styled(cat, "label"), v["counted"], v["received"]])
    last = sh.row
    largest = max([0] + [v["counted"] for v in r["by_category"].values()])
    chart = count_chart("bar", "属实投诉按大类", "投诉大类", largest)
    chart.add_data(Reference(sh.ws, min_col=2, max_col=2, min_row=first, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sh.ws, min_col=1, min_row=first + 1, max_row=last))
    chart.legend = None  # one series: its name is the title
    sh.chart(chart, 5, top, min(len(widths), 10), top + 14)
    if len(groups) == 1:
        sh.ws.page_setup.fitToHeight = 1  # one table and its chart: one page, never a page of chart alone
    sh.finish()


def _item_table(sh: Sheet, r: dict[str, Any], units: list[str]) -> None:
    header_row(sh, ["投诉大类", "投诉项"] + units + ["属实合计", "受理合计"])
    for item, v in r["by_item"].items():
        sh.add([Styled(v["category"], "label"), Styled(item, "label")]
               + [v["by_unit"].get(u, 0) for u in units] + [Styled(v["counted"], "total"), v["received"]])
    col_tot = [sum(v["by_unit"].get(u, 0) for v in r["by_item"].values()) for u in units]
    sh.add([Styled("合计", "total"), Styled("", "total")] + [Styled(n, "total") for n in col_tot]
           + [Styled(r["counted"], "total"), Styled(r["received"], "total")])


# ---------------------------------------------------------------- lists


_BASIS_WIDTH = 34  # 计算依据: "2026-11-09 15:40 起4个工作日" and the like on one line
_LATE_WIDTHS = [16, 9, 12, 12, 16, 16, 16, 9, 10, 10, _BASIS_WIDTH]


def _late(wb: Workbook, r: dict[str, Any]) -> None:
    """超期明细 grouped by who owed the stage (95598班, 市场营销部, then the units), each with its subtotal."""
    heads = ["编号", "投诉项", "环节", "应办方", "起算时间", "期限", "完成时间", "状态", "超期时长", "依据条款", "计算依据"]
    sh = _sheet(wb, r, "超期明细", _LATE_WIDTHS, landscape=True, freeze="B3", print_rows="1:2")
    sh.add([Styled(f"{r['month']} 受理投诉的超期环节（{len(r['late'])} 个；截至 {human(from_iso(r['as_of']))}；"
                   "期限 24:00 即该日结束）", "title")], height=24, merge=len(heads))
    header_row(sh, heads)
    for owner in r["late_owners"]:
        rows = [x for x in r["late"] if x["owner"] == owner["owner"]]
        for x in rows:
            sh.wrapped([x["id"], x["item"], x["stage_name"], x["owner"], from_iso(x["started"]), x["deadline_text"],
                        from_iso(x["done_at"]) if x["done_at"] else "未完成",
                        "未完成" if x["pending"] else "超时完成", x["late_by"], x["clause"],
                        Styled(x["basis"], "wrap")], style="cell")
        if rows:
            stages = "、".join(f"{k} {v}" for k, v in owner["by_stage"].items())
            sh.add([Styled(f"{owner['owner']} 小计：{owner['total']} 个（{stages}）", "total")], merge=5)
    if not r["late"]:
        sh.add(["本月受理的投诉没有超期环节。"])
    sh.finish()


def _penalties(wb: Workbook, r: dict[str, Any]) -> None:
    heads = ["编号", "被考核人", "所在单位", "考核条款", "依据", "金额（元）", "登记时间", "归月", "处分/其他"]
    sh = _sheet(wb, r, "考核明细", [16, 10, 14, 34, 20, 10, 17, 16, 26], landscape=True, freeze="A3",
                print_rows="1:2")
    sh.add([Styled(f"{r['month']} 考核明细（第二十三至二十六条；按考核登记时间归月，第二十八条）", "title")], height=24,
           merge=len(heads))
    header_row(sh, heads)
    for p in r["penalties"] + r["later_penalties"]:
        month = p.get("registered_month") or r["month"]
        mark = f"次月后登记，计入{month}" if p.get("registered_later") else "本月"
        sh.wrapped([p.get("id", ""), p.get("person") or "", p.get("unit") or p.get("person_unit") or "",
                    p.get("rule_name", ""), p.get("clause", ""), p.get("amount") or 0,
                    from_iso(p["at"]) if p.get("at") else None, mark, p.get("sanction") or ""])
    if r["penalties"]:
        total = sum(p.get("amount") or 0 for p in r["penalties"])
        sh.add([Styled("本月登记合计", "total"), None, None, None, None, Styled(total, "total")])
    if r["later_penalties"]:
        later = sum(p.get("amount") or 0 for p in r["later_penalties"])
        sh.add([Styled("次月后登记合计", "total"), None, None, None, None, Styled(later, "total")])
    if not r["penalties"] and not r["later_penalties"]:
        sh.add(["本月没有登记考核。"])
    if r.get("unit_fines"):
        sh.add()
        sh.add([Styled("责任单位考核（第二十六条等）", "section")])
        header_row(sh, ["单位", "件数", "金额（元）", "编号"])
        for f in r["unit_fines"]:
            sh.wrapped([f["unit"], f["count"], f["amount"], "、".join(p["id"] for p in f["penalties"])])
    sh.finish()


def _ledger(wb: Workbook, r: dict[str, Any]) -> None:
    heads = ["姓名", "单位", "月度绩效", "上月结转", "本月考核", "本月应扣", "本月实扣", "结转下月"]
    keys = ["person", "unit", "monthly_performance", "carried_in", "assessed", "due", "deducted", "carried"]
    sh = _sheet(wb, r, "绩效扣款", [12, 16, 12, 12, 12, 12, 12, 12], landscape=False, freeze="A3", print_rows="1:2")
    sh.add([Styled(f"{r['month']} 绩效扣款台账（元；当月绩效不够扣除的移至下月，第二十八条）", "title")], height=24,
           merge=len(heads))
    header_row(sh, heads)
    for row in r["ledger"]:
        sh.add([row.get(k) for k in keys])
    if not r["ledger"]:
        sh.add(["本月没有需要扣款的人员。"])
    sh.finish()


def _repeats(wb: Workbook, r: dict[str, Any]) -> None:
    heads = ["编号", "受理时间", "前次投诉", "前次受理时间", "间隔（天）", "相同", "投诉项", "责任单位", "客户", "电话", "户号"]
    sh = _sheet(wb, r, "重复投诉", [16, 17, 16, 17, 10, 10, 10, 14, 10, 14, 16], landscape=True, freeze="A4",
                print_rows="1:3")
    sh.add([Styled(f"{r['month']} 重复投诉（同一户号或电话、同一投诉项，{r['repeat_window_days']}天内）", "title")],
           height=24, merge=len(heads))
    note(sh, r, len(heads))
    header_row(sh, heads)
    for x in r["repeats"]:
        sh.add([x["id"], from_iso(x["received_at"]), x["previous_id"], from_iso(x["previous_received_at"]),
                x["days_apart"], x["match"], x["item"], x["unit"] or "—", x["customer"], x["phone"], x["account"]])
    if not r["repeats"]:
        sh.add(["本月没有重复投诉。"])
    sh.finish()


def _voided(wb: Workbook, r: dict[str, Any]) -> None:
    """作废工单: each voided complaint of the month once (SPEC §2); none of them is in another sheet."""
    heads = ["编号", "受理时间", "投诉项", "作废原因", "作废人", "作废时间"]
    sh = _sheet(wb, r, "作废工单", [16, 17, 10, 56, 10, 17], landscape=True, freeze="A4", print_rows="1:3")
    sh.add([Styled(f"{r['month']} 作废工单（误录或重复受理；不计入任何统计、时限和考核）", "title_wrap")],
           height=36, merge=len(heads))
    note(sh, r, len(heads))
    header_row(sh, heads)
    for x in r["voided"]:
        sh.wrapped([x["id"], from_iso(x["received_at"]), x["item"], Styled(x["reason"], "wrap"), x["by"],
                    from_iso(x["at"])], style="cell")
    if not r["voided"]:
        sh.add(["本月没有作废工单。"])
    sh.finish()


def _explained(wb: Workbook, r: dict[str, Any]) -> None:
    """说明: what each figure counts, so the printed copy needs no other document."""
    sh = _sheet(wb, r, "说明", [18, 92], landscape=False, freeze="A2", print_rows="1:1")
    sh.add([Styled(f"{r['month']} 客户投诉通报：统计口径说明", "title")], height=24, merge=2)
    rows = [
        ("统计范围", f"{r['month']} 受理的投诉（受理时间，中国时间）；统计截止 {human(from_iso(r['as_of']))}，此后的处理步骤和考核不计入。"),
        ("计入统计", "核实属实且属供电责任的投诉才计入投诉统计并纳入考核（第九条）；五项处理质量比率按本月受理的全部投诉计算，"
                     "不论是否属实（第二十一条衡量的是处理）。无可计算的件数时显示“—”。"),
        *[(x.name, f"分子：{x.numerator}。\n分母：{x.denominator}。\n按单位：{x.unit_rule}。\n依据：{x.clause}。") for x in RATES],
        ("超期环节", "每个环节计给应办方：95598班 派发（1小时，第十四条）、回访（24小时，第十六条）；责任单位 首次联系（1个工作日）、"
                     "答复（4个工作日或批准的延期，第十五条）、退回（1个工作日，第十七条）；市场营销部 营销部审核。期限写作"
                     "“2026-11-13 24:00”，即该日结束；工作日按国家法定节假日和调休计算。"),
        ("越级投诉", "客户另向公司以外（国家电网公司、12398、政府热线等）投诉的（第二十五条），经查属实的考核金额上下限加倍。"),
        ("万户投诉率", "属实件数 ÷ 客户户数 × 10000；户数为 org.yaml 中各单位的 households，未填户数的单位不计。"),
        ("考核归月", "考核按登记时间归月，罚款从登记当月绩效中扣除，不够扣的移至下月直至扣完（第二十八条）。本月投诉在次月以后"
                     "登记的考核也列在“考核明细”，标“次月后登记”，计入登记月份的扣款台账。"),
        ("催办", "95598班或市场营销部对未办结环节的催促（tousu urge），记给当时应办的一方（责任单位、95598班或市场营销部），"
                 "按催办登记时间归月；“三、按责任单位”逐方列出，合计为全公司本月催办次数。作废工单上的催办不计。"),
        ("作废工单", "误录或重复受理而作废的投诉（tousu void）不计入任何统计、比率、超期环节、考核和扣款，"
                     "只在“作废工单”表中列出一次（编号、受理时间、作废原因、作废人）；其编号不再使用。"),
        ("客户信息", UNMASKED_NOTE if r["unmasked"] else MASKED_NOTE + "正文中出现的客户姓名、电话、户号、地址同样屏蔽。"),
    ]
    if r.get("rules"):
        rows.append(("规则文件", str(r["rules"])))
    for label, text in rows:
        sh.wrapped([Styled(label, "label"), Styled(text, "wrap")])
    sh.finish()


def write_month(report: dict[str, Any], path: Path) -> None:
    """Write the bulletin; the file appears whole or not at all."""
    wb = chinese_workbook()
    for sheet in (_summary, _categories, cases_sheet, _late, _penalties, _ledger, _repeats, _voided,
                  _explained):
        sheet(wb, report)
    wb.properties.title = report["title"]
    wb.properties.creator = "tousu"
    save_atomic(wb, path)
