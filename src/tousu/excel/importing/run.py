"""The import as a whole: every row checked and rebuilt, then classified and written in one step.

`build` is pure and collects every problem (any problem: nothing may be written);
`import_into` holds the store lock while it reads the data folder, classifies
and writes, so two imports at once stay consistent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from tousu.config import yamlio
from tousu.config.org import Org
from tousu.config.rules import Rules
from tousu.domain.model import ID_PATTERN, Complaint
from tousu.domain.workdays import WorkCalendar
from tousu.errors import Problem, TousuError, os_reason
from tousu.excel.fields import HISTORY_SHEET
from tousu.excel.importing import cells
from tousu.excel.importing.cells import Progress, RowProblem
from tousu.excel.importing.mapping import Mapping
from tousu.excel.importing.matching import Item, NaturalKey, Outcome, classify, differs, natural_key
from tousu.excel.importing.rebuild import steps_from_history, steps_from_main
from tousu.excel.importing.rows import Rows
from tousu.excel.importing.sheets import Sheets
from tousu.storage import records
from tousu.storage.store import IdSequence, Store

HistoryGroups = dict[str, list[tuple[int, dict[str, Any]]]]


def _history_groups(wb: Sheets) -> HistoryGroups:
    groups: HistoryGroups = {}
    hist = wb.history
    if hist is None:
        return groups
    for n, row in hist.rows:
        v = {key: (row[i] if i < len(row) else None) for key, i in hist.columns.items()}
        groups.setdefault(cells.text(v.get("id")) or "", []).append((n, v))
    return groups


@dataclass
class _Seen:
    """The rows kept so far, by ID, 工单编号 and natural key: the same work order twice in one file."""

    by_id: dict[str, Item] = field(default_factory=dict)
    by_ref: dict[str, Item] = field(default_factory=dict)
    by_key: dict[NaturalKey, Item] = field(default_factory=dict)

    def twin_or_add(self, r: Rows, item: Item, given_id: str | None) -> bool:
        """True when the item is new in the file; a twin is fine if identical, a problem otherwise."""
        c = item.complaint
        key = None if given_id or c.ref else natural_key(c)
        twin = ((self.by_id.get(given_id) if given_id else None) or (self.by_ref.get(c.ref) if c.ref else None)
                or (self.by_key.get(key) if key else None))
        if twin is not None:
            if differs(item, twin.complaint) is not None or differs(twin, item.complaint) is not None:
                if key:
                    r.bad(item.row, "received_at",
                          f"与第{twin.row}行是同一投诉（受理时间、联系电话、投诉项、诉求内容相同）但内容不同")
                else:
                    r.bad(item.row, "ref" if c.ref else "id", f"与第{twin.row}行是同一工单（编号相同）但内容不同")
            return False
        if given_id:
            self.by_id[given_id] = item
        if c.ref:
            self.by_ref[c.ref] = item
        if key:
            self.by_key[key] = item
        return True


def _row_item(r: Rows, n: int, row: tuple[Any, ...], groups: HistoryGroups) -> tuple[Item | None, str | None]:
    """One main-sheet row rebuilt (None if wrong), and the ID it gives."""
    cid = cells.text(r.raw(row, "id"))
    r.note_translations(row)
    c = r.intake(n, row)
    full = bool(cid and cid in groups)
    if full:
        rebuilt = steps_from_history(r, c, groups[cid]) if c is not None else None  # type: ignore[index]
    else:
        rebuilt = steps_from_main(r, n, row, c)
    if c is None or rebuilt is None:
        return None, cid
    given_id = c.id if ID_PATTERN.match(c.id) else None
    return Item(n, replace(rebuilt, id=given_id or ""), full), cid


@dataclass(frozen=True)
class Built:
    """What `build` made of the rows: the items (none if any problem), the problems, the translations applied."""

    items: list[Item]
    problems: list[RowProblem]
    translations: list[tuple[str, str, str, int]]  # (column, from, to, rows)


def build(wb: Sheets, mapping: Mapping, *, rules: Rules, org: Org, cal: WorkCalendar, now: datetime,
          progress: Progress | None = None) -> Built:
    """Every row validated and rebuilt; any problem means nothing may be written."""
    r = Rows(wb, mapping, rules, org, cal, now)
    if not r.check_columns():
        return Built([], r.problems, [])
    groups = _history_groups(wb)
    main_ids: set[str] = set()
    items: list[Item] = []
    seen = _Seen()
    total = len(wb.main.rows)
    for k, (n, row) in enumerate(wb.main.rows, 1):
        if progress and k % 200 == 0:
            progress("检查", k, total)
        item, cid = _row_item(r, n, row, groups)
        if cid:
            main_ids.add(cid)
        if item is not None and seen.twin_or_add(r, item, item.complaint.id or None):
            items.append(item)
    units = r.unknown_units_problem()
    if units is not None:
        r.problems.append(units)
    for cid, rows in groups.items():
        if cid not in main_ids:
            r.problems.append(RowProblem(rows[0][0], "ID", f"投诉台账中没有编号「{cid}」的投诉" if cid else "不能为空",
                                         HISTORY_SHEET))
    if progress:
        progress("检查", total, total)
    r.problems.sort(key=lambda p: (p.sheet == HISTORY_SHEET, p.row))
    translations = [(col, a, b, n) for (col, a, b), n in sorted(r.translations.items())]
    return Built(items if not r.problems else [], r.problems, translations)


# ---------------------------------------------------------------- writing


def write(store: Store, outcomes: list[Outcome], existing_ids: Iterable[str],
          progress: Progress | None = None) -> list[Outcome]:
    """Write the new complaints. The caller holds the store lock.

    Rows with an ID keep it; the others get the next free number of their
    受理 day, in order of 受理时间. Numbers are worked out from the IDs read
    once, not by listing a folder per row, and files are flushed to disk all
    at once, not one by one. All or nothing: on a disk error what this import
    wrote is unlinked again and a TousuError names the path and the reason.
    """
    ids = IdSequence(list(existing_ids) + store.given_ids() + [o.complaint.id for o in outcomes if o.complaint.id])

    def next_id(c: Complaint) -> Complaint:
        return replace(c, id=ids.next(c.received_at))

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
        store.remember_ids(c.id for c in created)  # never given again, even if a file is deleted later
        _update(store, [o for o in outcomes if o.status == "update"])
    except OSError as exc:
        left = [Path(p) for p in getattr(exc, "left", [])] + _unlink(store, created)
        raise _failed(store, exc, left) from None
    except BaseException:  # 编号已用完, Ctrl-C: nothing half-imported either
        _unlink(store, created)
        raise
    return [result.get(o.item.row, o) for o in outcomes]


def _update(store: Store, outcomes: list[Outcome]) -> None:
    """Records that get later steps: each replaced atomically; on a failure the earlier ones are put back."""
    done: list[tuple[Path, str]] = []
    try:
        for o in outcomes:
            path = store.path_for(o.existing or o.complaint.id)
            old = path.read_text(encoding="utf-8")
            yamlio.write_atomic(path, records.dumps(o.complaint))
            done.append((path, old))
    except BaseException:
        for path, old in reversed(done):
            with contextlib.suppress(OSError):
                yamlio.write_atomic(path, old)
        raise


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


def import_into(store: Store, items: list[Item], *, dry_run: bool,
                progress: Progress | None = None) -> list[Outcome]:
    """Check against the data folder and write the new ones, as one step under the store lock."""
    with store.lock():
        existing, broken = store.load_all()
        if broken:
            raise TousuError("数据目录中有无法读取的记录，无法判断是否重复导入，请先修正：", tuple(broken))
        outcomes = classify(items, existing)
        if not dry_run:
            outcomes = write(store, outcomes, (c.id for c in existing), progress=progress)
    return outcomes
