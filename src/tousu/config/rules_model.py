"""The validated rules as frozen values: stage limits, penalty rules, warning levels, vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from tousu.config.matching import Vocabulary, alias_map

STAGE_KEYS = ("dispatch", "contact", "return", "reply", "revisit", "notify")
OPTIONAL_STAGE_KEYS = ("review",)  # 营销部审核: without a limit of its own, due with the revisit (SPEC §3)
REVISIT_STARTS = {"reply": "答复时间", "review": "审核通过时间"}
STAGE_UNITS = {"hours": "小时", "working_days": "个工作日", "same_day": "当日"}
WORKING_DAY_RULES = {"civil_code": "民法典计算法（次日起算，截止第N个工作日24:00）",
                     "same_clock": "第N个工作日的同一时刻"}
PENALTY_ROLES = ("责任人", "主要责任者", "次要责任者", "车间领导", "管理责任部门负责人",
                 "单位领导", "责任单位")
PENALTY_TABLES = {"penalties": "一般考核条款", "ten_prohibitions": "十个不准",
                  "ten_commitments": "十项承诺"}


@dataclass(frozen=True)
class StageLimit:
    """The time limit of one stage (SPEC §3)."""

    key: str
    name: str
    limit: int
    unit: str  # hours | working_days | same_day
    clause: str

    def describe(self) -> str:
        if self.unit == "same_day":
            return "当日24:00前"
        return f"{self.limit}{STAGE_UNITS[self.unit]}"


@dataclass(frozen=True)
class PenaltyRule:
    """One row of a penalty table (第二十四—二十六条)."""

    id: str
    table: str
    name: str
    clause: str
    min: int | None
    max: int | None
    charges: str  # person | unit
    role: str
    severity: str | None = None
    doubles: bool = True
    needs_verified: bool = True
    sanction: str = ""
    line: int = 0
    items: tuple[str, ...] = ()  # 大类 or 投诉项 it usually applies to (for --suggest); () = any

    @property
    def amount_set(self) -> bool:
        """False for a 十个不准/十项承诺 row whose amounts the company has not filled in."""
        return self.min is not None


@dataclass(frozen=True)
class WarningLevel:
    """One grade of 四级预警: reached once `percent` of a stage's time is used (100: past the deadline)."""

    name: str
    percent: int


@dataclass(frozen=True)
class Rules:
    """The validated rules a command works with."""

    source: Path | str
    taxonomy: dict[str, tuple[str, ...]]
    channels: tuple[str, ...]
    attitudes: tuple[str, ...]
    severities: tuple[str, ...]
    escalation_channels: tuple[str, ...]
    stages: dict[str, StageLimit]
    working_day_rule: str
    due_soon: timedelta
    holidays: dict[date, str] = field(default_factory=dict)
    workdays: dict[date, str] = field(default_factory=dict)
    penalties: tuple[PenaltyRule, ...] = ()
    repeat_window_days: int = 30
    requirements: tuple[str, ...] = ()  # report.requirements: the company's 下步工作要求 for the 通报 公文
    record_max_bytes: int = 1024 * 1024  # limits.record_max_bytes: a bigger record file is refused unread
    revisit_starts: str = "reply"  # deadlines.revisit.starts (第十六条)
    duplicate_window_hours: int = 24  # intake.duplicate_window_hours: an identical add within it is refused
    operators: str = "open"  # operators: open | strict (--by is org.yaml staff) | list (one of operator_names)
    operator_names: tuple[str, ...] = ()
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # value → its other names
    warning_levels: tuple[WarningLevel, ...] = ()

    @property
    def items(self) -> dict[str, str]:
        """投诉项 → 大类."""
        return {item: cat for cat, items in self.taxonomy.items() for item in items}

    def penalty(self, rule_id: str) -> PenaltyRule | None:
        return next((p for p in self.penalties if p.id == rule_id), None)

    def vocabulary(self, kind: str) -> Vocabulary:
        """The values (and aliases) of one kind, for matching what people type (SPEC §8)."""
        aliases = alias_map(self.aliases)
        items = "；".join(f"{cat}：{'、'.join(its)}" for cat, its in self.taxonomy.items())
        kinds = {
            "channel": Vocabulary("受理渠道", self.channels, aliases),
            "category": Vocabulary("投诉大类", tuple(self.taxonomy), aliases),
            "item": Vocabulary("投诉项", tuple(self.items), aliases, "（第十条）", items),
            "category_or_item": Vocabulary("投诉大类或投诉项", (*self.taxonomy, *self.items), aliases),
            "attitude": Vocabulary("客户态度程度", self.attitudes, aliases, "（第十四条）"),
            "severity": Vocabulary("事件等级", self.severities, aliases),
            "escalation": Vocabulary("越级投诉渠道", self.escalation_channels, aliases, "（第二十五条）"),
            "level": Vocabulary("预警级别", tuple(w.name for w in self.warning_levels)),
            "rule": Vocabulary("考核条款", tuple(p.id for p in self.penalties), unknown="不存在，可选"),
        }
        return kinds[kind]
