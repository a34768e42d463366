"""The columns of the 台账 spreadsheet, declared once for export and import.

Main sheet 投诉台账: one row per complaint (SPEC §2 fields, state, stage
deadlines, event times). Sheet 处理记录: one row per event, so the whole
history comes back on import. Headers are Chinese; each maps to a field key.
A column-mapping YAML (tousu import --mapping) may name a field by its key or
by its header here.
"""

from __future__ import annotations

from dataclasses import dataclass

from tousu.domain.labels import VERDICTS

MAIN_SHEET = "投诉台账"
HISTORY_SHEET = "处理记录"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int = 12
    kind: str = "text"  # text | time | list | bool
    importable: bool = True


# 投诉台账: intake facts, what later steps decided, state, event times.
MAIN: tuple[Column, ...] = (
    Column("id", "ID", 17),
    Column("ref", "95598工单编号", 18),
    Column("received_at", "受理时间", 17, "time"),
    Column("channel", "受理渠道", 9),
    Column("received_by", "受理人", 9),
    Column("name", "客户姓名", 10),
    Column("phone", "联系电话", 20),  # as typed: +86 138-0013-8000, 010 12345678 转 123
    Column("address", "用电地址", 24),
    Column("account", "户号", 13),
    Column("category", "投诉大类", 14),
    Column("item", "投诉项", 10),
    Column("content", "诉求内容", 40),
    Column("attitude", "客户态度", 10),
    Column("severity", "事件等级", 9),
    Column("escalated_to", "越级渠道", 14, "list"),
    Column("unit", "责任单位", 14),
    Column("verified", "核实结论", 9, "bool"),
    Column("responsible", "责任认定", 11, "bool"),
    Column("cause", "原因", 24),
    Column("process", "处理过程", 30),
    Column("measures", "整改措施", 24),
    Column("satisfied", "回访结果", 9, "bool"),
    Column("state", "当前状态", 9, importable=False),
    Column("dispatched_at", "派发时间", 17, "time"),
    Column("contacted_at", "联系时间", 17, "time"),
    Column("replied_at", "答复时间", 17, "time"),
    Column("reviewed_at", "审核时间", 17, "time"),
    Column("revisited_at", "回访时间", 17, "time"),
    Column("archived_at", "归档时间", 17, "time"),
)

# 处理记录: every event of every complaint, in order.
HISTORY: tuple[Column, ...] = (
    Column("id", "ID", 17),
    Column("at", "时间", 17, "time"),
    Column("action", "步骤", 9),
    Column("by", "经办人", 10),
    Column("note", "备注", 20),
    Column("unit", "单位", 14),
    Column("reason", "理由", 20),
    Column("until", "延期至", 17, "time"),
    Column("approved_by", "批准人", 10),
    Column("verified", "核实结论", 9, "bool"),
    Column("responsible", "责任认定", 11, "bool"),
    Column("cause", "原因", 20),
    Column("process", "处理过程", 24),
    Column("measures", "整改措施", 20),
    Column("approved", "审核结果", 9, "bool"),
    Column("satisfied", "回访结果", 9, "bool"),
    Column("severity", "事件等级", 9),
    Column("escalated_to", "越级渠道", 14),
    Column("rule", "考核条款", 16),
    Column("person", "被考核人", 10),
    Column("amount", "金额", 8),
)

# The event time columns of the main sheet and the step each records.
STEP_TIMES = (
    ("dispatched_at", "dispatch"),
    ("contacted_at", "contact"),
    ("replied_at", "reply"),
    ("reviewed_at", "review"),
    ("revisited_at", "revisit"),
    ("archived_at", "archive"),
)

# How a yes/no fact reads in a cell, and which other words mean the same.
BOOL_WORDS: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "verified": (*VERDICTS["verified"], ("是", "true", "1"), ("否", "false", "0")),
    "responsible": (*VERDICTS["responsible"], ("是", "true", "1"), ("否", "false", "0")),
    "approved": (*VERDICTS["approved"], ("审核通过", "同意", "是"), ("不通过", "退回", "否")),
    "satisfied": (*VERDICTS["satisfied"], ("是",), ("否",)),
    "escalated": ("是", "否", ("越级", "true", "1"), ("非越级", "false", "0")),  # 是否越级 (import only)
}

LIST_SEPARATORS = ("、", "，", ",", "；", ";", "\n")

# Facts a 95598 export gives that tousu's own 台账 does not have as a column: import only.
#   order_state  工单状态 (待派单 … 已归档), translated to a tousu state; the progress it implies is
#                rebuilt with the steps whose times the export lacks marked as unknown.
#   escalated    是否越级 (是/否); 是 without a 越级渠道 means 越级渠道「其他」.
IMPORT_ONLY: tuple[Column, ...] = (
    Column("order_state", "工单状态"),
    Column("escalated", "是否越级", kind="bool"),
)

MAIN_BY_HEADER = {c.header: c for c in MAIN + IMPORT_ONLY}
MAIN_BY_KEY = {c.key: c for c in MAIN + IMPORT_ONLY}


def bool_text(key: str, value: bool | None) -> str | None:
    if value is None:
        return None
    yes, no, _, _ = BOOL_WORDS[key]
    return yes if value else no
