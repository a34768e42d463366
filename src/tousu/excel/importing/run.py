"""The import as a whole: every row checked and rebuilt, then classified and written in one step.

`build` is pure and collects every problem (any problem: nothing may be written);
`import_into` holds the store lock while it reads the data folder, classifies
and writes, so two imports at once stay consistent.
"""

from __future__ import annotations

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
from tousu.storage.journal import Journal
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
    """Write the new complaints and the later steps of updated ones, as one transaction. The caller
    holds the store lock.

    Rows with an ID keep it; the others get the next free number of their
    受理 day, in order of 受理时间, worked out from the IDs read once. Every
    file goes through a journal in the data folder (storage.journal): staged,
    flushed to disk at once, committed in one rename, then moved into place. All
    or nothing: on a disk error (or Ctrl-C) what this import moved in is taken
    back and a TousuError names the path and the reason; after a SIGKILL or a
    power cut the next tousu command completes or rolls back the transaction.
    """
    ids = IdSequence(list(existing_ids) + store.given_ids() + [o.complaint.id for o in outcomes if o.complaint.id])
    todo = sorted((o for o in outcomes if o.status == "new"),
                  key=lambda o: (not o.complaint.id, o.complaint.received_at, o.item.row))
    ready: list[tuple[Outcome, Complaint]] = []
    for o in todo:
        c = o.complaint if o.complaint.id else replace(o.complaint, id=ids.next(o.complaint.received_at))
        while not o.complaint.id and store.path_for(c.id).exists():  # a file not read as a record holds it
            c = replace(c, id=ids.next(c.received_at))
        ready.append((o, replace(c, path=store.path_for(c.id))))
    updates = [o for o in outcomes if o.status == "update"]
    j = Journal(store.root)
    try:
        j.begin()
        for n, (_, c) in enumerate(ready, 1):
            j.stage(store.path_for(c.id), records.dumps(c), new=True)
            if progress and n % 500 == 0:
                progress("写入", n, len(ready))
        old = {store.path_for(o.existing or ""): store.path_for(o.existing or "").read_text(encoding="utf-8")
               for o in updates}
        for o in updates:
            j.stage(store.path_for(o.existing or ""), records.dumps(o.complaint), new=False)
        j.commit()
    except OSError as exc:
        j.abort()
        raise _failed(store, exc, []) from None
    except BaseException:
        j.abort()
        raise
    _apply(store, j, old, progress)
    store.remember_ids(c.id for _, c in ready)  # never given again, even if a file is deleted later
    written = {o.item.row: replace(o, item=replace(o.item, complaint=c)) for o, c in ready}
    return [written.get(o.item.row, o) for o in outcomes]


def _apply(store: Store, j: Journal, old: dict[Path, str], progress: Progress | None) -> None:
    """Move the committed files in; a failure in this process takes back what was moved (none or all)."""
    tick = (lambda done, total: progress("写入", done, total)) if progress else None
    try:
        j.apply(tick)
    except BaseException as exc:
        left = _take_back(getattr(j, "done", []), old)
        j.abort()
        if isinstance(exc, OSError):
            raise _failed(store, exc, left) from None
        raise


def _take_back(done: list[Path], old: dict[Path, str]) -> list[Path]:
    """Undo what an import moved in: new records unlinked, replaced ones restored; those that could not be."""
    left = []
    for path in reversed(done):
        try:
            if path in old:
                yamlio.write_atomic(path, old[path])
            else:
                path.unlink(missing_ok=True)
        except OSError:
            left.append(path)
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
