"""rules.yaml → Rules: each section checked against the key table (rules_spec), every problem located."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tousu.config import rules_spec
from tousu.config.matching import normalize
from tousu.config.rules_model import (OPTIONAL_STAGE_KEYS, PENALTY_ROLES, PENALTY_TABLES, REVISIT_STARTS, STAGE_KEYS,
                                      STAGE_UNITS, WORKING_DAY_RULES,
                                      PenaltyRule, Rules, StageLimit, WarningLevel)
from tousu.config.checker import Checker
from tousu.config.yamlio import LDict, line_of
from tousu.errors import TousuError, shown


# ---------------------------------------------------------------- calendar

_DATE_ITEM = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|\.\.|至|–|—)\s*(\d{4}-\d{1,2}-\d{1,2}))?\s*(.*)$"
)


def _date(text: str) -> date:
    y, m, d = (int(x) for x in text.split("-"))
    return date(y, m, d)


def _dates(ck: Checker, value: Any, where: str, line: int) -> dict[date, str]:
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
            ck.bad(at, f"「{where}」中「{shown(item)}」不是日期，应写作「2027-01-01 元旦」或「2027-02-06~2027-02-13 春节」（日期请加引号或按此格式书写）")
            continue
        try:
            first = _date(m.group(1))
            last = _date(m.group(2)) if m.group(2) else first
        except ValueError:
            ck.bad(at, f"「{where}」中「{shown(item)}」不是有效日期")
            continue
        if last < first or (last - first).days > 31:
            ck.bad(at, f"「{where}」中日期段「{shown(item)}」无效（结束早于开始或超过31天）")
            continue
        day = first
        while day <= last:
            out[day] = m.group(3).strip()
            day += timedelta(days=1)
    return out


def _calendar(ck: Checker, top: LDict) -> tuple[dict[date, str], dict[date, str]]:
    cal = ck.section(top, "calendar")
    if cal is None:
        return {}, {}
    holidays = _dates(ck, cal.get("holidays"), "calendar.holidays", line_of(cal, "holidays", 1))
    workdays = _dates(ck, cal.get("workdays"), "calendar.workdays", line_of(cal, "workdays", 1))
    for day in sorted(holidays.keys() & workdays.keys()):
        ck.bad(line_of(cal, "workdays", 1), f"日期 {day} 同时列为假日和调休上班日")
    return holidays, workdays


# ---------------------------------------------------------------- penalties

_PENALTY_KEYS = rules_spec.children("<考核表>[]")


def _penalty_id(ck: Checker, row: LDict, table: str, where: str, at: int, seen: set[str]) -> str:
    ln = line_of(row, "id", at)
    rid = ck.text(row.get("id"), f"{where}.id", ln)
    if rid in seen:
        ck.bad(ln, f"考核条款编号「{rid}」重复")
    elif rid and any(ch.isspace() for ch in rid):
        ck.bad(ln, f"考核条款编号「{rid}」不能含空格")
    elif rid and table != "penalties" and not rid.startswith(f"{table}."):
        ck.bad(ln, f"「{table}」中的条款编号「{rid}」应以「{table}.」开头，如「{table}.1」")
    seen.add(rid)
    return rid


def _penalty_consistency(ck: Checker, row: LDict, rid: str, at: int, lo: int | None, hi: int | None,
                         taxonomy: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Amount bounds, charges vs role, and the items it usually applies to."""
    ln = lambda k: line_of(row, k, at)  # noqa: E731
    if lo is not None and hi is not None and hi < lo:
        ck.bad(ln("max"), f"考核条款「{rid}」的上限 {hi} 小于下限 {lo}")
    if row.get("min") is None and hi is not None:
        ck.bad(ln("min"), f"考核条款「{rid}」有上限而没有下限")
    if row.get("charges") == "unit" and row.get("role") not in (None, "责任单位"):
        ck.bad(ln("role"), f"考核条款「{rid}」考核单位（charges: unit），role 应为「责任单位」")
    if row.get("charges") == "person" and row.get("role") == "责任单位":
        ck.bad(ln("role"), f"考核条款「{rid}」考核人员（charges: person），role 不能为「责任单位」")
    if row.get("items") is None:
        return ()
    items = ck.strings(row.get("items"), f"{rid}.items", ln("items"))
    known = set(taxonomy) | {i for its in taxonomy.values() for i in its}
    for item in items if taxonomy else ():
        if item not in known:
            ck.bad(ln("items"), f"考核条款「{rid}」的 items 中「{item}」既不是投诉大类也不是投诉项")
    return items


def _penalty(ck: Checker, row: LDict, table: str, where: str, at: int, severities: tuple[str, ...],
             seen: set[str], taxonomy: dict[str, tuple[str, ...]]) -> PenaltyRule | None:
    n0 = len(ck.problems)
    ln = lambda k: line_of(row, k, at)  # noqa: E731
    rid = _penalty_id(ck, row, table, where, at, seen)
    lo = ck.integer(row.get("min"), f"{rid}.min", ln("min"), nullable=True)
    hi = ck.integer(row.get("max"), f"{rid}.max", ln("max"), nullable=True)
    items = _penalty_consistency(ck, row, rid, at, lo, hi, taxonomy)
    rule = PenaltyRule(
        id=rid, table=table, line=at, items=items, min=lo, max=hi,
        name=ck.text(row.get("name"), f"{rid}.name", ln("name")),
        clause=ck.text(row.get("clause"), f"{rid}.clause", ln("clause")),
        charges=ck.choice(row.get("charges"), f"{rid}.charges", ln("charges"), ("person", "unit")),
        role=ck.choice(row.get("role"), f"{rid}.role", ln("role"), PENALTY_ROLES),
        severity=(ck.choice(row.get("severity"), f"{rid}.severity", ln("severity"), severities)
                  if row.get("severity") is not None else None),
        doubles=ck.boolean(row.get("doubles", True), f"{rid}.doubles", ln("doubles")),
        needs_verified=ck.boolean(row.get("needs_verified", True), f"{rid}.needs_verified", ln("needs_verified")),
        sanction=ck.text(row.get("sanction"), f"{rid}.sanction", ln("sanction"), required=False),
    )
    return rule if len(ck.problems) == n0 else None


def _penalties(ck: Checker, table: str, value: Any, line: int, severities: tuple[str, ...], seen: set[str],
               taxonomy: dict[str, tuple[str, ...]]) -> list[PenaltyRule]:
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
        rule = _penalty(ck, row, table, where, at, severities, seen, taxonomy)
        if rule is not None:
            out.append(rule)
    return out


# ---------------------------------------------------------------- the other sections


def _paragraphs(ck: Any, raw: Any, line: int) -> tuple[str, ...]:
    """report.requirements: a list of paragraphs (text), or none."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        ck.bad(line, "report.requirements 应为若干段文字的列表，如 [\"一是……\", \"二是……\"]")
        return ()
    return tuple(p.strip() for p in raw if p.strip())


def _limits(ck: Checker, top: LDict) -> int:
    """limits.record_max_bytes: the size of the biggest record file read (default 1 MiB; at least 64 KiB)."""
    default = rules_spec.default("limits.record_max_bytes")
    value = ck.section(top, "limits")
    if value is None:
        return default
    got = ck.integer(value.get("record_max_bytes", default), "limits.record_max_bytes",
                     line_of(value, "record_max_bytes", 1), minimum=64 * 1024)
    return got or default


def _taxonomy(ck: Checker, top: LDict) -> dict[str, tuple[str, ...]]:
    tax = top.get("taxonomy")
    if not (isinstance(tax, dict) and tax):
        if "taxonomy" in top:
            ck.bad(line_of(top, "taxonomy", 1), "「taxonomy」应为 大类: [投诉项…] 的键值表")
        return {}
    taxonomy: dict[str, tuple[str, ...]] = {}
    seen_items: set[str] = set()
    for cat, items in tax.items():
        got = ck.strings(items, f"taxonomy.{cat}", line_of(tax, cat, 1))
        for item in got:
            if item in seen_items:
                ck.bad(line_of(tax, cat, 1), f"投诉项「{item}」在多个大类中出现")
            seen_items.add(item)
        taxonomy[str(cat)] = got
    return taxonomy


def _stages(ck: Checker, dl: LDict) -> dict[str, StageLimit]:
    ln = lambda c, k: line_of(c, k, 1)  # noqa: E731
    stages: dict[str, StageLimit] = {}
    st = ck.mapping(dl.get("stages"), "deadlines.stages", ln(dl, "stages"),
                    {**{k: True for k in STAGE_KEYS}, **{k: False for k in OPTIONAL_STAGE_KEYS}})
    for key in (*STAGE_KEYS, *OPTIONAL_STAGE_KEYS) if st is not None else ():
        spec = st.get(key)
        where = f"deadlines.stages.{key}"
        if spec is None or ck.mapping(spec, where, ln(st, key), rules_spec.children("deadlines.stages.<环节>")) is None:
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
    return stages


def _revisit_starts(ck: Checker, top: LDict) -> str:
    """deadlines.revisit.starts: the revisit's 24 hours run from the reply (default) or the review (第十六条)."""
    dl = top.get("deadlines")
    if not isinstance(dl, dict) or dl.get("revisit") is None:
        return "reply"
    rv = ck.mapping(dl["revisit"], "deadlines.revisit", line_of(dl, "revisit", 1), rules_spec.children("deadlines.revisit"))
    if rv is None:
        return "reply"
    return ck.choice(rv.get("starts", "reply"), "deadlines.revisit.starts", line_of(rv, "starts", 1),
                     REVISIT_STARTS) or "reply"


def _duplicate_hours(ck: Checker, top: LDict) -> int:
    intake = ck.section(top, "intake") or {}
    return ck.integer(intake.get("duplicate_window_hours", 24), "intake.duplicate_window_hours",
                      line_of(intake, "duplicate_window_hours", 1), minimum=0) or 0


def _operators(ck: Checker, top: LDict) -> tuple[str, tuple[str, ...]]:
    """operators: who may be recorded as 经办人 (--by): open (default), strict (org.yaml staff) or a list of names."""
    value = top.get("operators")
    if value is None or value in ("open", "strict"):
        return value or "open", ()
    line = line_of(top, "operators", 1)
    if isinstance(value, list) and value:
        return "list", ck.strings(value, "operators", line)
    ck.bad(line, f"「operators」的值「{shown(value)}」无效，可选：open、strict，或经办人姓名的列表")
    return "open", ()


def _deadlines(ck: Checker, top: LDict) -> tuple[dict[str, StageLimit], str, timedelta]:
    dl = ck.section(top, "deadlines")
    if dl is None:
        return {}, "civil_code", timedelta(hours=24)
    rule = ck.choice(dl.get("working_day_rule"), "deadlines.working_day_rule",
                     line_of(dl, "working_day_rule", 1), WORKING_DAY_RULES) or "civil_code"
    hours = ck.integer(dl.get("due_soon_hours", 24), "deadlines.due_soon_hours", line_of(dl, "due_soon_hours", 1))
    return _stages(ck, dl), rule, timedelta(hours=hours or 0)


def _warning_levels(ck: Checker, top: LDict) -> tuple[WarningLevel, ...]:
    """四级预警 (SPEC §3): ascending percentages, the last one 100 (超期 = past the deadline)."""
    value = top.get("warning_levels")
    if value is None:
        return tuple(WarningLevel(n, p) for n, p in rules_spec.DEFAULT_WARNING_LEVELS)
    line = line_of(top, "warning_levels", 1)
    if not isinstance(value, list) or not value:
        ck.bad(line, "「warning_levels」应为 [{name: 提醒, at: 50}, …] 的列表")
        return ()
    out: list[WarningLevel] = []
    for i, row in enumerate(value):
        at = line_of(value, i, line)
        if ck.mapping(row, f"warning_levels[{i + 1}]", at, rules_spec.children("warning_levels[]")) is None:
            continue
        name = ck.text(row.get("name"), f"warning_levels[{i + 1}].name", line_of(row, "name", at))
        pct = ck.integer(row.get("at"), f"warning_levels[{i + 1}].at", line_of(row, "at", at), minimum=1, maximum=100)
        if pct is not None and out and pct <= out[-1].percent:
            ck.bad(at, f"预警级别「{name}」的 {pct}% 应高于上一级「{out[-1].name}」的 {out[-1].percent}%")
        elif any(w.name == name for w in out):
            ck.bad(at, f"预警级别「{name}」重复")
        elif name and pct is not None:
            out.append(WarningLevel(name, pct))
    if out and out[-1].percent != 100 and len(ck.problems) == 0:
        ck.bad(line, f"「warning_levels」的最后一级应为 100（超过期限），现为「{out[-1].name}」{out[-1].percent}%")
    return tuple(out)


def _aliases(ck: Checker, top: LDict, known: set[str]) -> dict[str, tuple[str, ...]]:
    """`aliases: {来电: [电话, 热线]}`: each key a value of a list above, each alias unique and no value itself."""
    value = top.get("aliases")
    if value is None:
        return {}
    line = line_of(top, "aliases", 1)
    if not isinstance(value, dict):
        ck.bad(line, "「aliases」应为 值: [别称…] 的键值表")
        return {}
    out: dict[str, tuple[str, ...]] = {}
    taken = {normalize(k).casefold() for k in known}
    for target, names in value.items():
        at = line_of(value, target, line)
        if target not in known:
            ck.bad(at, f"「aliases」中「{target}」不是受理渠道、投诉大类、投诉项、态度、等级或越级渠道中的任何一个值")
            continue
        for i, n in enumerate(names if isinstance(names, list) else ()):
            if isinstance(n, int) and not isinstance(n, bool):  # 12345 unquoted is a number to YAML
                names[i] = str(n)
        got = ck.strings(names, f"aliases.{target}", at)
        for alias in got:
            k = normalize(alias).casefold()
            if k in taken:
                ck.bad(at, f"别称「{alias}」（aliases.{target}）已是一个值或另一个值的别称")
            taken.add(k)
        out[str(target)] = got
    return out


def parse_rules(data: Any, path: Path | str) -> Rules:
    """Validate parsed rules.yaml; raise TousuError listing every located problem."""
    ck = Checker(path)
    top = ck.mapping(data, "rules.yaml", 1, rules_spec.children(""))
    if top is None:
        raise TousuError(f"规则文件 {path} 无效", tuple(ck.problems))
    taxonomy = _taxonomy(ck, top)
    lists = {k: ck.strings(top.get(k), k, line_of(top, k, 1)) if k in top else ()
             for k in ("channels", "attitudes", "severities", "escalation_channels")}
    if lists["severities"] and lists["severities"][0] != "一般":
        ck.bad(line_of(top, "severities", 1), "「severities」的第一项应为「一般」（默认等级）")
    stages, rule, due_soon = _deadlines(ck, top)
    holidays, workdays = _calendar(ck, top)
    rep = ck.section(top, "report") or {}
    repeat_days = ck.integer(rep.get("repeat_window_days", 30), "report.repeat_window_days",
                             line_of(rep, "repeat_window_days", 1), minimum=1) or 30
    requirements = _paragraphs(ck, rep.get("requirements"), line_of(rep, "requirements", 1))
    record_max_bytes = _limits(ck, top)
    penalties: list[PenaltyRule] = []
    seen_ids: set[str] = set()
    for table in PENALTY_TABLES:
        penalties += _penalties(ck, table, top.get(table), line_of(top, table, 1), lists["severities"], seen_ids,
                                taxonomy)
    known = set(taxonomy) | {i for its in taxonomy.values() for i in its} | {v for vs in lists.values() for v in vs}
    aliases = _aliases(ck, top, known)
    levels = _warning_levels(ck, top)
    operators, operator_names = _operators(ck, top)
    if ck.problems:
        raise TousuError(f"规则文件 {path} 有 {len(ck.problems)} 处错误", tuple(ck.problems))
    return Rules(source=path, taxonomy=taxonomy, channels=lists["channels"], attitudes=lists["attitudes"],
                 severities=lists["severities"], escalation_channels=lists["escalation_channels"], stages=stages,
                 working_day_rule=rule, due_soon=due_soon, holidays=holidays, workdays=workdays,
                 penalties=tuple(penalties), repeat_window_days=repeat_days, aliases=aliases,
                 warning_levels=levels, requirements=requirements, record_max_bytes=record_max_bytes,
                 revisit_starts=_revisit_starts(ck, top), duplicate_window_hours=_duplicate_hours(ck, top),
                 operators=operators, operator_names=operator_names)
