"""The monthly bulletin in the terminal (rich tables, Chinese), rendered from `report.month_report`'s dict."""

from __future__ import annotations

import re
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from tousu.reports.monthly import summary_units
from tousu.reports.rates import RATES
from tousu.timeutil import from_iso, human, human_deadline

TERMINAL_ROWS = 50  # long lists are cut here; -o FILE.xlsx and --format json give all
UNMASKED_LINE = "注意：本报表未屏蔽客户信息（--unmask），仅供市场营销部内部使用，不得外传。"

# Column names for the half-year statistics, whose keys come from assessment.
HEADERS = {
    "unit": "单位", "person": "姓名", "received": "受理", "counted": "属实", "amount": "金额（元）",
    "total": "合计", "count": "件数", "cases": "件数", "rule": "考核条款", "rule_name": "条款内容",
    "clause": "依据", "id": "编号", "month": "月份", "due": "应扣", "deducted": "实扣", "carried": "结转",
    "assessed": "考核", "carried_in": "上期结转", "monthly_performance": "月度绩效", "fines": "罚款",
    "half": "半年", "year": "年度", "label": "期间", "from": "统计期间起", "to": "统计期间止", "as_of": "统计截止", "by_category": "按大类",
    "by_unit": "按单位", "by_person": "按人员", "penalties": "考核明细", "total_fines": "考核合计（元）",
    "unassessed": "属实未考核", "person_unit": "所在单位", "person_fines": "个人考核", "unit_fines": "单位考核", "items": "投诉项",
    "severity": "事件等级", "item": "投诉项", "escalated_to": "越级渠道", "at": "登记时间", "sanction": "处分", "period": "期间", "rate": "比率", "opinion": "考核意见",
}


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _change(c: dict[str, Any]) -> str:
    ratio = "—" if c["ratio"] is None else f"{c['ratio'] * 100:+.1f}%"
    return f"{c['previous']}（{c['change']:+d}，{ratio}）"


_WHOLE = {"编号", "责任单位", "指标", "前次", "投诉项", "环节", "比率", "分子/分母", "姓名", "本月", "渠道", "投诉大类",
          "名称", "项目", "受理", "属实", "单位", "事件等级", "金额（元）", "合计", "期限/完成", "登记", "排名",
          "超期环节", "责任方", "被考核", "催办", "受理时间", "作废人/时间"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")


def _t(title: str, *cols: str, compact: bool = False) -> Table:
    """A table whose key columns (IDs, names, times) are never cut and whose other columns fold
    (never "…"); compact tables (many columns) drop the inner rules to fit 80 columns."""
    t = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD if compact else box.HEAVY_HEAD,
              pad_edge=not compact)
    for c in cols:
        t.add_column(c, no_wrap=c in _WHOLE, overflow="fold")
    return t


def _row(t: Table, *cells: str | Text, **kw: Any) -> None:
    """Add a row; plain strings are text as typed (a customer's '[/]' is not markup), Text keeps its style."""
    t.add_row(*(escape(c) if isinstance(c, str) else c for c in cells), **kw)


def _cut(rows: list[Any]) -> list[Any]:
    return rows[:TERMINAL_ROWS]


def _cut_note(console: Console, rows: list[Any], what: str) -> None:
    """Under its own table: how many rows the terminal left out."""
    if len(rows) > TERMINAL_ROWS:
        console.print(f"[dim]（{what}共 {len(rows)} 条，以上列出前 {TERMINAL_ROWS} 条；完整内容请用 -o 文件.xlsx 或 --format json）[/]")


def _when(iso_text: str | None) -> str:
    return human(from_iso(iso_text)) if iso_text else "—"


def month(console: Console, r: dict[str, Any]) -> None:
    """`tousu report --month`: headline, rates, categories, units, channels, late stages, bulletins, penalties."""
    console.print(f"[bold]{escape(r['title'])}[/]（{r['month']} 受理；统计截至 {human(from_iso(r['as_of']))}）")
    if r["unmasked"]:
        console.print(f"[bold red]{UNMASKED_LINE}[/]")
    for part in (_overview, _rates, _categories, _units, _unit_rates, _channels, _late, _repeats, _bulletins,
                 _penalties, _ledger, _voided):
        part(console, r)
    if r["unmasked"]:
        console.print(f"[bold red]{UNMASKED_LINE}[/]")


def _overview(console: Console, r: dict[str, Any]) -> None:
    mom, yoy = r["month_on_month"], r["year_on_year"]
    t = _t("总体情况", "指标", "本月", f"上月 {mom['month']}（环比）", f"去年同月 {yoy['month']}（同比）")
    for key, name in (("received", "受理投诉"), ("counted", "属实且供电责任（第九条）")):
        _row(t, name, str(r[key]), _change(mom[key]), _change(yoy[key]))
    esc = r["escalated"]
    _row(t, "越级投诉（第二十五条）", f"{esc['received']}（属实 {esc['counted']}）", "", "")
    _row(t, "属实但尚未考核", str(len(r["counted_unassessed"])), "", "")
    _row(t, "重复投诉", str(len(r["repeats"])), "", "")
    _row(t, "超期环节", str(len(r["late"])), "", "")
    _row(t, "催办（次）", str(r["urges_total"]), "", "")
    _row(t, "作废工单（不计入统计）", str(len(r["voided"])), "", "")
    hh = r["households"]
    if hh["per_10k_households"] is not None:
        _row(t, "万户投诉率（属实）", f"{hh['per_10k_households']:.2f}", f"按 {hh['households']} 户", "")
    console.print(t)


def _rates(console: Console, r: dict[str, Any]) -> None:
    t = _t("处理质量（第二十一条）", "指标", "比率", "分子/分母")
    for rate in RATES:
        cnt = r["rate_counts"][rate.key]
        _row(t, rate.name, pct(r["rates"][rate.key]), f"{cnt['numerator']}/{cnt['denominator']}")
    console.print(t)
    console.print("[dim]口径（按本月受理的全部投诉计算，不论是否属实；无可计算的件数时显示“—”）：[/]")
    for rate in RATES:
        console.print(f"[dim]  {rate.name} ＝ {escape(rate.numerator)} ÷ {escape(rate.denominator)}（{rate.clause}）[/]")


def _categories(console: Console, r: dict[str, Any]) -> None:
    t = _t("属实投诉分类（第十条）", "投诉大类", "投诉项", "属实", "受理")
    for cat, v in r["by_category"].items():
        for i, (item, n) in enumerate(v["items"].items()):
            _row(t, cat if i == 0 else "", item, str(n), str(v["items_received"][item]))
        _row(t, "", Text(f"{cat}小计", "bold"), Text(str(v["counted"]), "bold"), Text(str(v["received"]), "bold"),
             end_section=True)
    console.print(t)


def _units(console: Console, r: dict[str, Any]) -> None:
    t = _t("按责任单位（超期环节按应办方计，含95598班、市场营销部；催办按被催办方计）", "责任单位", "受理", "属实",
           "排名", "万户投诉率", "超期环节", "催办")
    urged = r["urges_by_unit"]
    for name, u, late in summary_units(r):
        if u is None:
            _row(t, name, "—", "—", "—", "—", str(late), str(urged.get(name, 0)))
        else:
            per = "—" if u.get("per_10k_households") is None else f"{u['per_10k_households']:.2f}"
            _row(t, name, str(u["received"]), str(u["counted"]),
                 "—" if u["rank"] is None else str(u["rank"]), per, str(late), str(urged.get(name, 0)))
    _row(t, Text("合计", "bold"), str(r["received"]), str(r["counted"]), "", "", str(len(r["late"])),
         str(r["urges_total"]))
    console.print(t)


def _unit_rates(console: Console, r: dict[str, Any]) -> None:
    t = _t("各单位处理质量", "责任单位", *(x.name for x in RATES), compact=True)
    for unit, u, _late in summary_units(r):  # the units of 按责任单位, no row of dashes for an idle 职能部门
        if u is not None:
            _row(t, unit, *(pct(u["rates"][x.key]) for x in RATES))
    console.print(t)


def _channels(console: Console, r: dict[str, Any]) -> None:
    t = _t("按受理渠道", "渠道", "受理", "属实")
    for ch, v in r["by_channel"].items():
        _row(t, ch, str(v["received"]), str(v["counted"]))
    console.print(t)


def _late(console: Console, r: dict[str, Any]) -> None:
    if not r["late"]:
        return
    t = _t(f"超期环节（{len(r['late'])} 个）", "编号", "环节/依据", "责任方", "期限/完成", "超期")
    for x in _cut(r["late"]):
        done = Text(_when(x["done_at"])) if x["done_at"] else Text("未完成", "red")
        _row(t, x["id"], f"{x['stage_name']}\n{x['clause']}", x["owner"],
             Text(human_deadline(from_iso(x["deadline"])) + "\n") + done, x["late_by"])
    console.print(t)
    _cut_note(console, r["late"], "超期环节")


def _repeats(console: Console, r: dict[str, Any]) -> None:
    if not r["repeats"]:
        return
    t = _t(f"重复投诉（{r['repeat_window_days']}天内同一户号或电话、同一投诉项）", "编号", "前次", "间隔（天）",
           "相同", "投诉项", "客户")
    for x in _cut(r["repeats"]):
        _row(t, x["id"], x["previous_id"], str(x["days_apart"]), x["match"], x["item"], x["customer"])
    console.print(t)
    _cut_note(console, r["repeats"], "重复投诉")


def _bulletins(console: Console, r: dict[str, Any]) -> None:
    console.print(Text(f"投诉事件通报（第二十二条；{len(r['bulletins'])} 件）", "italic"))
    for n, b in enumerate(_cut(r["bulletins"]), 1):
        console.print(Text(f"（{n}）{b['id']}　{b['item']}　{b['unit'] or '—'}", "bold"))
        for label, key in (("原因", "cause"), ("整改措施", "measures"), ("考核意见", "opinion")):
            console.print(Text(f"  {label}：", "dim") + Text(b[key]))
    if not r["bulletins"]:
        console.print("  本月没有属实且供电责任的投诉。")
    _cut_note(console, r["bulletins"], "投诉事件通报")


def _penalties(console: Console, r: dict[str, Any]) -> None:
    rows = r["penalties"] + r["later_penalties"]
    title = f"本月考核（{len(r['penalties'])} 项"
    title += f"；另有本月投诉在次月以后登记的 {len(r['later_penalties'])} 项，标“后登记”）" if r["later_penalties"] else "）"
    t = _t(title, "编号", "被考核", "金额（元）", "登记", "考核条款", "依据")
    for p in _cut(rows):
        at = from_iso(p["at"])
        when = f"{at:%m-%d}" + ("\n后登记" if p.get("registered_later") else "")
        _row(t, p["id"], str(p.get("person") or p.get("unit") or ""), str(p.get("amount", "")), when,
             str(p.get("rule_name", "")), str(p.get("clause", "")))
    console.print(t)
    _cut_note(console, rows, "考核")


def _ledger(console: Console, r: dict[str, Any]) -> None:
    t = _t("绩效扣款台账（第二十八条）", "姓名", "单位", "月度绩效", "上月结转", "本月考核", "应扣", "实扣", "结转下月")
    for x in r["ledger"]:
        _row(t, *(str(x.get(k, "") if x.get(k) is not None else "—") for k in
                  ("person", "unit", "monthly_performance", "carried_in", "assessed", "due", "deducted", "carried")))
    console.print(t)


def _voided(console: Console, r: dict[str, Any]) -> None:
    """作废 (SPEC §2): each voided complaint of the month once, after every figure it is not part of."""
    if not r["voided"]:
        return
    t = _t(f"作废工单（{len(r['voided'])} 件，误录或重复受理，不计入以上任何统计）", "编号", "受理时间",
           "作废人/时间", "作废原因")
    for x in _cut(r["voided"]):
        _row(t, x["id"], _when(x["received_at"]), f"{x['by']}\n{_when(x['at'])}", x["reason"])
    console.print(t)
    _cut_note(console, r["voided"], "作废工单")


def sections(data: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """A nested dict (the half-year statistics) as titled lists of flat rows, for tables and sheets."""
    out: list[tuple[str, list[dict[str, Any]]]] = []
    scalars = [{"项目": HEADERS.get(k, k),
                "数值": (human_deadline if k == "to" else human)(from_iso(v)) if _is_iso(v) else v}
               for k, v in data.items() if not isinstance(v, (dict, list))]
    if scalars:
        out.append(("概况", scalars))
    for k, v in data.items():
        title = HEADERS.get(k, k)
        if isinstance(v, dict) and v and all(isinstance(x, dict) for x in v.values()):
            out.append((title, [{"名称": name, **{kk: _flat(vv) if isinstance(vv, (dict, list)) else vv
                                                   for kk, vv in row.items()}} for name, row in v.items()]))
        elif isinstance(v, dict):
            out.append((title, [{"项目": HEADERS.get(str(kk), str(kk)), "数值": _flat(vv)} for kk, vv in v.items()]))
        elif isinstance(v, list):
            out.append((title, [{kk: _flat(vv) if isinstance(vv, (dict, list)) else vv for kk, vv in row.items()}
                                if isinstance(row, dict) else {"内容": _flat(row)} for row in v]))
    return out


_SHEET_ONLY = {"rule_name", "at"}  # left to `-o FILE.xlsx` in the terminal (the rule id and clause stay)


def generic(console: Console, title: str, data: dict[str, Any]) -> None:
    """The half-year statistics as tables."""
    console.print(Text(title, "bold"))
    for name, rows in sections(data):
        if not rows:
            console.print(f"{name}：无")
            continue
        keys = [k for k in dict.fromkeys(k for row in rows for k in row)
                if k not in _SHEET_ONLY and any(_flat(row.get(k)) not in ("", "—") for row in rows)]
        cells = [[_flat(row.get(k)) for k in keys] for row in rows]
        t = Table(title=name, title_justify="left")
        for i, k in enumerate(keys):  # short columns stay whole; long ones fold, but keep some width
            short = max(len(r[i]) for r in cells) <= 16
            t.add_column(HEADERS.get(k, k), no_wrap=short, overflow="fold", min_width=None if short else 10)
        for r in cells:
            _row(t, *r)
        console.print(t)


def _is_iso(v: Any) -> bool:
    return isinstance(v, str) and bool(_ISO.match(v))


def _flat(v: Any) -> str:
    if _is_iso(v):  # times from the JSON-able data, for people
        return human(from_iso(v))
    if isinstance(v, dict):
        return "；".join(f"{HEADERS.get(str(k), k)}：{_flat(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return "、".join(_flat(x) for x in v)
    return "—" if v is None else str(v)
