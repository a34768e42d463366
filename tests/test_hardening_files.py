"""Issue #14 §3: files that could take cron down or leak — alias bombs, FIFOs, links out of the data
folder, oversize records — each a located problem, found quickly under a memory limit, while the
other records are processed as usual and nothing of a foreign file's content is shown."""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Cli

MEMORY = 768 * 1024 * 1024  # address space for the whole tousu process: an expanded bomb needs gigabytes
SECRET = "root:$6$s3cr3tHASH$abcdefghijk:19000:0:99999:7:::"

BOMB = "".join(f"{x}: &{x} [{', '.join([f'*{p}'] * 9 if p else ['lol'] * 9)}]\n"
               for p, x in zip([None, "a", "b", "c", "d", "e", "f", "g"], "abcdefgh"))


def _run(data: Path, *args: str, rules: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """tousu in its own process with a memory limit; a hang fails the test instead of the suite."""
    script = ("import resource, sys\n"
              f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY}, {MEMORY}))\n"
              "from tousu.cli import main\n"
              "sys.argv = ['tousu'] + sys.argv[1:]\n"
              "main()\n")
    pre = ["--data", str(data)] + (["--rules", str(rules)] if rules else [])
    env = {**os.environ, "TOUSU_NO_CACHE": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", script, *pre, *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture
def folder(cli: Cli) -> Path:
    """Two sound records, both overdue by 2026-11-20 (one at 派发, one at 答复), in the month the hostile files join."""
    overdue = cli.add()
    cli.add(received_at="2026-11-03 10:00")
    cli("dispatch", overdue, "--unit", "城关供电所", "--at", "2026-11-02 09:30")
    return cli.data / "complaints" / "2026-11"


def _record_like(folder: Path, seq: int) -> Path:
    return folder / f"TS2026110299{seq:02d}.yaml"


def _sound_ones_processed(doc: dict) -> None:
    assert {r["id"] for r in doc["overdue"]} == {"TS202611020001", "TS202611030001"}


def test_a_record_with_an_alias_bomb_is_refused_quickly_at_its_line(folder: Path, cli: Cli) -> None:
    bomb = _record_like(folder, 1)
    sound = (folder / "TS202611030001.yaml").read_text(encoding="utf-8")
    bomb.write_text(sound.replace("TS202611030001", bomb.stem).replace("escalated_to: []", "escalated_to: *h")
                    + BOMB.replace("\n", "\n  ").join(["bomb:\n  ", ""]), encoding="utf-8")
    started = time.monotonic()
    r = _run(cli.data, "check-overdue", "--format", "json", "--at", "2026-11-20 09:00")
    assert time.monotonic() - started < 30
    assert r.returncode == 2, r.stderr
    doc = json.loads(r.stdout)
    _sound_ones_processed(doc)
    (err,) = [e for e in doc["errors"] if e["path"] == str(bomb)]
    line = sound.splitlines().index("escalated_to: []") + 1
    assert err == {"path": str(bomb), "line": line, "message": "记录文件中不能使用 YAML 锚点或别名（这里是别名 *h），"
                                                             "tousu 写的记录从不使用它们；请写出完整的值", "code": "E100"}
    listed = _run(cli.data, "list", "--at", "2026-11-20 09:00")
    assert listed.returncode == 2 and "TS202611020001" in listed.stdout and f"{bomb}:" in listed.stderr


def test_a_rules_file_with_an_alias_bomb_fails_fast_with_the_line(cli: Cli, tmp_path: Path, repo_root: Path) -> None:
    rules = tmp_path / "rules.yaml"
    base = (repo_root / "rules.yaml").read_text(encoding="utf-8")
    rules.write_text(base + "bomb:\n  " + BOMB.replace("\n", "\n  "), encoding="utf-8")
    f_line = base.count("\n") + 1 + 6  # `f: &f [*e, …]`: the first alias whose expansion passes the bound
    started = time.monotonic()
    r = _run(cli.data, "list", rules=rules)
    assert time.monotonic() - started < 30
    assert r.returncode == 2
    assert f"规则文件 {rules} 无法读取" in r.stderr
    assert f"  {rules}:{f_line}: 别名 *e 展开后超过 100000 个值（疑似「别名炸弹」），未读取；请写出完整的值" in r.stderr
    assert "Traceback" not in r.stderr


def test_anchors_still_work_in_rules_within_bounds(tmp_path: Path, repo_root: Path) -> None:
    from tousu.config import rules as rules_mod

    text = (repo_root / "rules.yaml").read_text(encoding="utf-8")
    text = text.replace("contact: {name: 首次联系客户, limit: 1, unit: working_days, clause: 第十五条}",
                        "contact: &one_day {name: 首次联系客户, limit: 1, unit: working_days, clause: 第十五条}")
    text = text.replace("return: {name: 退回, limit: 1, unit: working_days, clause: 第十七条}", "return: *one_day")
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    got = rules_mod.load(path).stages
    assert got["return"].name == "首次联系客户" and got["return"].limit == 1  # the alias's value, expanded


def test_deep_nesting_in_a_rules_file_is_a_located_problem(cli: Cli, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\ntaxonomy: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    r = Cli(cli.data, rules)("list")
    assert r.exit_code == 2 and f"{rules}:2: 嵌套超过 64 层" in r.stderr


def test_a_fifo_named_like_a_record_never_blocks(folder: Path, cli: Cli) -> None:
    fifo = _record_like(folder, 2)
    os.mkfifo(fifo)
    for args in (("check-overdue", "--format", "json", "--at", "2026-11-20 09:00"),
                 ("list", "--at", "2026-11-20 09:00"), ("report", "--month", "2026-11", "--format", "json"),
                 ("show", fifo.stem)):
        r = _run(cli.data, *args, timeout=30)
        assert r.returncode == 2, (args, r.stderr)
        assert f"{fifo}: E100 不是普通文件（目录、命名管道或设备），未读取" in r.stderr + r.stdout, args
    _sound_ones_processed(json.loads(_run(cli.data, "check-overdue", "--format", "json",
                                          "--at", "2026-11-20 09:00").stdout))


def test_a_link_to_dev_zero_is_not_followed(folder: Path, cli: Cli) -> None:
    link = _record_like(folder, 3)
    link.symlink_to("/dev/zero")
    r = _run(cli.data, "check-overdue", "--format", "json", "--at", "2026-11-20 09:00", timeout=30)
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    _sound_ones_processed(doc)
    assert {"path": str(link), "line": 0, "message": "是指向数据目录之外（/dev/zero）的链接，未读取", "code": "E100"} in doc["errors"]


def test_a_link_to_a_secret_file_never_shows_its_content(folder: Path, cli: Cli, tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text(f"{SECRET}\nbin:*:19000:0:99999:7:::\n")
    link = _record_like(folder, 4)
    link.symlink_to(secret)
    json_run = _run(cli.data, "check-overdue", "--format", "json", "--at", "2026-11-20 09:00")
    table_run = _run(cli.data, "list")
    shown = _run(cli.data, "show", link.stem)
    for r in (json_run, table_run, shown):
        assert r.returncode == 2
        assert "s3cr3t" not in r.stdout + r.stderr and "root:" not in r.stdout + r.stderr
        assert "指向数据目录之外" in r.stdout + r.stderr


def test_a_link_inside_the_data_folder_is_followed(folder: Path, cli: Cli) -> None:
    moved = folder.parent / "kept" / "TS202611030001.yaml"
    moved.parent.mkdir()
    (folder / "TS202611030001.yaml").rename(moved)
    (folder / "TS202611030001.yaml").symlink_to(moved)
    assert cli("show", "TS202611030001").exit_code == 0


def test_a_file_that_is_not_a_record_is_not_echoed(folder: Path, cli: Cli) -> None:
    other = _record_like(folder, 5)
    other.write_text("password: hunter2secret\napi_key: sk-live-abcdef\n", encoding="utf-8")
    r = cli("check-overdue", "--format", "json", "--at", "2026-11-20 09:00")
    assert r.exit_code == 2
    assert "hunter2" not in r.output and "api_key" not in r.output and "password" not in r.output
    assert f"{other}:1: E100 文件内容不是投诉工单" in r.stderr


def test_an_oversize_record_is_refused_before_reading(folder: Path, cli: Cli) -> None:
    big = _record_like(folder, 6)
    sound = (folder / "TS202611030001.yaml").read_text(encoding="utf-8").replace("TS202611030001", big.stem)
    big.write_text(sound.replace("content: ", "content: " + "很长" * 600_000, 1), encoding="utf-8")
    started = time.monotonic()
    r = _run(cli.data, "check-overdue", "--format", "json", "--at", "2026-11-20 09:00")
    shown = _run(cli.data, "show", big.stem)
    assert time.monotonic() - started < 30
    doc = json.loads(r.stdout)
    _sound_ones_processed(doc)
    assert {"path": str(big), "line": 0,
            "message": "文件超过 1048576 字节的上限（rules.yaml 中 limits.record_max_bytes），未读取", "code": "E100"} in doc["errors"]
    assert shown.returncode == 2 and "超过 1048576 字节的上限" in shown.stderr and "很长很长" not in shown.stderr


def test_the_record_size_limit_is_set_in_rules(folder: Path, cli: Cli, tmp_path: Path, repo_root: Path) -> None:
    rules = tmp_path / "rules.yaml"
    text = (repo_root / "rules.yaml").read_text(encoding="utf-8")
    rules.write_text(text.replace("record_max_bytes: 1048576", "record_max_bytes: 65536"), encoding="utf-8")
    mid = _record_like(folder, 7)
    sound = (folder / "TS202611030001.yaml").read_text(encoding="utf-8").replace("TS202611030001", mid.stem)
    mid.write_text(sound.replace("content: ", "content: " + "x" * 100_000, 1), encoding="utf-8")
    r = Cli(cli.data, rules)("list")
    assert r.exit_code == 2 and f"{mid}: E100 文件超过 65536 字节的上限" in r.stderr
    rules.write_text(text.replace("record_max_bytes: 1048576", "record_max_bytes: 100"), encoding="utf-8")
    low = Cli(cli.data, rules)("list")
    assert low.exit_code == 2 and "「limits.record_max_bytes」的值「100」应为不小于 65536 的整数" in low.stderr


def test_an_unbounded_value_is_cut_short_in_a_message(folder: Path, cli: Cli) -> None:
    odd = _record_like(folder, 8)
    sound = (folder / "TS202611030001.yaml").read_text(encoding="utf-8").replace("TS202611030001", odd.stem)
    odd.write_text(sound.replace(f"id: {odd.stem}", "id: " + "Z" * 200_000, 1), encoding="utf-8")
    r = cli("list")
    assert r.exit_code == 2
    line = next(x for x in r.stderr.splitlines() if str(odd) in x)
    assert len(line) < 400 and "…（共 200000 个字符）" in line


def test_a_nested_value_where_text_belongs_is_a_located_problem(folder: Path, cli: Cli) -> None:
    odd = _record_like(folder, 9)
    sound = (folder / "TS202611030001.yaml").read_text(encoding="utf-8").replace("TS202611030001", odd.stem)
    odd.write_text(sound.replace("escalated_to: []", "escalated_to: [[[a, b], [c]]]"), encoding="utf-8")
    r = cli("list")
    assert r.exit_code == 2 and "「escalated_to」应为文字的列表" in r.stderr


def test_a_big_value_in_rules_is_named_not_printed(cli: Cli, tmp_path: Path, repo_root: Path) -> None:
    text = (repo_root / "rules.yaml").read_text(encoding="utf-8")
    big = "[" + ", ".join(f"v{i}" for i in range(5000)) + "]"
    rules = tmp_path / "rules.yaml"
    rules.write_text(f"big: &big {big}\n" + re.sub(r"(?m)^channels:.*$", "channels: [来电, *big]", text, count=1),
                     encoding="utf-8")
    r = Cli(cli.data, rules)("list")
    assert r.exit_code == 2
    assert "「channels」第2项「（5000 项的列表）」应为文字" in r.stderr and "v4999" not in r.stderr


def test_hostile_files_in_a_folder_big_enough_for_the_index_and_cache(folder: Path, cli: Cli, tmp_path: Path) -> None:
    """Past MIN_FILES records the SQLite index and the parse cache read the files: the same rules hold."""
    from tousu.storage import index, parsecache

    sound = (folder / "TS202611030001.yaml").read_text(encoding="utf-8")
    for n in range(2, max(index.MIN_FILES, parsecache.MIN_FILES) + 10):
        cid = f"TS20261103{n:04d}"
        (folder / f"{cid}.yaml").write_text(sound.replace("TS202611030001", cid), encoding="utf-8")
    os.mkfifo(_record_like(folder, 2))
    _record_like(folder, 3).symlink_to("/dev/zero")
    secret = tmp_path / "shadow"
    secret.write_text(SECRET + "\n")
    _record_like(folder, 4).symlink_to(secret)
    env_cache = {"TOUSU_CACHE_DIR": str(tmp_path / "cache")}
    for cache in ("1", "0"):  # parse cache off, then on
        for args in (("check-overdue", "--format", "json", "--at", "2026-11-20 09:00"), ("list",),
                     ("report", "--month", "2026-11", "--format", "json")):
            script = ("import resource, sys\n"
                      f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY}, {MEMORY}))\n"
                      "from tousu.cli import main\nsys.argv = ['tousu'] + sys.argv[1:]\nmain()\n")
            env = {**os.environ, **env_cache, "TOUSU_NO_CACHE": cache, "COLUMNS": "200"}
            r = subprocess.run([sys.executable, "-c", script, "--data", str(cli.data), *args],
                               capture_output=True, text=True, timeout=120, env=env)
            both = r.stdout + r.stderr
            assert r.returncode == 2, (args, r.stderr[-500:])
            assert "不是普通文件" in both and "指向数据目录之外（/dev/zero）" in both, args
            assert "s3cr3t" not in both and "Traceback" not in both, args
