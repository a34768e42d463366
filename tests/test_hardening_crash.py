"""Issue #14 §1: an unexpected failure reads as an error to cron (exit 2, never 1), the traceback in a log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tousu import cli as tousu_cli
from tousu.reports import overdue
from tousu.storage.store import Store


def _boom(*args, **kwargs):
    raise RuntimeError("故意的内部错误 secret-13912345678")


def _main(monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setattr(sys, "argv", ["tousu", *argv])
    with pytest.raises(SystemExit) as stop:
        tousu_cli.main()
    return stop.value.code


def _logged(stderr: str) -> Path:
    line = next(x for x in stderr.splitlines() if "错误详情已写入" in x)
    return Path(line.split("错误详情已写入 ", 1)[1].split("，", 1)[0])


def test_a_crash_in_check_overdue_exits_2_with_the_log_named_and_json_errors(
        monkeypatch, capsys, data_dir: Path, tmp_path: Path) -> None:
    monkeypatch.setenv("TOUSU_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(overdue, "check_stages", _boom)  # what check-overdue calls (issue #13)
    code = _main(monkeypatch, "--data", str(data_dir), "check-overdue", "--format", "json",
                 "--at", "2026-11-20 09:00")
    got = capsys.readouterr()
    assert code == 2
    doc = json.loads(got.out)
    assert doc["overdue"] == [] and len(doc["errors"]) == 1
    log = _logged(got.err)
    assert str(log) in doc["errors"][0]["message"] and "内部错误" in doc["errors"][0]["message"]
    assert log.parent == tmp_path / "logs"
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError" in text and "check-overdue" in text
    assert "Traceback" not in got.err and "secret" not in got.err and "secret" not in got.out
    if hasattr(os, "getuid"):
        assert log.stat().st_mode & 0o077 == 0  # the traceback may hold a customer's data: this user only


def test_a_crash_in_a_step_exits_2_not_1(monkeypatch, capsys, data_dir: Path, tmp_path: Path) -> None:
    monkeypatch.setenv("TOUSU_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(Store, "create", _boom)
    code = _main(monkeypatch, "--data", str(data_dir), "add", "--received-at", "2026-11-02 09:00",
                 "--channel", "来电", "--name", "王小明", "--phone", "13912345678", "--item", "服务态度",
                 "--content", "态度生硬")
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("错误：tousu 内部错误，未能完成；错误详情已写入 ")
    assert "RuntimeError" in _logged(err).read_text(encoding="utf-8")


def test_without_a_usable_state_folder_the_log_goes_to_a_private_temp_folder(
        monkeypatch, capsys, data_dir: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    monkeypatch.delenv("TOUSU_LOG_DIR", raising=False)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))  # mkdir under a file fails
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(overdue, "check_stages", _boom)  # what check-overdue calls (issue #13)
    code = _main(monkeypatch, "--data", str(data_dir), "check-overdue", "--at", "2026-11-20 09:00")
    assert code == 2
    log = _logged(capsys.readouterr().err)
    assert log.parent.parent == tmp_path / "tmp" and log.parent.name.startswith("tousu-")


def test_ctrl_c_stays_130(monkeypatch, capsys, data_dir: Path) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(overdue, "check_stages", interrupted)
    assert _main(monkeypatch, "--data", str(data_dir), "check-overdue", "--at", "2026-11-20 09:00") == 130
    assert "Traceback" not in capsys.readouterr().err


def test_a_real_process_that_crashes_exits_2_and_prints_no_traceback(data_dir: Path, tmp_path: Path) -> None:
    script = ("import sys; from tousu.reports import overdue\n"
              "def boom(*a, **k): raise ZeroDivisionError('x')\n"
              "overdue.check_stages = boom\n"
              "from tousu.cli import main; sys.argv = ['tousu'] + sys.argv[1:]; main()\n")
    env = {**os.environ, "TOUSU_LOG_DIR": str(tmp_path / "logs")}
    r = subprocess.run([sys.executable, "-c", script, "--data", str(data_dir), "check-overdue",
                        "--format", "json", "--at", "2026-11-20 09:00"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert json.loads(r.stdout)["errors"][0]["message"].startswith("tousu 内部错误")
    assert "ZeroDivisionError" in _logged(r.stderr).read_text(encoding="utf-8")


def test_an_argument_that_is_not_utf8_is_an_error_not_a_crash(monkeypatch, capsys, data_dir: Path) -> None:
    before = sorted(p.name for p in data_dir.rglob("*"))
    raw = "态度生硬\x1b[2J".encode() + b"\x9b\xff"
    code = _main(monkeypatch, "--data", str(data_dir), "add", "--received-at", "2026-11-02 09:00", "--channel", "来电",
                 "--name", "王小明", "--phone", "13912345678", "--item", "服务态度",
                 "--content", raw.decode("utf-8", "surrogateescape"))
    err = capsys.readouterr().err
    assert code == 2
    assert err == ("错误：参数「态度生硬\\x1b[2J\\x9b\\xff」中有不是 UTF-8 编码的字节（终端或脚本的编码不是 UTF-8？），"
                   "没有写入任何记录\n")
    assert sorted(p.name for p in data_dir.rglob("*")) == before


def test_an_exception_in_a_destructor_is_logged_not_printed(monkeypatch, capsys, data_dir: Path, tmp_path: Path) -> None:
    import gc

    class Leaky:
        def __del__(self) -> None:
            raise OSError(28, "No space left on device")

    def leave_one_behind(*args, **kwargs):
        Leaky()
        gc.collect()
        return {"as_of": "2026-11-20T09:00:00+08:00", "overdue": [], "due_soon": [], "warnings": [], "errors": []}

    monkeypatch.setenv("TOUSU_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)  # main() installs its own; put it back after
    monkeypatch.setattr(overdue, "check_stages", leave_one_behind)
    assert _main(monkeypatch, "--data", str(data_dir), "check-overdue", "--at", "2026-11-20 09:00") == 0
    got = capsys.readouterr()
    assert "Traceback" not in got.err and "Exception ignored" not in got.err
    (log,) = (tmp_path / "logs").iterdir()
    assert "No space left on device" in log.read_text(encoding="utf-8")


def test_a_reader_that_goes_away_ends_tousu_quietly(cli, tmp_path: Path) -> None:
    """`tousu list | head`: 141 as a shell reports SIGPIPE, nothing on stderr; never 1 (有超期)."""
    for n in range(30):
        cli.add(content=f"第{n}件" + "很长的诉求内容" * 20)
    for args in (("list",), ("check-overdue", "--format", "json", "--at", "2026-12-01 09:00"),
                 ("check-overdue", "--at", "2026-12-01 09:00"), ("--version",)):
        read, write = os.pipe()
        os.close(read)  # nobody reads
        try:
            r = subprocess.run([sys.executable, "-m", "tousu", "--data", str(cli.data), *args], stdout=write,
                               stderr=subprocess.PIPE, text=True, timeout=60, env={**os.environ, "COLUMNS": "80"})
        finally:
            os.close(write)
        assert (r.returncode, r.stderr) == (141, ""), args
