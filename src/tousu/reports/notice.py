"""The monthly 通报 as the 公文 a company issues (SPEC §6): its text and tables, as plain data.

Drafted from `month_report`'s dict only, so every number in it is the JSON's. The
Word writer (word/notice.py) lays it out and decides nothing. Sections: 一、总体情况
(prose from the figures), 二、分类与分布, 三、典型案例, 四、考核情况 (第二十三—二十八条),
五、下步工作要求 (the company's own text, never drafted here: without it the section is
a marked blank to fill), then 落款 and date.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tousu.config.org import Company
from tousu.errors import TousuError, choices
from tousu.reports.cases import most_serious
from tousu.reports.monthly import summary_units
from tousu.reports.rates import RATES
from tousu.timeutil import from_iso

BLANK = "【待填写】"
REQUIREMENTS_BLANK = (f"{BLANK}本节为本公司对下步工作的要求，tousu 不代拟。请用 --requirements 文件.txt "
                      "或 rules.yaml 的 report.requirements 给出，或在此处填写后再印发。")
CASE_FIELDS = (("经过", "course"), ("处理过程", "process"), ("原因", "cause"), ("责任", "responsibility"),
               ("整改措施", "measures"), ("人员处理考核意见", "opinion"))
NUMERALS = "一二三四五六七八九十"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _change(c: dict[str, Any], what: str) -> str:
    """'环比增加3件（+25.0%）', '环比持平', '环比增加3件（上月为0）'."""
    if c["change"] == 0:
        return f"{what}持平"
    word = "增加" if c["change"] > 0 else "减少"
    ratio = "上期为0" if c["ratio"] is None else f"{c['ratio'] * 100:+.1f}%"
    return f"{what}{word}{abs(c['change'])}件（{ratio}）"


def _serial(n: int) -> str:
    """（一）…（十）, then （11）…"""
    return f"（{NUMERALS[n - 1]}）" if 1 <= n <= len(NUMERALS) else f"（{n}）"


def overview(r: dict[str, Any]) -> list[str]:
    """一、总体情况 as paragraphs drafted from the figures."""
    mom, yoy = r["month_on_month"], r["year_on_year"]
    share = f"，占受理量的{_pct(r['counted'] / r['received'])}" if r["received"] else ""
    first = (f"{r['month_zh']}，共受理客户投诉{r['received']}件，{_change(mom['received'], '环比')}，"
             f"{_change(yoy['received'], '同比')}。经核实属实且属供电责任的投诉{r['counted']}件（第九条）{share}，"
             f"{_change(mom['counted'], '环比')}，{_change(yoy['counted'], '同比')}。")
    esc = r["escalated"]
    sev = {k: v for k, v in r["by_severity"].items() if k != "一般" and v}
    second = f"越级投诉{esc['received']}件，其中属实{esc['counted']}件（第二十五条，加倍考核）"
    second += ("；属实投诉中" + "、".join(f"{k}投诉事件{v}件" for k, v in sev.items())) if sev else ""
    hh = r["households"]
    if hh["per_10k_households"] is not None:
        second += f"；万户投诉率{hh['per_10k_households']:.2f}件/万户（按{'、'.join(hh['units'])}共{hh['households']}户计）"
    second += f"；属实但尚未考核{len(r['counted_unassessed'])}件。"
    rates = "、".join(f"{x.name}{_pct(r['rates'][x.key])}" for x in RATES)
    owners = [o for o in r["late_owners"] if o["total"]]
    late = f"本月受理的投诉中超期环节{len(r['late'])}个"
    late += ("，其中" + "、".join(f"{o['owner']}{o['total']}个" for o in owners)) if owners else ""
    third = f"处理质量方面，{rates}（口径见附表“说明”）。{late}；{_urged(r)}。"
    paragraphs = [first, second, third]
    if r["voided"]:
        paragraphs.append(f"另有作废工单{len(r['voided'])}件（误录或重复受理），不计入以上任何统计，"
                          "明细见“二、分类与分布”（四）。")
    return paragraphs


def _urged(r: dict[str, Any]) -> str:
    """'本月催办4次（南山供电所2次、东城供电所1次…）', most urged first (第十五条's pace, pressed by 95598班)."""
    if not r["urges_total"]:
        return "本月未登记催办"
    most = sorted(r["urges_by_unit"].items(), key=lambda kv: -kv[1])
    return f"本月催办{r['urges_total']}次（{'、'.join(f'{u}{n}次' for u, n in most)}）"


def rate_notes() -> list[str]:
    return [f"{x.name}＝{x.numerator} ÷ {x.denominator}（{x.clause}）。" for x in RATES]


def distribution(r: dict[str, Any]) -> list[dict[str, Any]]:
    """二、分类与分布: 大类/项, the units with their ranking, the 12-month trend."""
    items = [[v["category"], item, str(v["counted"]), str(v["received"])]
             for item, v in r["by_item"].items() if v["received"]]
    items.append(["合计", "", str(r["counted"]), str(r["received"])])
    order = list(r["by_unit"])
    urged = r["urges_by_unit"]
    rows = summary_units(r)
    units = sorted(((name, u, late) for name, u, late in rows if u is not None),
                   key=lambda x: (x[1]["rank"] is None, x[1]["rank"] or 0, order.index(x[0])))
    unit_rows = [["—" if u["rank"] is None else str(u["rank"]), name, str(u["received"]), str(u["counted"]),
                  "—" if not u.get("households") else str(u["households"]),
                  "—" if u.get("per_10k_households") is None else f"{u['per_10k_households']:.2f}",
                  str(late), str(urged.get(name, 0))] for name, u, late in units]
    unit_rows += [["—", name, "—", "—", "—", "—", str(late), str(urged.get(name, 0))]
                  for name, u, late in rows if u is None]  # 95598班 (市场营销部): late stages and 催办 they owed
    unit_rows.append(["", "合计", str(r["received"]), str(r["counted"]), "", "", str(len(r["late"])),
                      str(r["urges_total"])])
    trend = r["trend"]
    span = f"{_month_zh(trend[0]['month'])}—{_month_zh(trend[-1]['month'])}"
    return [
        {"kind": "para", "text": "（一）按投诉分类（第十条；列出本月有受理的投诉项）"},
        {"kind": "table", "head": ["投诉大类", "投诉项", "属实", "受理"], "rows": items, "widths": [4.6, 4.6, 3.2, 3.2]},
        {"kind": "para", "text": "（二）按责任单位（按属实件数排名；万户投诉率＝属实件数÷客户户数×10000；"
                                 "超期环节、催办按应办方计）"},
        {"kind": "table", "head": ["排名", "责任单位", "受理", "属实", "户数", "万户投诉率", "超期环节", "催办"],
         "rows": unit_rows, "widths": [1.4, 3.4, 1.6, 1.6, 2.0, 2.2, 2.0, 1.4]},
        {"kind": "para", "text": f"（三）近12个月趋势（{span}，件）"},
        {"kind": "table", "head": ["月份"] + [f"{int(t['month'][5:])}月" for t in trend],
         "rows": [["受理"] + [str(t["received"]) for t in trend], ["属实"] + [str(t["counted"]) for t in trend]],
         "widths": [1.2] * (len(trend) + 1)},
        *_voided(r),
    ]


def _voided(r: dict[str, Any]) -> list[dict[str, Any]]:
    """（四）作废工单: each voided complaint once (SPEC §2), none of them in the figures above."""
    if not r["voided"]:
        return []
    rows = [[x["id"], f"{from_iso(x['received_at']):%Y-%m-%d %H:%M}", x["reason"], x["by"],
             f"{from_iso(x['at']):%Y-%m-%d %H:%M}"] for x in r["voided"]]
    return [{"kind": "para", "text": "（四）作废工单（误录或重复受理，不计入以上任何统计）"},
            {"kind": "table", "head": ["编号", "受理时间", "作废原因", "作废人", "作废时间"], "rows": rows,
             "widths": [3.4, 2.9, 5.0, 1.4, 2.9]}]


def _month_zh(label: str) -> str:
    return f"{int(label[:4])}年{int(label[5:])}月"


def choose(r: dict[str, Any], count: int, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The typical cases: those named (in the order given), else the `count` most serious."""
    if not ids:
        return most_serious(r["bulletins"], count)
    by_id = {b["id"]: b for b in r["bulletins"]}
    chosen = []
    for raw in ids:
        cid = raw.strip().upper()
        if cid not in by_id:
            raise TousuError(f"--case「{raw}」不是{r['month']}属实且供电责任的投诉，可选：{choices(by_id) if by_id else '（本月没有）'}")
        if by_id[cid] not in chosen:
            chosen.append(by_id[cid])
    return chosen


def case_blocks(cases: list[dict[str, Any]], total: int = 0) -> list[dict[str, Any]]:
    """三、典型案例: one 《投诉事件通报》 per case, its title kept with its body."""
    if not cases:
        text = f"本月属实且供电责任的投诉{total}件，典型案例从略，见附表。" if total else "本月没有属实且供电责任的投诉。"
        return [{"kind": "para", "text": text}]
    out = []
    for n, b in enumerate(cases, 1):
        marks = [b["severity"] + "投诉事件"] if b["severity"] != "一般" else []
        marks += ["越级投诉"] if b["escalated_to"] else []
        title = f"{_serial(n)}{b['unit'] or '（未派发）'}{b['item']}投诉（{b['id']}{'，' + '，'.join(marks) if marks else ''}）"
        out.append({"kind": "case", "title": title, "id": b["id"],
                    "fields": [(label, b[key]) for label, key in CASE_FIELDS]})
    return out


def assessment_blocks(r: dict[str, Any]) -> list[dict[str, Any]]:
    """四、考核情况: the month's penalties with their clauses, those of its cases registered later, unit fines, 通报批评."""
    rows = []
    for p in r["penalties"] + r["later_penalties"]:
        when = f"{from_iso(p['at']):%m-%d}" + ("（次月后登记）" if p.get("registered_later") else "")
        rows.append([p["id"], p.get("person") or p.get("unit") or "", p.get("person_unit") or p.get("unit") or "",
                     p["rule_name"], p["clause"], str(p["amount"]), when])
    total = sum(p["amount"] for p in r["penalties"])
    later = r["later_penalties"]
    text = f"本月登记考核{len(r['penalties'])}项，合计{total}元（按登记月份从当月绩效中扣除，第二十八条）"
    if later:
        text += f"；本月投诉在次月以后登记的考核{len(later)}项，合计{sum(p['amount'] for p in later)}元，一并列出"
    out: list[dict[str, Any]] = [{"kind": "para", "text": text + "。"}]
    if rows:
        out.append({"kind": "table", "head": ["编号", "被考核人（单位）", "所在单位", "考核条款", "依据", "金额（元）", "登记"],
                    "rows": rows, "widths": [3.4, 1.5, 2.1, 3.6, 2.4, 1.4, 1.2]})
    for f in r["unit_fines"]:
        out.append({"kind": "para", "text": f"{f['unit']}：单位考核{f['count']}件，合计{f['amount']}元。"})
    criticised = sorted({p["unit"] for p in r["penalties"] + r["later_penalties"]
                         if p.get("rule") == "falsified" and p.get("unit")})
    if criticised:
        out.append({"kind": "para", "text": f"{'、'.join(criticised)}在投诉回复中弄虚作假、隐瞒真相，"
                                            "依据第二十六条，对该单位及相关负责人予以通报批评。"})
    if r["ledger"]:
        carried = [x for x in r["ledger"] if x["carried"]]
        text = f"绩效扣款：本月应扣{len(r['ledger'])}人，实扣合计{sum(x['deducted'] for x in r['ledger'])}元"
        if carried:
            text += f"；{'、'.join(x['person'] for x in carried)}当月绩效不足扣除，余额移至下月（第二十八条）"
        out.append({"kind": "para", "text": text + "。"})
    return out


def notice(r: dict[str, Any], company: Company | None, *, cases: int = 5, case_ids: Sequence[str] = (),
           requirements: Sequence[str] = (), number: str | None = None) -> dict[str, Any]:
    """The 公文 of the month: title, 文号, 主送, five sections, 落款 and date; customers masked as in `r`."""
    name = company.name if company else BLANK
    year = r["month"][:4]
    pattern = company.doc_number if company and company.doc_number else ""
    doc_number = pattern.replace("{year}", year).replace("{n}", number or "　　") if pattern else ""
    chosen = choose(r, cases, case_ids)
    as_of = from_iso(r["as_of"])
    sections = [
        ("一、总体情况", [{"kind": "para", "text": t} for t in overview(r)]
         + [{"kind": "note", "text": t} for t in rate_notes()]),
        ("二、分类与分布", distribution(r)),
        ("三、典型案例", case_blocks(chosen, len(r["bulletins"]))),
        ("四、考核情况", assessment_blocks(r)),
        ("五、下步工作要求", [{"kind": "para", "text": t} for t in requirements]
         or [{"kind": "blank", "text": REQUIREMENTS_BLANK}]),
    ]
    return {
        "title": f"{name}关于{r['month_zh']}客户投诉情况的通报",
        "doc_number": doc_number,
        "recipients": (company.recipients if company and company.recipients else BLANK) + "：",
        "opening": f"现将{r['month_zh']}客户投诉情况通报如下（统计截至{as_of.year}年{as_of.month}月{as_of.day}日 {as_of:%H:%M}）：",
        "sections": [{"heading": h, "blocks": b} for h, b in sections],
        "issuer": (company.issuer or company.name) if company else BLANK,
        "date": f"{as_of.year}年{as_of.month}月{as_of.day}日",
        "cases": [b["id"] for b in chosen],
        "unmasked": r["unmasked"],
        "company": name,
        "month_zh": r["month_zh"],
        "attachment": f"附件：{r['month_zh']}客户投诉通报表（xlsx，含全部《投诉事件通报》）",
        "requirements_given": bool(requirements),
    }
