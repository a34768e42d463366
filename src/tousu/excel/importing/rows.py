"""One row of the main sheet: its cells as facts, and its intake through lifecycle.new_complaint.

Every problem is collected (sheet, row, column, message), so one pass tells
all that is wrong with a file. Which column a step's error belongs to is the
`field` the step names, never a guess from its wording.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tousu.config.org import Org
from tousu.config.rules import Rules
from tousu.domain import lifecycle
from tousu.domain.labels import STATES
from tousu.domain.model import ID_PATTERN, Complaint
from tousu.domain.workdays import WorkCalendar
from tousu.errors import TousuError, choices
from tousu.excel.fields import BOOL_WORDS, HISTORY, HISTORY_SHEET, LIST_SEPARATORS, MAIN_BY_KEY
from tousu.excel.importing import cells
from tousu.excel.importing.cells import RowProblem
from tousu.excel.importing.mapping import Mapping
from tousu.excel.importing.sheets import HEADER_SCAN_ROWS, Sheets
from tousu.timeutil import human

REQUIRED = ("received_at", "channel", "received_by", "name", "phone", "item", "content")
_ITEM_SPLIT = re.compile(r"[-－—/／>＞\\|｜、·]+")
_STATE_BY_LABEL = {label: key for key, label in STATES.items()}
# The fields of new_complaint that are named otherwise in the sheet.
_INTAKE_FIELD = {"at": "received_at", "by": "received_by"}

# Valid values to stand in for a wrong intake fact while the rest of the row is checked.
_INTAKE_STAND_INS: dict[str, Callable[[Rules, datetime], dict[str, Any]]] = {
    "received_at": lambda rules, now: {"received_at": now},
    "channel": lambda rules, now: {"channel": rules.channels[0]},
    "name": lambda rules, now: {"name": "—"},
    "phone": lambda rules, now: {"phone": "13800000000"},
    "item": lambda rules, now: {"item": next(iter(rules.items)), "category": None},
    "category": lambda rules, now: {"category": None},
    "content": lambda rules, now: {"content": "—"},
    "attitude": lambda rules, now: {"attitude": None},
    "severity": lambda rules, now: {"severity": None},
    "escalated_to": lambda rules, now: {"escalated_to": ()},
    "received_by": lambda rules, now: {"by": "—"},
}


@dataclass
class Rows:
    """The workbook with what its rows are checked against, and every problem found so far."""

    wb: Sheets
    mapping: Mapping
    rules: Rules
    org: Org
    cal: WorkCalendar
    now: datetime

    def __post_init__(self) -> None:
        self.problems: list[RowProblem] = []
        self.unknown_units: dict[str, list[int]] = {}  # unit → rows: told once for the whole file
        self.translations: Counter[tuple[str, str, str]] = Counter()  # (column, from, to) → rows
        self._row_units: dict[int, str] = {}

    # ---- cells of the main sheet ----

    def header(self, key: str) -> str:
        if key in self.wb.main.headers:
            return self.wb.main.headers[key]
        h = MAIN_BY_KEY[key].header
        return f"{h}（默认值）" if key in self.mapping.defaults else h

    def bad(self, row: int, key: str | None, message: str) -> None:
        self.problems.append(RowProblem(row, self.header(key) if key else None, message, self.wb.main.title))

    def raw(self, row: tuple[Any, ...], key: str) -> Any:
        i = self.wb.main.columns.get(key)
        value = row[i] if i is not None and i < len(row) else None
        if cells.text(value) is None:
            return self.mapping.defaults.get(key)
        return value

    def text(self, row: tuple[Any, ...], key: str) -> str | None:
        s = cells.text(self.raw(row, key))
        if s is None:
            return None
        return self.mapping.values.get(key, {}).get(s, s)

    def when(self, n: int, row: tuple[Any, ...], key: str) -> datetime | None:
        value = self.raw(row, key)
        if cells.text(value) is None:
            return None
        try:
            return cells.when(value, self.wb.epoch)
        except ValueError as exc:
            self.bad(n, key, str(exc))
            return None

    def boolean(self, n: int, text: str | None, key: str, column: str | None = None,
                sheet: str | None = None) -> bool | None:
        if text is None:
            return None
        yes, no, more_yes, more_no = BOOL_WORDS[key]
        if text == yes or text.lower() in more_yes:
            return True
        if text == no or text.lower() in more_no:
            return False
        msg = f"「{text}」无效，应为「{yes}」或「{no}」"
        if sheet:
            self.problems.append(RowProblem(n, column, msg, sheet))
        else:
            self.bad(n, key, msg)
        return None

    def item(self, text: str | None) -> str | None:
        """投诉项; '营销管理类-电费电价' or '投诉/电费争议' style paths are read by their last known part
        (each part translated through the mapping's 投诉项 values, as 95598's business sub-types are)."""
        if text is None or text in self.rules.items:
            return text
        values = self.mapping.values.get("item", {})
        parts = [p.strip() for p in _ITEM_SPLIT.split(text) if p.strip()]
        return next((values.get(p, p) for p in reversed(parts) if values.get(p, p) in self.rules.items), text)

    def phone(self, row: tuple[Any, ...]) -> str:
        """联系电话; a number cell lost a landline's leading 0 (2312345678 → 02312345678)."""
        value, s = self.raw(row, "phone"), self.text(row, "phone") or ""
        if isinstance(value, (int, float)) and not isinstance(value, bool) and s.isdigit() \
                and not s.startswith("1") and 9 <= len(s) <= 11:
            return "0" + s
        return s

    def unit(self, n: int, row: tuple[Any, ...]) -> str | None:
        """责任单位, if org.yaml knows it; an unknown one is kept for the one message about all of them."""
        unit = self.text(row, "unit")
        if unit is None:
            return None
        try:
            self.org.unit(unit)
        except TousuError:
            self.unknown_units.setdefault(unit, []).append(n)
            self._row_units[n] = unit
            return None
        return unit

    def unit_unknown(self, n: int) -> bool:
        return n in self._row_units

    def order_state(self, n: int, row: tuple[Any, ...]) -> str | None:
        """工单状态 as a tousu state key (the mapping translates 95598's words to tousu's)."""
        text = self.text(row, "order_state")
        if text is None:
            return None
        state = _STATE_BY_LABEL.get(text, text if text in STATES else None)
        if state is None or state == "voided":
            known = [k for k, v in self.mapping.values.get("order_state", {}).items()]
            self.bad(n, "order_state", f"工单状态「{text}」无法识别，可选：{choices(known or STATES.values())}")
        return state

    def responsible(self, verified: bool | None, responsible: bool | None) -> bool | None:
        """责任认定: a 95598 export without that column says 是否属实 only — 属实 means 供电责任 there."""
        if responsible is None and "responsible" not in self.wb.main.columns and verified is not None:
            self.translations[("责任认定", "（无此列）", "按核实结论：属实→供电责任，不属实→非供电责任")] += 1
            return verified
        return responsible

    def cause(self, row: tuple[Any, ...], process: str) -> str:
        """原因: without that column, the 处理意见 says why as well."""
        cause = self.text(row, "cause")
        if cause is None and "cause" not in self.wb.main.columns and process:
            self.translations[("原因", "（无此列）", "用处理意见")] += 1
            return process
        return cause or ""

    def assumed_satisfied(self) -> bool:
        """已归档 in 95598 without a 回访结果: it was closed after a satisfied revisit (第二十条)."""
        self.translations[("回访结果", "（空，工单已归档）", "满意")] += 1
        return True

    def note_translations(self, row: tuple[Any, ...]) -> None:
        """Count what the mapping's values changed in this row, for --dry-run."""
        for key, table in self.mapping.values.items():
            s = cells.text(self.raw(row, key))
            if key == "item" and s is not None and s not in table and s not in self.rules.items:
                got = self.item(s)
                if got != s and got in self.rules.items:
                    self.translations[(self.header(key), s, got)] += 1
            elif s is not None and s in table and table[s] != s:
                self.translations[(self.header(key), s, table[s])] += 1
        if self.phone(row) != (self.text(row, "phone") or ""):
            self.translations[(self.header("phone"), "数字格式的座机号", "补上开头的 0")] += 1

    def unknown_units_problem(self) -> RowProblem | None:
        """Every unit org.yaml lacks, in one message, with the lines to add."""
        if not self.unknown_units:
            return None
        told = "、".join(f"{u}（第{'、'.join(map(str, rows[:5]))}{'…' if len(rows) > 5 else ''}行）"
                        for u, rows in self.unknown_units.items())
        lines = "".join(f"\n      - {{name: {u}, kind: 基层单位}}" for u in self.unknown_units)
        return RowProblem(0, self.header("unit"),
                          f"{len(self.unknown_units)} 个单位不在组织机构（{self.org.source}）中：{told}。"
                          f"如是新单位，请在 org.yaml 的 units 下加上：{lines}\n    "
                          f"如是已有单位的另一种写法，请在表中改为已有的单位：{choices(self.org.unit_names)}")

    # ---- the file as a whole ----

    def check_columns(self) -> bool:
        main = self.wb.main
        if not main.columns:
            wanted = "、".join(MAIN_BY_KEY[k].header for k in REQUIRED)
            self.problems.append(RowProblem(0, None, f"前 {HEADER_SCAN_ROWS} 行中没有可识别的表头（应有 {wanted} 等列；"
                                                     f"其他列名请用 --mapping 指定对应关系）", main.title))
            return False
        missing = [MAIN_BY_KEY[k].header for k in REQUIRED
                   if k not in main.columns and k not in self.mapping.defaults]
        for h in missing:
            self.problems.append(RowProblem(main.header_row, h, "缺少此列（其他列名请用 --mapping 指定对应关系）",
                                            main.title))
        if self.wb.history is not None:
            hist = self.wb.history
            for key in ("id", "at", "action", "by"):
                if key not in hist.columns:
                    header = next(c.header for c in HISTORY if c.key == key)
                    self.problems.append(RowProblem(hist.header_row, header, "缺少此列", HISTORY_SHEET))
        return not self.problems

    # ---- intake ----

    def _intake_facts(self, n: int, row: tuple[Any, ...], received_at: datetime | None) -> dict[str, Any]:
        escalated = self.text(row, "escalated_to") or ""
        if not escalated and self.boolean(n, self.text(row, "escalated"), "escalated"):
            escalated = "其他"  # 是否越级「是」without the channel (第二十五条 doubles it: said in --dry-run)
            self.translations[(self.header("escalated"), "是", "越级渠道「其他」")] += 1
        for sep in LIST_SEPARATORS[1:]:
            escalated = escalated.replace(sep, LIST_SEPARATORS[0])
        t = lambda key: self.text(row, key) or ""  # noqa: E731
        return dict(
            rules=self.rules, received_at=received_at or self.now, now=self.now,
            by=t("received_by"), channel=t("channel"), name=t("name"), phone=self.phone(row),
            category=self.text(row, "category"), item=self.item(self.text(row, "item")) or "",
            content=t("content"), address=t("address"), account=t("account"),
            attitude=self.text(row, "attitude"), severity=self.text(row, "severity"),
            escalated_to=tuple(p.strip() for p in escalated.split(LIST_SEPARATORS[0]) if p.strip()),
            ref=self.text(row, "ref"),
        )

    def _check_id(self, n: int, cid: str | None, received_at: datetime | None) -> None:
        if cid is None:
            return
        m = ID_PATTERN.match(cid)
        if not m:
            self.bad(n, "id", f"编号「{cid}」格式不对，应为 TS+8位受理日期+4位序号")
        elif received_at is not None and f"{received_at:%Y%m%d}" != "".join(m.groups()[:3]):
            self.bad(n, "id", f"编号「{cid}」的日期与受理时间 {human(received_at)} 不符")

    def intake(self, n: int, row: tuple[Any, ...]) -> Complaint | None:
        """The row's intake facts through lifecycle.new_complaint; None (and problems) if wrong."""
        before = len(self.problems)
        received_at = self.when(n, row, "received_at")
        cid = self.text(row, "id")
        self._check_id(n, cid, received_at)
        empty = {key for key in REQUIRED if self.text(row, key) is None}
        for key in REQUIRED:
            if key in empty:
                self.bad(n, key, "不能为空")
        failed = len(self.problems) > before
        facts = self._intake_facts(n, row, received_at)
        # new_complaint stops at the first wrong fact: put a valid stand-in where it stopped and ask
        # again, so that every wrong cell of the row is told in one pass.
        told: set[str | None] = set()
        while True:
            try:
                draft = lifecycle.new_complaint(**facts)
                break
            except TousuError as exc:
                key = _INTAKE_FIELD.get(exc.field or "", exc.field)
                # Already said (an empty cell, or a bad time stood in for by now)? Then say nothing more.
                if key not in empty and not (key == "received_at" and received_at is None):
                    self.bad(n, key if key in MAIN_BY_KEY else None, exc.message)
                stand_in = _INTAKE_STAND_INS.get(key or "")
                if stand_in is None or key in told:
                    return None
                told.add(key)
                facts.update(stand_in(self.rules, self.now))
        if told:
            return None
        return None if failed else replace(draft, id=cid or f"（第{n}行）")
