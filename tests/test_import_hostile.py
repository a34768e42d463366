"""Issue #14 §3 (xlsx): hostile workbooks to import are refused quickly, under a memory limit, in Chinese.

Each file is made here: a FIFO named .xlsx, zip bombs (declared and real), a cell reference that
is not one, a sheet whose dimension claims a million rows. The import runs in a subprocess whose
address space is limited (resource.setrlimit), so a reader that tried to load the bomb would fail
with MemoryError instead of taking the machine down; it must instead finish in seconds, exit 2,
with 「不是有效的 xlsx」 or the limit and how to split the file. Also: export onto a full disk.
"""

from __future__ import annotations

import errno
import gc
import os
import re
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import ORG, Cli
from test_excel import ok, refused, walk

LIMIT = 1536 * 2**20  # address space of the importing process


def _data(path: Path) -> Path:
    (path / "complaints").mkdir(parents=True)
    (path / "org.yaml").write_text(ORG, encoding="utf-8")
    return path


def _import_limited(data: Path, xlsx: Path) -> subprocess.CompletedProcess:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

    start = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "tousu", "--data", str(data), "import", str(xlsx)],
                       capture_output=True, text=True, timeout=120, preexec_fn=limit,
                       env={**os.environ, "COLUMNS": "200"})
    r.seconds = time.monotonic() - start  # type: ignore[attr-defined]
    return r


def _workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["受理时间", "客户名称", "联系方式", "投诉分类", "受理内容"])
    ws.append(["2025-11-03 09:00", "王女士", "13800000001", "服务态度", "态度差"])
    wb.save(path)
    return path


def _rewrite(path: Path, member: str, change) -> Path:  # noqa: ANN001 - Callable[[bytes], bytes]
    """The workbook with one member's bytes changed."""
    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            zf.writestr(info, change(data) if info.filename == member else data)
    return path


SHEET = "xl/worksheets/sheet1.xml"


def _real_bomb(path: Path) -> Path:
    """600 MiB of sheet XML (a cell of spaces) in a 3 MB file."""
    _workbook(path)
    with zipfile.ZipFile(path) as zf:
        items = [(i.filename, zf.read(i.filename)) for i in zf.infolist() if i.filename != SHEET]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in items:
            zf.writestr(name, data)
        with zf.open(SHEET, "w", force_zip64=True) as fh:
            fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                     b'<row r="1"><c r="A1" t="inlineStr"><is><t>')
            chunk = b" " * 2**20
            for _ in range(600):
                fh.write(chunk)
            fh.write(b"</t></is></c></row></sheetData></worksheet>")
    return path


def _declared_bomb(path: Path) -> Path:
    """A small sheet whose central directory declares 3.75 GiB uncompressed."""
    _workbook(path)
    raw = bytearray(path.read_bytes())
    name = SHEET.encode()
    at = raw.rfind(b"PK\x01\x02", 0, raw.rfind(name))  # the sheet's central directory entry
    raw[at + 24:at + 28] = (0xF0000000).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize(("make", "message"), [
    (_real_bomb, "解压后有 6"),
    (_declared_bomb, "解压后有 3840 MB，超过导入的上限 512 MB"),
    (lambda p: _rewrite(_workbook(p), SHEET, lambda b: b.replace(b'r="A2"', b'r="x"')), "不是有效的 xlsx 文件"),
    (lambda p: _rewrite(_workbook(p), SHEET, lambda b: b.replace(b'r="B2"', b'r="!!"')), "不是有效的 xlsx 文件"),
    (lambda p: _rewrite(_workbook(p), SHEET, lambda b: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:E1048576"', b)),
     "有 1048576 行，超过一次导入的上限 50000 行：请在 Excel/WPS 中按受理月份筛选"),
    (lambda p: _rewrite(_workbook(p), SHEET, lambda b: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD2"', b)),
     "有 16384 列，超过导入的上限 500 列"),
    (lambda p: (p.write_bytes(b"PK\x03\x04" + b"\0" * 100), p)[1], "不是有效的 xlsx 文件"),
])
def test_hostile_workbooks_are_refused_quickly_under_a_memory_limit(tmp_path: Path, make, message: str) -> None:  # noqa: ANN001
    data = _data(tmp_path / "data")
    r = _import_limited(data, make(tmp_path / "恶意.xlsx"))
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr
    assert message in r.stderr.replace("\n", ""), r.stderr
    assert r.seconds < 60  # type: ignore[attr-defined]
    assert list((data / "complaints").rglob("*.yaml")) == []


def test_a_fifo_named_xlsx_is_refused_not_waited_on(cli: Cli, tmp_path: Path) -> None:
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    refused(cli("import", fifo), "不是普通文件（是管道、设备或套接字），不能导入")


def test_export_onto_a_full_disk_says_so_without_a_traceback(cli: Cli, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import tousu.files as files

    walk(cli)
    real = os.fdopen

    class Full:
        def __init__(self, fh) -> None:  # noqa: ANN001
            self.fh = fh

        def __enter__(self):  # noqa: ANN204
            return self

        def __exit__(self, *exc) -> None:  # noqa: ANN002
            self.fh.close()

        def write(self, data) -> int:  # noqa: ANN001
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fdopen", lambda fd, *a, **k: Full(real(fd, *a, **k)))
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    out = tmp_path / "台账.xlsx"
    refused(cli("export", "-o", out), f"无法写入「{out}」：磁盘已满")
    gc.collect()
    assert unraisable == []  # no ZipFile.__del__ complaining after the message
    assert not out.exists() and [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    monkeypatch.undo()
    ok(cli("export", "-o", out))
