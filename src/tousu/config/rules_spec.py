"""Every key rules.yaml may hold, in one declarative table (name, type, default, meaning).

The parser checks each mapping's keys against this table (unknown keys and missing
required ones are located errors), and `markdown()` renders it as docs/rules-keys.md,
so the documentation cannot drift from what the parser accepts. A name is a dotted
path; `<环节>` stands for a stage key, `[]` for every row of a list, and the three
penalty tables (penalties, ten_prohibitions, ten_commitments) share the `<考核表>[]` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

REQUIRED: Any = "（必填）"


@dataclass(frozen=True)
class Key:
    name: str
    type: str
    default: Any
    meaning: str

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


DEFAULT_WARNING_LEVELS = (("提醒", 50), ("预警", 75), ("告警", 90), ("超期", 100))

KEYS: tuple[Key, ...] = (
    Key("version", "整数", 1, "规则文件格式的版本"),
    Key("taxonomy", "大类: [投诉项…]", REQUIRED, "投诉分类：四大类十七项（第十条）"),
    Key("channels", "文字列表", REQUIRED, "受理渠道（第十一条、第十二条）"),
    Key("attitudes", "文字列表", REQUIRED, "客户态度程度（第十四条）；第一项为默认值"),
    Key("severities", "文字列表", REQUIRED, "事件等级（第十九条）；第一项须为「一般」（默认等级）"),
    Key("escalation_channels", "文字列表", REQUIRED, "越级投诉渠道（第二十五条）"),
    Key("aliases", "值: [别称…]", {}, "人们常用的别称：受理渠道、投诉大类、投诉项、态度、等级、越级渠道的任一值"
        "都可列出别称，输入别称即按该值记录（如 电话 → 来电）"),
    Key("deadlines", "键值表", REQUIRED, "处理时限（第十四至十七条、第十九条）"),
    Key("deadlines.working_day_rule", "civil_code 或 same_clock", REQUIRED,
        "工作日期限的计算口径：civil_code 次日起算、截止第N个工作日24:00（民法典）；same_clock 第N个工作日的同一时刻"),
    Key("deadlines.due_soon_hours", "整数", 24, "check-overdue 把多少小时内到期的环节列为“即将到期”"),
    Key("deadlines.stages", "环节: {…}", REQUIRED,
        "每个环节的时限：dispatch、contact、return、reply、revisit、notify（必填），review（可选）"),
    Key("deadlines.stages.<环节>.name", "文字", REQUIRED, "环节的中文名称"),
    Key("deadlines.stages.<环节>.limit", "整数", REQUIRED, "时限数值（same_day 为 0）"),
    Key("deadlines.stages.<环节>.unit", "hours、working_days 或 same_day", REQUIRED,
        "时限单位：日历小时、工作日、当日24:00前"),
    Key("deadlines.stages.<环节>.clause", "文字", REQUIRED, "依据条款"),
    Key("deadlines.revisit", "键值表", {}, "回访时限的起算"),
    Key("deadlines.revisit.starts", "reply 或 review", "reply",
        "回访24小时（第十六条）从答复时间（reply）还是从营销部审核通过时间（review）起算；"
        "营销部审核（review 环节，市场营销部负责）的期限与回访相同，除非 deadlines.stages.review 另行规定"),
    Key("warning_levels", "列表", "提醒 50、预警 75、告警 90、超期 100",
        "四级预警：环节时限用去多少百分比时达到哪一级（工作日环节按工作时间计）；最后一级须为 100（超期）"),
    Key("warning_levels[].name", "文字", REQUIRED, "预警级别的名称"),
    Key("warning_levels[].at", "1–100 的整数", REQUIRED, "用去时限的百分比；100 表示超过期限"),
    Key("calendar", "键值表", {}, "补充或覆盖 chinese-calendar 的节假日安排"),
    Key("calendar.holidays", "日期列表", [], "法定节假日：「2027-01-01 元旦」或「2027-02-06~2027-02-13 春节」"),
    Key("calendar.workdays", "日期列表", [], "调休上班日，写法同上"),
    Key("report", "键值表", {}, "月度通报（第二十一条、第二十二条）"),
    Key("report.repeat_window_days", "整数", 30, "重复投诉：同一户号或电话、同一投诉项在多少天内再次投诉"),
    Key("report.requirements", "文字列表", [], "月度通报公文“下步工作要求”的各段文字（不写则留待填写）"),
    Key("intake", "键值表", {}, "受理"),
    Key("intake.duplicate_window_hours", "整数", 24,
        "重复受理：同一电话号码、同一投诉项、同一诉求内容在多少小时内再次 add 即拒绝（--allow-duplicate 坚持受理；0 不检查）"),
    Key("operators", "open、strict 或 姓名列表", "open",
        "谁可以登记为经办人（--by）：open 任何姓名照录（不写 --by 时用 TOUSU_USER 或登录名，并提示）；"
        "strict 必须是 org.yaml staff 中的人员；写成姓名列表则必须是其中之一。按人们的写法匹配（简称、全角），"
        "不写 --by 时 TOUSU_USER 或登录名也须符合；不符合的拒绝，不写入任何记录"),
    Key("limits", "键值表", {}, "读取记录文件的限制"),
    Key("limits.record_max_bytes", "整数（不小于 65536）", 1024 * 1024, "单个记录文件的最大字节数，更大的文件不读取并报错"),
    Key("penalties", "考核条款列表", [], "一般考核条款（第二十四至二十六条）"),
    Key("ten_prohibitions", "考核条款列表", [], "“十个不准”的考核条款（第二十四条（一））"),
    Key("ten_commitments", "考核条款列表", [], "“十项承诺”的考核条款（第二十四条（二））"),
    Key("<考核表>[].id", "文字", REQUIRED, "条款编号，tousu assess --rule 用它；十个不准/十项承诺须以表名加点开头"),
    Key("<考核表>[].name", "文字", REQUIRED, "考核情形"),
    Key("<考核表>[].clause", "文字", REQUIRED, "依据条款（月度通报照录）"),
    Key("<考核表>[].min", "整数或空", REQUIRED, "金额下限（元/人/件）；与 max 都为空表示尚未设定金额"),
    Key("<考核表>[].max", "整数或空", None, "金额上限；为空表示“不少于 min 元”"),
    Key("<考核表>[].charges", "person 或 unit", REQUIRED, "考核责任人（--person）或责任单位（--unit）"),
    Key("<考核表>[].role", "文字", REQUIRED,
        "责任人、主要责任者、次要责任者、车间领导、管理责任部门负责人、单位领导 或 责任单位"),
    Key("<考核表>[].severity", "事件等级", None, "只适用于该等级的投诉事件（严重 / 重大）"),
    Key("<考核表>[].doubles", "true 或 false", True, "越级投诉经查属实的，金额上下限加倍（第二十五条）"),
    Key("<考核表>[].needs_verified", "true 或 false", True, "只考核经核实属实且属供电责任的投诉（第九条）"),
    Key("<考核表>[].sanction", "文字", "", "另处的行政处分或措施"),
    Key("<考核表>[].items", "文字列表", [], "通常适用的投诉大类或投诉项（assess --suggest 据此推荐）"),
)


def children(parent: str) -> dict[str, bool]:
    """The keys a mapping at `parent` may hold ('' for the top level) → required."""
    prefix = f"{parent}." if parent else ""
    out: dict[str, bool] = {}
    for k in KEYS:
        if k.name.startswith(prefix) and "." not in k.name[len(prefix):]:
            out[k.name[len(prefix):]] = k.required
    return out


def default(name: str) -> Any:
    return next(k.default for k in KEYS if k.name == name)


def markdown() -> str:
    """docs/rules-keys.md: the table above for people."""
    lines = ["# rules.yaml 的键", "",
             "由 `src/tousu/config/rules_spec.py` 生成（`python -m tousu.config.rules_spec > docs/rules-keys.md`），"
             "规则文件按这张表检查：未知的键、缺少的必填键都会报错并指出行号。", "",
             "| 键 | 类型 | 默认值 | 含义 |", "|---|---|---|---|"]
    for k in KEYS:
        shown = k.default
        if shown is REQUIRED:
            shown = "必填"
        elif shown in ({}, [], "", None):
            shown = "（空）"
        elif shown is True:
            shown = "true"
        lines.append(f"| `{k.name}` | {k.type} | {shown} | {k.meaning} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - the docs generator
    import sys

    sys.stdout.write(markdown())
