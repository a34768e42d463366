"""Issue #14 §5a: tousu writes only into a data folder `tousu init` made (known by its org.yaml)."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"<dir>") for p in folder.rglob("*")}


def _etc_like(tmp_path: Path) -> Path:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (etc / "hosts").write_text("127.0.0.1 localhost\n")
    return etc


ADD = ("add", "--received-at", "2026-11-02 09:00", "--channel", "来电", "--name", "王小明",
       "--phone", "13912345678", "--item", "服务态度", "--content", "态度生硬")


def test_add_into_a_folder_that_is_not_a_data_folder_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    etc = _etc_like(tmp_path)
    before = _tree(etc)
    r = Cli(etc)(*ADD)
    assert r.exit_code == 2
    assert r.stderr.startswith(f"错误：找不到组织机构文件 {etc / 'org.yaml'}：「{etc}」不是 tousu 数据目录，没有写入任何记录；"
                               "用 tousu init 新目录 创建数据目录")
    assert _tree(etc) == before


def test_a_step_into_a_folder_that_is_not_a_data_folder_is_refused_too(tmp_path: Path, cli) -> None:
    cid = cli.add()
    etc = _etc_like(tmp_path)
    (etc / "complaints").mkdir()
    src = next(cli.data.rglob(f"{cid}.yaml"))
    (etc / "complaints" / src.parent.name).mkdir()
    (etc / "complaints" / src.parent.name / src.name).write_bytes(src.read_bytes())
    before = _tree(etc)
    r = Cli(etc)("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:30")
    assert r.exit_code == 2 and "不是 tousu 数据目录" in r.stderr
    assert _tree(etc) == before


def test_a_folder_made_by_init_and_the_shipped_sample_data_qualify(tmp_path: Path, repo_root: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # init writes a rules.yaml where there is none
    made = tmp_path / "new"
    runner = Cli(made)
    assert runner("init", str(made)).exit_code == 0
    assert runner(*ADD).exit_code == 0
    assert (repo_root / "data" / "org.yaml").is_file()
    shown = Cli(repo_root / "data")("list", "--at", "2026-12-01 09:00")
    assert "不是 tousu 数据目录" not in shown.output and shown.exit_code == 0, shown.output
