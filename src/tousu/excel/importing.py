"""`tousu import`: complaints from an xlsx 台账 (SPEC §4, §7).

Stages, each pure except the last:

1. `load_mapping` — the column mapping (header → field), the shipped 95598 one
   by default; tousu's own export headers are always understood.
2. `read` — the workbook's rows as raw cells, with their row numbers.
3. `build` — every row validated and rebuilt into a Complaint through
   `lifecycle.new_complaint` and the step functions, so an imported history
   obeys the same rules as one entered by hand. Returns `(items, problems)`;
   any problem means nothing may be written.
4. `classify` — each row against the data folder: new, unchanged (its
   95598 工单编号 or ID is already there with the same content) or conflicting
   (there, but different: listed, never overwritten). A row with neither (a
   hand-kept 台账) is matched on its natural key: 受理时间 to the minute, the
   digits of 联系电话, 投诉项 and 诉求内容.
5. `write` — the new ones, under the store lock held by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from tousu.domain import assessment
from tousu.domain import lifecycle
from tousu.storage import records
from tousu.config import yamlio
from tousu.domain.workdays import WorkCalendar
from tousu.errors import Problem, SheetProblem, TousuError, choices, os_reason
from tousu.excel.fields import (BOOL_WORDS, HISTORY, HISTORY_SHEET, LIST_SEPARATORS, MAIN,
                           MAIN_BY_HEADER, MAIN_BY_KEY, MAIN_SHEET, STEP_TIMES)
from tousu.domain.model import ACTIONS, ID_PATTERN, Complaint, Event
from tousu.config.org import Org
from tousu.config.rules import Rules
from tousu.storage.store import Store
from tousu.timeutil import check_year, human, parse_datetime, to_china
from tousu.config.yamlio import line_of

Progress = Callable[[str, int, int | None], None]  # (phase, done, total)

HEADER_SCAN_ROWS = 10  # a title or note may sit above the header row
REQUIRED = ("received_at", "channel", "received_by", "name", "phone", "item", "content")
ACTION_BY_LABEL = {label: action for action, label in ACTIONS.items()}
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_ITEM_SPLIT = re.compile(r"[-－—/／>＞\\|｜、·]+")


# ---------------------------------------------------------------- problems


RowProblem = SheetProblem  # the importer's name for a workbook problem


# ---------------------------------------------------------------- mapping


@dataclass(frozen=True)
class Mapping:
    """Header → field key, value translations and defaults (keys as in excel_fields.MAIN)."""

    columns: dict[str, str]
    values: dict[str, dict[str, str]]
    defaults: dict[str, str]
    source: str


def builtin_mapping_path() -> Path:
    return Path(str(resources.files("tousu") / "mappings" / "95598.yaml"))


def _norm_header(text: Any) -> str:
    """'* 受理 时间 ' → '受理时间': spaces, line breaks and required-markers do not matter."""
    s = "" if text is None else str(text)
    return re.sub(r"\s+", "", s).strip("*＊")


def _field_key(name: Any) -> str | None:
    s = _norm_header(name)
    if s in MAIN_BY_KEY and MAIN_BY_KEY[s].importable:
        return s
    col = MAIN_BY_HEADER.get(s)
    return col.key if col is not None and col.importable else None


def load_mapping(path: Path | None = None) -> Mapping:
    """Read a mapping YAML; every unknown key or field is an error naming file and line."""
    path = path or builtin_mapping_path()
    if not path.is_file():
        raise TousuError(f"找不到列映射文件「{path}」")
    data = yamlio.load_or_raise(path, "列映射文件")
    problems: list[Problem] = []
    fields_hint = "、".join(c.header for c in MAIN if c.importable)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise TousuError(f"列映射文件 {path} 无效", (Problem(path, 1, "应为包含 columns、values、defaults 的键值表"),))
    for key in data:
        if key not in ("columns", "values", "defaults"):
            problems.append(Problem(path, line_of(data, key), f"未知的键「{key}」，可用的键：columns、values、defaults"))

    def section(name: str) -> dict:
        value = data.get(name) or {}
        if not isinstance(value, dict):
            problems.append(Problem(path, line_of(data, name), f"「{name}」应为键值表"))
            return {}
        return value

    def key_of(container: Any, name: Any) -> str | None:
        key = _field_key(name)
        if key is None:
            problems.append(Problem(path, line_of(container, name),
                                    f"未知的字段「{name}」，可用的字段：{fields_hint}"))
        return key

    columns: dict[str, str] = {}
    cols = section("columns")
    for header, target in cols.items():
        key = _field_key(target)
        if key is None:
            problems.append(Problem(path, line_of(cols, header),
                                    f"列「{header}」对应的字段「{target}」未知，可用的字段：{fields_hint}"))
        else:
            columns[_norm_header(header)] = key
    values: dict[str, dict[str, str]] = {}
    vals = section("values")
    for name, table in vals.items():
        key = key_of(vals, name)
        if not isinstance(table, dict):
            problems.append(Problem(path, line_of(vals, name), f"「{name}」的取值对应应为键值表（原值: 新值）"))
        elif key is not None:
            values[key] = {str(k).strip(): str(v).strip() for k, v in table.items()}
    defaults: dict[str, str] = {}
    defs = section("defaults")
    for name, value in defs.items():
        key = key_of(defs, name)
        if key is not None and value is not None:
            defaults[key] = str(value).strip()
    if problems:
        raise TousuError(f"列映射文件 {path} 有 {len(problems)} 处错误", tuple(problems))
    return Mapping(columns, values, defaults, str(path))


# ---------------------------------------------------------------- reading


@dataclass
class SheetRows:
    """The rows of one sheet: header cells, which column holds which field, the data rows."""

    title: str
    header_row: int
    columns: dict[str, int]  # field key → 0-based column index
    headers: dict[str, str]  # field key → the header as written in the sheet
    rows: list[tuple[int, tuple[Any, ...]]]  # (1-based row number, cells)
    unused: list[str] = field(default_factory=list)  # headers nothing maps to
    ignored: list[str] = field(default_factory=list)  # second columns for a field already found


@dataclass
class Sheets:
    path: Path
    main: SheetRows
    history: SheetRows | None
    epoch: datetime


def _open(path: Path) -> Any:
    from openpyxl import load_workbook

    if not path.exists():
        raise TousuError(f"找不到文件「{path}」")
    if path.is_dir():
        raise TousuError(f"「{path}」是目录，不是 xlsx 文件")
    try:
        # data_only: a formula cell gives its value; text that merely looks like a formula stays text.
        return load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not xlsx
        hint = "；旧版 .xls 请先在 Excel/WPS 中另存为 .xlsx" if path.suffix.lower() in (".xls", ".et") else ""
        raise TousuError(f"「{path}」不是有效的 xlsx 文件，无法读取{hint}") from None


def _columns(header: tuple[Any, ...], lookup: dict[str, tuple[int, str]],
             known: set[str]) -> tuple[dict[str, int], dict[str, str], list[str], list[str]]:
    """Which column holds which field; the earliest-ranked header wins a field."""
    chosen: dict[str, tuple[int, int]] = {}  # key → (rank, column index)
    unused, ignored = [], []
    for i, cell in enumerate(header):
        h = _norm_header(cell)
        if not h:
            continue
        hit = lookup.get(h)
        if hit is None:
            if h not in known and not _export_only(h):
                unused.append(str(cell).strip())
            continue
        rank, key = hit
        if key in chosen:
            old_rank, old_i = chosen[key]
            if rank < old_rank:
                ignored.append(_norm_header(header[old_i]))
                chosen[key] = (rank, i)
            else:
                ignored.append(h)
        else:
            chosen[key] = (rank, i)
    cols = {k: i for k, (_, i) in chosen.items()}
    return cols, {k: str(header[i]).strip() for k, i in cols.items()}, unused, ignored


def _read_sheet(ws: Any, lookup: dict[str, tuple[int, str]], known: set[str],
                progress: Progress | None, phase: str) -> SheetRows:
    rows_iter = ws.iter_rows(values_only=True)
    head: list[tuple[int, tuple[Any, ...]]] = []
    for n, row in enumerate(rows_iter, 1):
        head.append((n, tuple(row)))
        if n >= HEADER_SCAN_ROWS:
            break
    # The header row: the one among the first rows that names the most known fields.
    best_n, best_score = 1, 0
    for n, row in head:
        score = len({lookup[h][1] for h in map(_norm_header, row) if h in lookup})
        if score > best_score:
            best_n, best_score = n, score
    header = next((row for n, row in head if n == best_n), ())
    cols, headers, unused, ignored = _columns(header, lookup, known)
    total = ws.max_row if isinstance(getattr(ws, "max_row", None), int) else None
    data: list[tuple[int, tuple[Any, ...]]] = []

    def keep(n: int, row: tuple[Any, ...]) -> None:
        if any(v is not None and (not isinstance(v, str) or v.strip()) for v in row):
            data.append((n, row))
        if progress and n % 500 == 0:
            progress(phase, n, total)

    for n, row in head:
        if n > best_n:
            keep(n, row)
    for n, row in enumerate(rows_iter, len(head) + 1):
        keep(n, tuple(row))
    return SheetRows(ws.title, best_n, cols, headers, data, unused, ignored)


def read(path: Path, *, sheet: str | None, mapping: Mapping, progress: Progress | None = None) -> Sheets:
    """Open the workbook and read the main sheet (and 处理记录, if there is one)."""
    path = Path(path)
    wb = _open(path)
    try:
        names = list(wb.sheetnames)
        if sheet is not None:
            if sheet not in names:
                raise TousuError(f"「{path.name}」中没有工作表「{sheet}」，已有的工作表：{choices(names)}")
            main_name = sheet
        elif MAIN_SHEET in names:
            main_name = MAIN_SHEET
        else:
            main_name = next((n for n in names if n != HISTORY_SHEET), names[0])
        lookup: dict[str, tuple[int, str]] = {}
        for col in MAIN:  # tousu's own headers first, then the mapping's
            if col.importable:
                lookup.setdefault(col.header, (len(lookup), col.key))
        for header, key in mapping.columns.items():
            lookup.setdefault(header, (len(lookup), key))
        known = {c.header for c in MAIN}
        main = _read_sheet(wb[main_name], lookup, known, progress, "读取")
        history = None
        if HISTORY_SHEET in names and main_name != HISTORY_SHEET:
            hlookup = {c.header: (i, c.key) for i, c in enumerate(HISTORY)}
            history = _read_sheet(wb[HISTORY_SHEET], hlookup, set(hlookup), progress, "读取处理记录")
        return Sheets(path, main, history, getattr(wb, "epoch", datetime(1899, 12, 30)))
    finally:
        wb.close()


def _export_only(header: str) -> bool:
    """Stage deadline columns of tousu's export: import works them out again instead."""
    return header.endswith(("期限", "按时情况"))


# ---------------------------------------------------------------- cells


def _text(value: Any) -> str | None:
    """A cell as trimmed text; numbers without a spurious '.0' (phone and account numbers)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    s = str(value).strip()
    return s or None


def _time(value: Any, epoch: datetime) -> datetime:
    """A cell as China time: a real date, an Excel serial number or text in the usual forms."""
    from openpyxl.utils.datetime import from_excel

    if isinstance(value, datetime):
        return check_year(to_china(value))
    if isinstance(value, date):
        return check_year(to_china(datetime.combine(value, time())))
    if isinstance(value, time):
        raise ValueError(f"「{value}」只有时刻没有日期")
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        value = float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2958466:  # 1900-01-01 … 9999-12-31
            raise ValueError(f"数值「{_text(value)}」不是 Excel 日期")
        dt = from_excel(value, epoch) + timedelta(microseconds=500_000)  # to the nearest second
        return check_year(to_china(dt.replace(microsecond=0)), _text(value))
    return parse_datetime(str(value))


# ---------------------------------------------------------------- building


@dataclass(frozen=True)
class Item:
    """One valid row, rebuilt: its complaint (id '' when it is to get a new one)."""

    row: int
    complaint: Complaint
    full_history: bool  # True when the history came from 处理记录 (by and note included)


# Which field a lifecycle message is about: the keyword that appears first in it.
_INTAKE_WORDS = (("受理时间", "received_at"), ("受理渠道", "channel"), ("客户姓名", "name"),
                 ("联系电话", "phone"), ("投诉项", "item"), ("投诉大类", "category"), ("诉求内容", "content"),
                 ("客户态度", "attitude"), ("事件等级", "severity"), ("越级投诉渠道", "escalated_to"),
                 ("受理人", "received_by"))
_MAIN_STEP_WORDS = (("核实结论", "verified"), ("单位", "unit"), ("投诉原因", "cause"), ("处理过程", "process"))
_HISTORY_WORDS = (("单位", "unit"), ("理由", "reason"), ("批准人", "approved_by"), ("人员", "person"),
                  ("延期至", "until"), ("时间", "at"), ("投诉原因", "cause"), ("处理过程", "process"),
                  ("事件等级", "severity"), ("越级投诉渠道", "escalated_to"), ("考核条款", "rule"),
                  ("考核金额", "amount"), ("考核对象", "person"))


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


def _about(message: str, words: Iterable[tuple[str, str]], default: str | None) -> str | None:
    hits = [(message.find(w), key) for w, key in words if w in message]
    return min(hits)[1] if hits else default


class _Builder:
    """Validates and rebuilds rows, collecting every problem."""

    def __init__(self, wb: Sheets, mapping: Mapping, rules: Rules, org: Org, cal: WorkCalendar,
                 now: datetime) -> None:
        self.wb, self.mapping, self.rules, self.org, self.cal, self.now = wb, mapping, rules, org, cal, now
        self.problems: list[RowProblem] = []

    # ---- cells of the main sheet ----

    def header(self, key: str) -> str:
        if key in self.wb.main.headers:
            return self.wb.main.headers[key]
        h = MAIN_BY_KEY[key].header
        return f"{h}（默认值）" if key in self.mapping.defaults else h

    def bad(self, row: int, key: str | None, message: str) -> None:
        self.problems.append(RowProblem(row, self.header(key) if key else None, message))

    def raw(self, cells: tuple[Any, ...], key: str) -> Any:
        i = self.wb.main.columns.get(key)
        value = cells[i] if i is not None and i < len(cells) else None
        if _text(value) is None:
            return self.mapping.defaults.get(key)
        return value

    def text(self, cells: tuple[Any, ...], key: str) -> str | None:
        s = _text(self.raw(cells, key))
        if s is None:
            return None
        return self.mapping.values.get(key, {}).get(s, s)

    def when(self, n: int, cells: tuple[Any, ...], key: str) -> datetime | None:
        value = self.raw(cells, key)
        if _text(value) is None:
            return None
        try:
            return _time(value, self.wb.epoch)
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
        """投诉项; '营销管理类-电费电价' or '投诉/电费电价' style paths are read by their last known part."""
        if text is None or text in self.rules.items:
            return text
        parts = [p.strip() for p in _ITEM_SPLIT.split(text) if p.strip()]
        return next((p for p in reversed(parts) if p in self.rules.items), text)

    # ---- the file as a whole ----

    def check_columns(self) -> bool:
        main = self.wb.main
        missing = [MAIN_BY_KEY[k].header for k in REQUIRED
                   if k not in main.columns and k not in self.mapping.defaults]
        for h in missing:
            self.problems.append(RowProblem(main.header_row, h, "缺少此列（其他列名请用 --mapping 指定对应关系）"))
        if self.wb.history is not None:
            hist = self.wb.history
            for key in ("id", "at", "action", "by"):
                if key not in hist.columns:
                    self.problems.append(RowProblem(hist.header_row, HISTORY[[c.key for c in HISTORY].index(key)].header,
                                                    "缺少此列", HISTORY_SHEET))
        return not self.problems

    # ---- one row ----

    def intake(self, n: int, cells: tuple[Any, ...]) -> Complaint | None:
        """The row's intake facts through lifecycle.new_complaint; None (and problems) if wrong."""
        before = len(self.problems)
        received_at = self.when(n, cells, "received_at")
        cid = self.text(cells, "id")
        if cid is not None:
            m = ID_PATTERN.match(cid)
            if not m:
                self.bad(n, "id", f"编号「{cid}」格式不对，应为 TS+8位受理日期+4位序号")
            elif received_at is not None and f"{received_at:%Y%m%d}" != "".join(m.groups()[:3]):
                self.bad(n, "id", f"编号「{cid}」的日期与受理时间 {human(received_at)} 不符")
        empty = {key for key in REQUIRED if self.text(cells, key) is None}
        for key in REQUIRED:
            if key in empty:
                self.bad(n, key, "不能为空")
        escalated = self.text(cells, "escalated_to") or ""
        for sep in LIST_SEPARATORS[1:]:
            escalated = escalated.replace(sep, LIST_SEPARATORS[0])
        failed = len(self.problems) > before
        facts: dict[str, Any] = dict(
            rules=self.rules, received_at=received_at or self.now, now=self.now,
            by=self.text(cells, "received_by") or "", channel=self.text(cells, "channel") or "",
            name=self.text(cells, "name") or "", phone=self.text(cells, "phone") or "",
            category=self.text(cells, "category"), item=self.item(self.text(cells, "item")) or "",
            content=self.text(cells, "content") or "", address=self.text(cells, "address") or "",
            account=self.text(cells, "account") or "", attitude=self.text(cells, "attitude"),
            severity=self.text(cells, "severity"),
            escalated_to=tuple(p.strip() for p in escalated.split(LIST_SEPARATORS[0]) if p.strip()),
            ref=self.text(cells, "ref"),
        )
        # new_complaint stops at the first wrong fact: put a valid stand-in where it stopped and ask
        # again, so that every wrong cell of the row is told in one pass.
        told: set[str | None] = set()
        while True:
            try:
                draft = lifecycle.new_complaint(**facts)
                break
            except TousuError as exc:
                key = _about(exc.message, _INTAKE_WORDS, None)
                # Already said (an empty cell, or a bad time stood in for by now)? Then say nothing more.
                if key not in empty and not (key == "received_at" and received_at is None):
                    self.bad(n, key, exc.message)
                stand_in = _INTAKE_STAND_INS.get(key or "")
                if stand_in is None or key in told:
                    return None
                told.add(key)
                facts.update(stand_in(self.rules, self.now))
        if told:
            return None
        return None if failed else replace(draft, id=cid or f"（第{n}行）")

    def steps_from_main(self, n: int, cells: tuple[Any, ...], c: Complaint | None) -> Complaint | None:
        """The history the main sheet's time columns tell: 派发 … 归档, each through lifecycle.

        The cells are checked even when the intake failed (c is None), so every problem of a row is told.
        """
        before = len(self.problems)
        times = {key: self.when(n, cells, key) for key, _ in STEP_TIMES}
        unit = self.text(cells, "unit")
        if unit is not None:
            try:
                self.org.unit(unit)
            except TousuError as exc:
                self.bad(n, "unit", exc.message)
        verified = self.boolean(n, self.text(cells, "verified"), "verified")
        responsible = self.boolean(n, self.text(cells, "responsible"), "responsible")
        satisfied = self.boolean(n, self.text(cells, "satisfied"), "satisfied")
        bad_cells = {p.column for p in self.problems[before:]}
        # Facts of a step without the step's time would be lost: refuse them.
        needs = (("dispatched_at", ("unit",)),
                 ("replied_at", ("verified", "responsible", "cause", "process", "measures")),
                 ("revisited_at", ("satisfied",)))
        for when_key, facts in needs:
            if times[when_key] is None and self.header(when_key) not in bad_cells:
                for key in facts:
                    if self.text(cells, key) is not None:
                        self.bad(n, key, f"有{MAIN_BY_KEY[key].header}但没有{MAIN_BY_KEY[when_key].header}，"
                                         f"请补上{MAIN_BY_KEY[when_key].header}")
        if times["replied_at"] is not None:
            for key, value in (("verified", verified), ("responsible", responsible)):
                if value is None and self.header(key) not in bad_cells:
                    self.bad(n, key, f"有答复时间，须填{MAIN_BY_KEY[key].header}")
        if times["revisited_at"] is not None and satisfied is None and self.header("satisfied") not in bad_cells:
            self.bad(n, "satisfied", "有回访时间，须填回访结果（满意/不满意）")
        if c is None or len(self.problems) > before:
            return None
        hq = c.received_by  # 95598 班 steps: 派发、审核、回访、归档
        kw = {"now": self.now}
        current: str | None = None
        try:
            for key, action in STEP_TIMES:
                at = times[key]
                if at is None:
                    continue
                current = key
                if action == "dispatch":
                    c = lifecycle.dispatch(c, unit=unit or "", at=at, by=hq, org=self.org, **kw)
                elif action == "contact":
                    c = lifecycle.contact(c, at=at, by=c.unit or hq, **kw)
                elif action == "reply":
                    c = lifecycle.reply(c, verified=bool(verified), responsible=bool(responsible),
                                        cause=self.text(cells, "cause") or "", process=self.text(cells, "process") or "",
                                        measures=self.text(cells, "measures") or "", at=at, by=c.unit or hq, **kw)
                elif action == "review":
                    c = lifecycle.review(c, approve=True, reason=None, at=at, by=hq, **kw)
                elif action == "revisit":
                    c = lifecycle.revisit(c, satisfied=bool(satisfied), at=at, by=hq, **kw)
                elif action == "archive":
                    c = lifecycle.archive(c, at=at, by=hq, **kw)
        except TousuError as exc:
            self.bad(n, _about(exc.message, _MAIN_STEP_WORDS, current), exc.message)
            return None
        return c

    def steps_from_history(self, c: Complaint, rows: list[tuple[int, dict[str, Any]]]) -> Complaint | None:
        """Replay 处理记录 rows through lifecycle; the 受理 row gives the intake 等级 and 越级渠道."""
        hist = self.wb.history
        assert hist is not None

        def col(key: str) -> str:
            return hist.headers.get(key) or next(h.header for h in HISTORY if h.key == key)

        def bad(n: int, key: str | None, message: str) -> None:
            self.problems.append(RowProblem(n, col(key) if key else None, message, HISTORY_SHEET))

        for i, (n, v) in enumerate(rows):
            before = len(self.problems)
            label = _text(v.get("action"))
            action = ACTION_BY_LABEL.get(label or "", label if label in ACTIONS else None)
            if action is None:
                bad(n, "action", f"未知的步骤「{label or ''}」，可选：{choices(ACTION_BY_LABEL)}")
                return None
            at = until = None
            try:
                at = _time(v["at"], self.wb.epoch) if _text(v.get("at")) else None
            except ValueError as exc:
                bad(n, "at", str(exc))
            if at is None and len(self.problems) == before:
                bad(n, "at", "不能为空")
            if _text(v.get("until")):
                try:
                    until = _time(v["until"], self.wb.epoch)
                except ValueError as exc:
                    bad(n, "until", str(exc))
            by = _text(v.get("by"))
            if by is None:
                bad(n, "by", "不能为空")
            flags = {k: self.boolean(n, _text(v.get(k)), k, col(k), HISTORY_SHEET)
                     for k in ("verified", "responsible", "approved", "satisfied")}
            if len(self.problems) > before:
                return None
            t = {k: _text(v.get(k)) for k in ("note", "unit", "reason", "approved_by", "cause", "process",
                                              "measures", "severity", "escalated_to", "rule", "person")}
            note = t["note"] or ""
            kw = {"at": at, "by": by, "now": self.now, "note": note}
            try:
                if action == "add":
                    if i != 0:
                        bad(n, "action", "「受理」只能是第一步")
                        return None
                    if at != c.received_at:
                        bad(n, "at", f"受理时间 {human(at)} 与投诉台账中的受理时间 {human(c.received_at)} 不一致")
                        return None
                    intake = self._intake_event(c, by, note, t["severity"], t["escalated_to"], n, bad)
                    if intake is None:
                        return None
                    c = intake
                elif action == "dispatch":
                    c = lifecycle.dispatch(c, unit=t["unit"] or "", org=self.org, **kw)
                elif action == "contact":
                    c = lifecycle.contact(c, **kw)
                elif action == "return":
                    c = lifecycle.return_(c, reason=t["reason"] or "", **kw)
                elif action == "extend":
                    if until is None:
                        bad(n, "until", "延期须填延期至")
                        return None
                    c = lifecycle.extend(c, until=until, reason=t["reason"] or "", approved_by=t["approved_by"] or "",
                                         org=self.org, rules=self.rules, cal=self.cal, **kw)
                elif action == "reply":
                    for k in ("verified", "responsible"):
                        if flags[k] is None:
                            bad(n, k, "答复须填此项")
                            return None
                    c = lifecycle.reply(c, verified=bool(flags["verified"]), responsible=bool(flags["responsible"]),
                                        cause=t["cause"] or "", process=t["process"] or "",
                                        measures=t["measures"] or "", **kw)
                elif action == "review":
                    c = lifecycle.review(c, approve=flags["approved"] is not False, reason=t["reason"], **kw)
                elif action == "revisit":
                    if flags["satisfied"] is None:
                        bad(n, "satisfied", "回访须填回访结果（满意/不满意）")
                        return None
                    c = lifecycle.revisit(c, satisfied=bool(flags["satisfied"]), **kw)
                elif action == "archive":
                    c = lifecycle.archive(c, **kw)
                elif action == "grade":
                    c = lifecycle.grade(c, severity=t["severity"] or "", rules=self.rules, **kw)
                elif action == "notify":
                    c = lifecycle.notify(c, **kw)
                elif action == "escalate":
                    c = lifecycle.escalate(c, rules=self.rules, channel=t["escalated_to"] or "", **kw)
                elif action == "assess":
                    c = lifecycle.assess(c, rules=self.rules, org=self.org, rule=t["rule"],
                                          amount=assessment.parse_amount(_text(v.get("amount"))),
                                          person=t["person"], unit=t["unit"], **kw)
            except TousuError as exc:
                bad(n, _about(exc.message, _HISTORY_WORDS, "action"), exc.message)
                return None
        return c

    def _intake_event(self, c: Complaint, by: str, note: str, severity: str | None, escalated: str | None,
                      n: int, bad: Callable[[int, str | None, str], None]) -> Complaint | None:
        """The 受理 row: who took it, its note, the intake 事件等级 and 越级渠道 (later ones are events)."""
        if severity is not None and severity not in self.rules.severities:
            bad(n, "severity", f"事件等级「{severity}」无效，可选：{choices(self.rules.severities)}")
            return None
        chans = tuple(p.strip() for p in re.split("[、，,；;\n]", escalated or "") if p.strip())
        for ch in chans:
            if ch not in self.rules.escalation_channels:
                bad(n, "escalated_to", f"越级投诉渠道「{ch}」无效，可选：{choices(self.rules.escalation_channels)}")
                return None
        return replace(c, received_by=by, severity=severity or self.rules.severities[0], escalated_to=chans,
                       history=(replace(c.history[0], by=by, note=note),) + c.history[1:])


def _history_groups(wb: Sheets) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    hist = wb.history
    if hist is None:
        return groups
    for n, cells in hist.rows:
        v = {key: (cells[i] if i < len(cells) else None) for key, i in hist.columns.items()}
        cid = _text(v.get("id")) or ""
        groups.setdefault(cid, []).append((n, v))
    return groups


def build(wb: Sheets, mapping: Mapping, *, rules: Rules, org: Org, cal: WorkCalendar, now: datetime,
          progress: Progress | None = None) -> tuple[list[Item], list[RowProblem]]:
    """Every row validated and rebuilt; any problem means nothing may be written."""
    b = _Builder(wb, mapping, rules, org, cal, now)
    if not b.check_columns():
        return [], b.problems
    groups = _history_groups(wb)
    main_ids: set[str] = set()
    items: list[Item] = []
    seen_id: dict[str, Item] = {}
    seen_ref: dict[str, Item] = {}
    total = len(wb.main.rows)
    seen_key: dict[NaturalKey, Item] = {}
    for k, (n, cells) in enumerate(wb.main.rows, 1):
        if progress and k % 200 == 0:
            progress("检查", k, total)
        cid = _text(b.raw(cells, "id"))
        if cid:
            main_ids.add(cid)
        c = b.intake(n, cells)
        full = bool(cid and cid in groups)
        if full:
            rebuilt = b.steps_from_history(c, groups[cid]) if c is not None else None  # type: ignore[index]
        else:
            rebuilt = b.steps_from_main(n, cells, c)
        if c is None or rebuilt is None:
            continue
        given_id = c.id if ID_PATTERN.match(c.id) else None
        item = Item(n, replace(rebuilt, id=given_id or ""), full)
        # The same work order twice in one file: fine if identical, a problem otherwise.
        key = None if given_id or rebuilt.ref else natural_key(rebuilt)
        twin = ((seen_id.get(given_id) if given_id else None) or (seen_ref.get(rebuilt.ref) if rebuilt.ref else None)
                or (seen_key.get(key) if key else None))
        if twin is not None:
            if differs(item, twin.complaint) is not None or differs(twin, item.complaint) is not None:
                if key:
                    b.bad(n, "received_at", f"与第{twin.row}行是同一投诉（受理时间、联系电话、投诉项、诉求内容相同）但内容不同")
                else:
                    b.bad(n, "ref" if rebuilt.ref else "id", f"与第{twin.row}行是同一工单（编号相同）但内容不同")
            continue
        if given_id:
            seen_id[given_id] = item
        if rebuilt.ref:
            seen_ref[rebuilt.ref] = item
        if key:
            seen_key[key] = item
        items.append(item)
    for cid, rows in groups.items():
        if cid not in main_ids:
            n = rows[0][0]
            b.problems.append(RowProblem(n, "ID", f"投诉台账中没有编号「{cid}」的投诉" if cid else "不能为空",
                                         HISTORY_SHEET))
    if progress:
        progress("检查", total, total)
    b.problems.sort(key=lambda p: (p.sheet is not None, p.row))
    return (items if not b.problems else []), b.problems


# ---------------------------------------------------------------- against the data folder


@dataclass(frozen=True)
class Outcome:
    item: Item
    status: str  # new | unchanged | conflict
    existing: str | None = None  # the ID already in the data folder
    detail: str = ""

    @property
    def complaint(self) -> Complaint:
        return self.item.complaint


STATUS_ZH = {"new": "新增", "unchanged": "未变", "conflict": "冲突"}
_INTAKE_ZH = {"ref": "95598工单编号", "received_at": "受理时间", "channel": "受理渠道", "received_by": "受理人",
              "customer": "客户信息", "category": "投诉大类", "item": "投诉项", "content": "诉求内容",
              "attitude": "客户态度", "severity": "事件等级", "escalated_to": "越级渠道"}


def _event_key(e: Event, full: bool) -> Event:
    return e if full else replace(e, by="", note="")


def differs(item: Item, existing: Complaint) -> str | None:
    """None when the row says nothing the record does not already say; else what differs.

    The record may have moved on since the sheet was made: the row's history
    need only be the beginning of the record's. A history rebuilt from the main
    sheet's time columns is compared without who and notes, which it cannot know.
    """
    mine, theirs = records.to_data(item.complaint), records.to_data(existing)
    diff = [zh for key, zh in _INTAKE_ZH.items() if mine.get(key) != theirs.get(key)]
    if diff:
        return "、".join(diff) + "不同"
    h, eh = item.complaint.history, existing.history
    if len(h) > len(eh):
        return f"表中有{len(h)}步处理记录，数据中只有{len(eh)}步"
    for i, (a, b) in enumerate(zip(h, eh)):
        if _event_key(a, item.full_history) != _event_key(b, item.full_history):
            return f"第{i + 1}步处理记录不同（表中：{a.label} {human(a.at)}；数据中：{b.label} {human(b.at)}）"
    return None


NaturalKey = tuple[str, str, str, str]


def natural_key(c: Complaint) -> NaturalKey:
    """What identifies a complaint with neither ID nor 工单编号: 受理时间 to the minute, the digits of
    联系电话, 投诉项, 诉求内容. A row that differs only in spacing of the phone or in seconds finds its
    record by this key; it is then compared in full, so it is listed as a conflict, never added twice."""
    return (f"{to_china(c.received_at):%Y-%m-%d %H:%M}", re.sub(r"\D", "", c.customer.phone or ""),
            c.item, (c.content or "").strip())


def classify(items: list[Item], existing: Iterable[Complaint]) -> list[Outcome]:
    """New, unchanged or conflicting, by 95598 工单编号, by ID, else by natural key (read once: no per-row scans)."""
    by_id: dict[str, Complaint] = {}
    by_ref: dict[str, Complaint] = {}
    by_key: dict[NaturalKey, Complaint] = {}
    for c in existing:
        by_id[c.id] = c
        if c.ref:
            by_ref.setdefault(c.ref, c)
        by_key.setdefault(natural_key(c), c)
    out = []
    for it in items:
        c = it.complaint
        a = by_id.get(c.id) if c.id else None
        b = by_ref.get(c.ref) if c.ref else None
        if a is not None and b is not None and a.id != b.id:
            out.append(Outcome(it, "conflict", a.id, f"编号对应 {a.id}，工单编号却对应 {b.id}"))
            continue
        match = a or b or (by_key.get(natural_key(c)) if not c.id and not c.ref else None)
        if match is None:
            out.append(Outcome(it, "new"))
            continue
        diff = differs(it, match)
        out.append(Outcome(it, "conflict" if diff else "unchanged", match.id, diff or ""))
    return out


def write(store: Store, outcomes: list[Outcome], existing_ids: Iterable[str],
          progress: Progress | None = None) -> list[Outcome]:
    """Write the new complaints. The caller holds the store lock.

    Rows with an ID keep it; the others get the next free number of their
    受理 day, in order of 受理时间. Numbers are worked out from the IDs read
    once, not by listing a folder per row, and files are flushed to disk all
    at once, not one by one. All or nothing: on a disk error what this import
    wrote is unlinked again and a TousuError names the path and the reason.
    """
    last_seq: dict[str, int] = {}
    for cid in list(existing_ids) + [o.complaint.id for o in outcomes if o.complaint.id]:
        last_seq[cid[:10]] = max(last_seq.get(cid[:10], 0), int(cid[10:]))

    def next_id(c: Complaint) -> Complaint:
        prefix = f"TS{to_china(c.received_at):%Y%m%d}"
        seq = last_seq.get(prefix, 0) + 1
        if seq > 9999:
            raise TousuError(f"{to_china(c.received_at):%Y-%m-%d} 的投诉编号已用完（9999 件）")
        last_seq[prefix] = seq
        return replace(c, id=f"{prefix}{seq:04d}")

    todo = [o for o in outcomes if o.status == "new"]
    todo.sort(key=lambda o: (not o.complaint.id, o.complaint.received_at, o.item.row))
    ready = [(o, o.complaint if o.complaint.id else next_id(o.complaint)) for o in todo]
    result: dict[int, Outcome] = {}
    created: list[Complaint] = []
    tick = (lambda done, total: progress("写入", done, total)) if progress else None
    try:
        oks = store.write_new_many([c for _, c in ready], tick)
        created += [c for (_, c), ok in zip(ready, oks) if ok]
        for (o, c), ok in zip(ready, oks):
            while not ok and not o.complaint.id:  # someone's `add` took the number meanwhile
                c = next_id(c)
                ok = store.write_new(c)
                if ok:
                    created.append(c)
            if ok:
                result[o.item.row] = replace(o, item=replace(o.item, complaint=replace(c, path=store.path_for(c.id))))
            else:
                result[o.item.row] = replace(o, status="conflict", existing=c.id, detail=f"编号 {c.id} 已被占用")
    except OSError as exc:
        left = [Path(p) for p in getattr(exc, "left", [])] + _unlink(store, created)
        raise _failed(store, exc, left) from None
    except BaseException:  # 编号已用完, Ctrl-C: nothing half-imported either
        _unlink(store, created)
        raise
    return [result.get(o.item.row, o) for o in outcomes]


def _unlink(store: Store, created: list[Complaint]) -> list[Path]:
    """Take back the records this import wrote; those that could not be removed."""
    left = []
    for c in created:
        try:
            store.path_for(c.id).unlink(missing_ok=True)
        except OSError:
            left.append(store.path_for(c.id))
    return left


def _failed(store: Store, exc: OSError, left: list[Path]) -> TousuError:
    """The error to show for a failed write, naming the path and the reason."""
    where = f"无法写入「{exc.filename or store.complaints}」：{os_reason(exc)}"
    if not left:
        return TousuError(f"导入失败，未导入任何数据：{where}")
    return TousuError(f"导入失败：{where}；以下 {len(left)} 个文件已写入但无法删除，请手动删除后重新导入：",
                      tuple(Problem(p, 0, "本次导入写入的记录") for p in left))
