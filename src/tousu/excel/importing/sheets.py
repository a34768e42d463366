"""Reading the workbook: which sheet, which row is the header, which column holds which field."""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tousu.errors import TousuError, choices
from tousu.excel.fields import HISTORY, HISTORY_SHEET, IMPORT_ONLY, MAIN, MAIN_SHEET
from tousu.excel.importing.cells import Progress
from tousu.excel.importing.mapping import Mapping, norm_header
from tousu.excel.importing.xls import is_xls, open_xls

MAX_ROWS = 50_000  # work orders in one import: a big city's year of complaints; more is split by month
STEPS_PER_ORDER = 10  # 处理记录 rows allowed per work order on average (tousu's export has about seven)
MAX_COLUMNS = 500
MAX_UNZIPPED = 512 * 2**20  # the xlsx's declared uncompressed size
SPLIT_HINT = (f"请在 Excel/WPS 中按受理月份筛选，把每月的工单另存为一个 xlsx 文件（每个不超过 {MAX_ROWS} 行），"
              "再逐个导入（重复导入同一工单不会重复建档）")
HISTORY_SPLIT_HINT = ("请按受理月份分成几个文件（tousu export --month 逐月导出；或在 Excel/WPS 中把每月的工单连同"
                      "「处理记录」中这些工单的行另存为一个 xlsx 文件），再逐个导入（重复导入同一工单不会重复建档）")
HEADER_SCAN_ROWS = 20  # titles, 导出时间, 查询条件 and blank rows may sit above the header row
_TOTAL = re.compile(r"^\s*(合计|总计|小计|共计)")
_NOTE = re.compile(r"^\s*(注|备注|说明|注意|制表|审核人|打印)")

Lookup = dict[str, tuple[int, str]]  # normalised header → (rank, field key); the lower rank wins a field
Row = tuple[int, tuple[Any, ...]]  # (1-based row number, cells)


@dataclass
class SheetRows:
    """The rows of one sheet: header cells, which column holds which field, the data rows."""

    title: str
    header_row: int
    columns: dict[str, int]  # field key → 0-based column index
    headers: dict[str, str]  # field key → the header as written in the sheet
    rows: list[Row]
    unused: list[str] = field(default_factory=list)  # headers nothing maps to
    ignored: list[str] = field(default_factory=list)  # second columns for a field already found
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, why): title, blank, 合计, note rows


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
    if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would hang the reader, a device never end
        raise TousuError(f"「{path}」不是普通文件（是管道、设备或套接字），不能导入；请导入 xlsx 文件本身")
    if is_xls(path):
        return open_xls(path)
    _check_zip(path)
    try:
        # data_only: a formula cell gives its value; text that merely looks like a formula stays text.
        return load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not xlsx
        raise _not_xlsx(path) from None


def _not_xlsx(path: Path) -> TousuError:
    hint = "；旧版 .xls 请先在 Excel/WPS 中另存为 .xlsx" if path.suffix.lower() in (".xls", ".et") else ""
    return TousuError(f"「{path}」不是有效的 xlsx 文件，无法读取{hint}")


def _check_zip(path: Path) -> None:
    """Before any XML is read: the archive's declared uncompressed sizes (a zip bomb is refused unread)."""
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _not_xlsx(path) from None
    if total > MAX_UNZIPPED:
        raise TousuError(f"「{path}」解压后有 {total / 2**20:.0f} MB，超过导入的上限 {MAX_UNZIPPED // 2**20} MB"
                         f"（正常的导出表远小于此；也可能是损坏或恶意构造的文件）：{SPLIT_HINT}")


def _limit(history: bool) -> tuple[int, str]:
    """The most rows one import reads from the main sheet or 处理记录, and how the limit and the remedy are said."""
    if history:
        most = MAX_ROWS * STEPS_PER_ORDER
        return most, f"{most} 行（平均每件工单 {STEPS_PER_ORDER} 条）：{HISTORY_SPLIT_HINT}"
    return MAX_ROWS, f"{MAX_ROWS} 行：{SPLIT_HINT}"


def _check_dimensions(path: Path, ws: Any, history: bool) -> None:
    """The sheet's declared size, before its rows are read."""
    rows, cols = getattr(ws, "max_row", None), getattr(ws, "max_column", None)
    most, said = _limit(history)
    if isinstance(rows, int) and rows > most + HEADER_SCAN_ROWS:
        raise TousuError(f"「{path.name}」的工作表「{ws.title}」有 {rows} 行，超过一次导入的上限 {said}")
    if isinstance(cols, int) and cols > MAX_COLUMNS:
        raise TousuError(f"「{path.name}」的工作表「{ws.title}」有 {cols} 列，超过导入的上限 {MAX_COLUMNS} 列："
                         f"请删去多余的列（只保留工单的各项）后另存再导入")


def export_only(header: str) -> bool:
    """Stage deadline columns of tousu's export: import works them out again instead."""
    return header.endswith(("期限", "按时情况"))


def _columns(header: tuple[Any, ...], lookup: Lookup,
             known: set[str]) -> tuple[dict[str, int], dict[str, str], list[str], list[str]]:
    """Which column holds which field; the earliest-ranked header wins a field."""
    chosen: dict[str, tuple[int, int]] = {}  # key → (rank, column index)
    unused, ignored = [], []
    for i, cell in enumerate(header):
        h = norm_header(cell)
        if not h:
            continue
        hit = lookup.get(h)
        if hit is None:
            if h not in known and not export_only(h):
                unused.append(str(cell).strip())
            continue
        rank, key = hit
        if key in chosen:
            old_rank, old_i = chosen[key]
            if rank < old_rank:
                ignored.append(norm_header(header[old_i]))
                chosen[key] = (rank, i)
            else:
                ignored.append(h)
        else:
            chosen[key] = (rank, i)
    cols = {k: i for k, (_, i) in chosen.items()}
    return cols, {k: str(header[i]).strip() for k, i in cols.items()}, unused, ignored


def _header_row(head: list[Row], lookup: Lookup) -> int:
    """The header row: the one among the first rows that names the most known fields."""
    best_n, best_score = 1, 0
    for n, row in head:
        score = len({lookup[h][1] for h in map(norm_header, row) if h in lookup})
        if score > best_score:
            best_n, best_score = n, score
    return best_n


def _filled(row: tuple[Any, ...]) -> list[Any]:
    return [v for v in row if v is not None and (not isinstance(v, str) or v.strip())]


def skip_reason(row: tuple[Any, ...], header_row: bool = False) -> str | None:
    """Why a row is not a work order: blank, a title, 导出时间, a 合计 or a note; None if it may be one."""
    filled = _filled(row)
    if not filled:
        return "空行"
    first = str(filled[0]).strip()
    if _TOTAL.match(first):
        return "合计行"
    if "导出时间" in first or "导出日期" in first or "统计时间" in first:
        return "导出时间"
    if len(filled) == 1 and isinstance(filled[0], str):
        if _NOTE.match(first):
            return "说明行"
        return "标题行" if header_row else "说明行"
    return None


def _read_sheet(ws: Any, lookup: Lookup, known: set[str], progress: Progress | None, phase: str,
                history: bool = False) -> SheetRows:
    rows_iter = ws.iter_rows(values_only=True)
    head: list[Row] = []
    for n, row in enumerate(rows_iter, 1):
        head.append((n, tuple(row)))
        if n >= HEADER_SCAN_ROWS:
            break
    best_n = _header_row(head, lookup)
    header = next((row for n, row in head if n == best_n), ())
    cols, headers, unused, ignored = _columns(header, lookup, known)
    total = ws.max_row if isinstance(getattr(ws, "max_row", None), int) else None
    data: list[Row] = []
    skipped = [(n, skip_reason(row, True) or "表头之前的行") for n, row in head if n < best_n]
    most, said = _limit(history)

    def keep(n: int, row: tuple[Any, ...]) -> None:
        if n > most + HEADER_SCAN_ROWS:  # a sheet whose dimension did not say so
            raise TousuError(f"工作表「{ws.title}」超过一次导入的上限 {said}")
        why = skip_reason(row)
        if why is None:
            data.append((n, row))
        elif why != "空行":  # blank rows between and after the orders are only counted
            skipped.append((n, why))
        if progress and n % 500 == 0:
            progress(phase, n, total)

    for n, row in head:
        if n > best_n:
            keep(n, row)
    for n, row in enumerate(rows_iter, len(head) + 1):
        keep(n, tuple(row))
    return SheetRows(ws.title, best_n, cols, headers, data, unused, ignored, skipped)


def _main_sheet(path: Path, names: list[str], sheet: str | None) -> str:
    if sheet is not None:
        if sheet not in names:
            raise TousuError(f"「{path.name}」中没有工作表「{sheet}」，已有的工作表：{choices(names)}")
        return sheet
    if MAIN_SHEET in names:
        return MAIN_SHEET
    return next((n for n in names if n != HISTORY_SHEET), names[0])


def main_lookup(mapping: Mapping) -> Lookup:
    """tousu's own headers first, then the mapping's."""
    lookup: Lookup = {}
    for col in MAIN + IMPORT_ONLY:
        if col.importable:
            lookup.setdefault(col.header, (len(lookup), col.key))
    for header, key in mapping.columns.items():
        lookup.setdefault(header, (len(lookup), key))
    return lookup


def read(path: Path, *, sheet: str | None, mapping: Mapping, progress: Progress | None = None) -> Sheets:
    """Open the workbook and read the main sheet (and 处理记录, if there is one)."""
    path = Path(path)
    wb = _open(path)
    try:
        names = list(wb.sheetnames)
        main_name = _main_sheet(path, names, sheet)
        known = {c.header for c in MAIN}
        sheets = [wb[main_name]] + ([wb[HISTORY_SHEET]] if HISTORY_SHEET in names and main_name != HISTORY_SHEET else [])
        for i, ws in enumerate(sheets):
            _check_dimensions(path, ws, history=i > 0)
        main = _read_sheet(sheets[0], main_lookup(mapping), known, progress, "读取")
        history = None
        if len(sheets) > 1:
            hlookup = {c.header: (i, c.key) for i, c in enumerate(HISTORY)}
            history = _read_sheet(sheets[1], hlookup, set(hlookup), progress, "读取处理记录", history=True)
        return Sheets(path, main, history, getattr(wb, "epoch", datetime(1899, 12, 30)))
    except TousuError:
        raise
    except Exception:  # noqa: BLE001 - a bad cell reference, broken XML …: the reader's many kinds of failure
        raise _not_xlsx(path) from None
    finally:
        wb.close()
