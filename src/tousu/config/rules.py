"""rules.yaml: loaded, checked against one declarative table, frozen.

Everything a company may change lives in rules.yaml: the taxonomy of 第十条,
channels, attitude degrees, severities, every time limit with its clause, the
working-day rule, calendar overrides and the penalty tables (第二十四—二十六条).
Unknown keys, wrong types and bad dates are errors naming file and line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from tousu.config import yamlio
from tousu.errors import Problem, TousuError, choices
from tousu.config.yamlio import LDict, line_of

STAGE_KEYS = ("dispatch", "contact", "return", "reply", "revisit", "notify")
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

    @property
    def items(self) -> dict[str, str]:
        """投诉项 → 大类."""
        return {item: cat for cat, items in self.taxonomy.items() for item in items}

    def penalty(self, rule_id: str) -> PenaltyRule | None:
        return next((p for p in self.penalties if p.id == rule_id), None)


# ---------------------------------------------------------------- validation


class _Checker:
    """Collects located problems while converting LDict/LList values."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def bad(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def mapping(self, value: Any, where: str, line: int, allowed: dict[str, bool]) -> LDict | None:
        """Check a mapping's keys against `allowed` (key → required)."""
        if not isinstance(value, dict):
            self.bad(line, f"「{where}」应为键值表")
            return None
        for key in value:
            if key not in allowed:
                self.bad(line_of(value, key, line), f"「{where}」中有未知的键「{key}」，可用的键：{choices(allowed)}")
        for key, required in allowed.items():
            if required and key not in value:
                self.bad(getattr(value, "line", line), f"「{where}」缺少必填的键「{key}」")
        return value

    def strings(self, value: Any, where: str, line: int) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            self.bad(line, f"「{where}」应为非空的文字列表")
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.bad(line_of(value, i, line), f"「{where}」第{i + 1}项「{item}」应为文字")
            elif item in out:
                self.bad(line_of(value, i, line), f"「{where}」中「{item}」重复")
            else:
                out.append(item.strip())
        return tuple(out)

    def integer(self, value: Any, where: str, line: int, *, minimum: int = 0, nullable: bool = False) -> int | None:
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.bad(line, f"「{where}」的值「{value}」应为不小于 {minimum} 的整数")
            return None
        return value

    def text(self, value: Any, where: str, line: int, *, required: bool = True) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.bad(line, f"「{where}」的值「{value}」应为文字")
            return ""
        return value.strip()

    def boolean(self, value: Any, where: str, line: int) -> bool:
        if not isinstance(value, bool):
            self.bad(line, f"「{where}」的值「{value}」应为 true 或 false")
            return False
        return value

    def choice(self, value: Any, where: str, line: int, valid) -> Any:
        if value not in valid:
            self.bad(line, f"「{where}」的值「{value}」无效，可选：{choices(valid)}")
            return None
        return value


_DATE_ITEM = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|\.\.|至|–|—)\s*(\d{4}-\d{1,2}-\d{1,2}))?\s*(.*)$"
)


def _date(text: str) -> date:
    y, m, d = (int(x) for x in text.split("-"))
    return date(y, m, d)


def _dates(ck: _Checker, value: Any, where: str, line: int) -> dict[date, str]:
    """Parse calendar items: '2027-01-01 元旦' or '2027-02-06~2027-02-13 春节'."""
    if value is None:
        return {}
    if not isinstance(value, list):
        ck.bad(line, f"「{where}」应为日期列表")
        return {}
    out: dict[date, str] = {}
    for i, item in enumerate(value):
        at = line_of(value, i, line)
        m = _DATE_ITEM.match(str(item).strip()) if isinstance(item, str) else None
        if not m:
            ck.bad(at, f"「{where}」中「{item}」不是日期，应写作「2027-01-01 元旦」或「2027-02-06~2027-02-13 春节」（日期请加引号或按此格式书写）")
            continue
        try:
            first = _date(m.group(1))
            last = _date(m.group(2)) if m.group(2) else first
        except ValueError:
            ck.bad(at, f"「{where}」中「{item}」不是有效日期")
            continue
        if last < first or (last - first).days > 31:
            ck.bad(at, f"「{where}」中日期段「{item}」无效（结束早于开始或超过31天）")
            continue
        day = first
        while day <= last:
            out[day] = m.group(3).strip()
            day += timedelta(days=1)
    return out


_PENALTY_KEYS = {"id": True, "name": True, "clause": True, "min": True, "max": False,
                 "charges": True, "role": True, "severity": False, "doubles": False,
                 "needs_verified": False, "sanction": False, "items": False}


def _penalties(ck: _Checker, table: str, value: Any, line: int, severities, seen: set[str],
               taxonomy: dict[str, tuple[str, ...]] | None = None) -> list[PenaltyRule]:
    if value is None:
        return []
    if not isinstance(value, list):
        ck.bad(line, f"「{table}」应为考核条款的列表")
        return []
    out = []
    for i, row in enumerate(value):
        at = line_of(value, i, line)
        where = f"{table}[{i + 1}]"
        if ck.mapping(row, where, at, _PENALTY_KEYS) is None:
            continue
        if any(required and key not in row for key, required in _PENALTY_KEYS.items()):
            continue  # already reported by ck.mapping; say it once
        n0 = len(ck.problems)
        ln = lambda k: line_of(row, k, at)  # noqa: E731
        rid = ck.text(row.get("id"), f"{where}.id", ln("id"))
        if rid in seen:
            ck.bad(ln("id"), f"考核条款编号「{rid}」重复")
        elif rid and any(ch.isspace() for ch in rid):
            ck.bad(ln("id"), f"考核条款编号「{rid}」不能含空格")
        elif rid and table != "penalties" and not rid.startswith(f"{table}."):
            ck.bad(ln("id"), f"「{table}」中的条款编号「{rid}」应以「{table}.」开头，如「{table}.1」")
        seen.add(rid)
        lo = ck.integer(row.get("min"), f"{rid}.min", ln("min"), nullable=True)
        hi = ck.integer(row.get("max"), f"{rid}.max", ln("max"), nullable=True)
        if lo is not None and hi is not None and hi < lo:
            ck.bad(ln("max"), f"考核条款「{rid}」的上限 {hi} 小于下限 {lo}")
        if row.get("min") is None and hi is not None:
            ck.bad(ln("min"), f"考核条款「{rid}」有上限而没有下限")
        if row.get("charges") == "unit" and row.get("role") not in (None, "责任单位"):
            ck.bad(ln("role"), f"考核条款「{rid}」考核单位（charges: unit），role 应为「责任单位」")
        if row.get("charges") == "person" and row.get("role") == "责任单位":
            ck.bad(ln("role"), f"考核条款「{rid}」考核人员（charges: person），role 不能为「责任单位」")
        items: tuple[str, ...] = ()
        if row.get("items") is not None:
            items = ck.strings(row.get("items"), f"{rid}.items", ln("items"))
            known = set(taxonomy or ()) | {i for its in (taxonomy or {}).values() for i in its}
            for item in items if taxonomy else ():
                if item not in known:
                    ck.bad(ln("items"), f"考核条款「{rid}」的 items 中「{item}」既不是投诉大类也不是投诉项")
        rule = PenaltyRule(
            id=rid,
            table=table,
            name=ck.text(row.get("name"), f"{rid}.name", ln("name")),
            clause=ck.text(row.get("clause"), f"{rid}.clause", ln("clause")),
            min=lo,
            max=hi,
            charges=ck.choice(row.get("charges"), f"{rid}.charges", ln("charges"), ("person", "unit")),
            role=ck.choice(row.get("role"), f"{rid}.role", ln("role"), PENALTY_ROLES),
            severity=(ck.choice(row.get("severity"), f"{rid}.severity", ln("severity"), severities)
                      if row.get("severity") is not None else None),
            doubles=ck.boolean(row.get("doubles", True), f"{rid}.doubles", ln("doubles")),
            needs_verified=ck.boolean(row.get("needs_verified", True), f"{rid}.needs_verified", ln("needs_verified")),
            sanction=ck.text(row.get("sanction"), f"{rid}.sanction", ln("sanction"), required=False),
            line=at,
            items=items,
        )
        if len(ck.problems) == n0:
            out.append(rule)
    return out


def _limits(ck: _Checker, value: Any, line: int) -> int:
    """limits.record_max_bytes: the size of the biggest record file read (default 1 MiB; at least 64 KiB)."""
    default = 1024 * 1024
    if value is None or ck.mapping(value, "limits", line, {"record_max_bytes": False}) is None:
        return default
    got = ck.integer(value.get("record_max_bytes", default), "limits.record_max_bytes",
                     line_of(value, "record_max_bytes", line), minimum=64 * 1024)
    return got or default


_TOP = {"version": False, "taxonomy": True, "channels": True, "attitudes": True,
        "severities": True, "escalation_channels": True, "deadlines": True,
        "calendar": False, "report": False, "limits": False, **{t: False for t in PENALTY_TABLES}}
_DEADLINES = {"working_day_rule": True, "due_soon_hours": False, "stages": True}
_STAGE = {"name": True, "limit": True, "unit": True, "clause": True}


def parse(data: Any, path: Path | str) -> Rules:
    """Validate parsed rules.yaml; raise TousuError listing every located problem."""
    ck = _Checker(path)
    top = ck.mapping(data, "rules.yaml", 1, _TOP)
    if top is None:
        raise TousuError(f"规则文件 {path} 无效", tuple(ck.problems))
    ln = lambda c, k: line_of(c, k, 1)  # noqa: E731

    taxonomy: dict[str, tuple[str, ...]] = {}
    tax = top.get("taxonomy")
    if isinstance(tax, dict) and tax:
        seen_items: set[str] = set()
        for cat, items in tax.items():
            got = ck.strings(items, f"taxonomy.{cat}", ln(tax, cat))
            for item in got:
                if item in seen_items:
                    ck.bad(ln(tax, cat), f"投诉项「{item}」在多个大类中出现")
                seen_items.add(item)
            taxonomy[str(cat)] = got
    elif "taxonomy" in top:
        ck.bad(ln(top, "taxonomy"), "「taxonomy」应为 大类: [投诉项…] 的键值表")

    lists = {k: ck.strings(top.get(k), k, ln(top, k)) if k in top else ()
             for k in ("channels", "attitudes", "severities", "escalation_channels")}
    if lists["severities"] and lists["severities"][0] != "一般":
        ck.bad(ln(top, "severities"), "「severities」的第一项应为「一般」（默认等级）")

    stages: dict[str, StageLimit] = {}
    rule = "civil_code"
    due_soon = timedelta(hours=24)
    dl = top.get("deadlines")
    if dl is not None and ck.mapping(dl, "deadlines", ln(top, "deadlines"), _DEADLINES) is not None:
        rule = ck.choice(dl.get("working_day_rule"), "deadlines.working_day_rule",
                         ln(dl, "working_day_rule"), WORKING_DAY_RULES) or "civil_code"
        hours = ck.integer(dl.get("due_soon_hours", 24), "deadlines.due_soon_hours", ln(dl, "due_soon_hours"))
        due_soon = timedelta(hours=hours or 0)
        st = ck.mapping(dl.get("stages"), "deadlines.stages", ln(dl, "stages"), {k: True for k in STAGE_KEYS})
        for key in STAGE_KEYS if st is not None else ():
            spec = st.get(key)
            where = f"deadlines.stages.{key}"
            if spec is None or ck.mapping(spec, where, ln(st, key), _STAGE) is None:
                continue
            unit = ck.choice(spec.get("unit"), f"{where}.unit", ln(spec, "unit"), STAGE_UNITS)
            minimum = 0 if unit == "same_day" else 1
            stages[key] = StageLimit(
                key=key,
                name=ck.text(spec.get("name"), f"{where}.name", ln(spec, "name")),
                limit=ck.integer(spec.get("limit"), f"{where}.limit", ln(spec, "limit"), minimum=minimum) or 0,
                unit=unit or "hours",
                clause=ck.text(spec.get("clause"), f"{where}.clause", ln(spec, "clause")),
            )

    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    cal = top.get("calendar")
    if cal is not None and ck.mapping(cal, "calendar", ln(top, "calendar"), {"holidays": False, "workdays": False}) is not None:
        holidays = _dates(ck, cal.get("holidays"), "calendar.holidays", ln(cal, "holidays"))
        workdays = _dates(ck, cal.get("workdays"), "calendar.workdays", ln(cal, "workdays"))
        for day in sorted(holidays.keys() & workdays.keys()):
            ck.bad(ln(cal, "workdays"), f"日期 {day} 同时列为假日和调休上班日")

    repeat_days = 30
    rep = top.get("report")
    requirements: tuple[str, ...] = ()
    if rep is not None and ck.mapping(rep, "report", ln(top, "report"),
                                      {"repeat_window_days": False, "requirements": False}) is not None:
        repeat_days = ck.integer(rep.get("repeat_window_days", 30), "report.repeat_window_days",
                                 ln(rep, "repeat_window_days"), minimum=1) or 30
        requirements = _paragraphs(ck, rep.get("requirements"), ln(rep, "requirements"))

    record_max_bytes = _limits(ck, top.get("limits"), ln(top, "limits"))
    penalties: list[PenaltyRule] = []
    seen_ids: set[str] = set()
    for table in PENALTY_TABLES:
        penalties += _penalties(ck, table, top.get(table), ln(top, table), lists["severities"], seen_ids, taxonomy)

    if ck.problems:
        raise TousuError(f"规则文件 {path} 有 {len(ck.problems)} 处错误", tuple(ck.problems))
    return Rules(
        source=path,
        taxonomy=taxonomy,
        channels=lists["channels"],
        attitudes=lists["attitudes"],
        severities=lists["severities"],
        escalation_channels=lists["escalation_channels"],
        stages=stages,
        working_day_rule=rule,
        due_soon=due_soon,
        holidays=holidays,
        workdays=workdays,
        penalties=tuple(penalties),
        repeat_window_days=repeat_days,
        requirements=requirements,
        record_max_bytes=record_max_bytes,
    )


def _paragraphs(ck: Any, raw: Any, line: int) -> tuple[str, ...]:
    """report.requirements: a list of paragraphs (text), or none."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        ck.bad(line, "report.requirements 应为若干段文字的列表，如 [\"一是……\", \"二是……\"]")
        return ()
    return tuple(p.strip() for p in raw if p.strip())


def builtin_path() -> Path:
    """The rules shipped with the package (the repository's rules.yaml)."""
    packaged = resources.files("tousu") / "rules.yaml"
    if packaged.is_file():
        return Path(str(packaged))
    # An editable install runs from the source tree: use the repository's file.
    return Path(__file__).resolve().parents[3] / "rules.yaml"


def resolve_path(option: str | None) -> Path:
    """--rules, else TOUSU_RULES, else ./rules.yaml, else the built-in rules."""
    chosen = option or os.environ.get("TOUSU_RULES")
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise TousuError(f"找不到规则文件「{chosen}」（--rules 或环境变量 TOUSU_RULES）")
        return path
    local = Path("rules.yaml")
    return local if local.is_file() else builtin_path()


def load(path: Path) -> Rules:
    """Load and validate a rules file; TousuError with located problems otherwise."""
    data = yamlio.load_or_raise(path, "规则文件")
    return parse(data, path)
