"""The penalty tables of rules.yaml are checked: each problem names the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli
from tousu.config import rules as rules_mod
from tousu.errors import TousuError

REPO_RULES = Path(__file__).resolve().parents[1] / "rules.yaml"

QUALITY_LOSS = """\
  - id: quality.loss
    name: 业务技能不熟、工作失误、工作疏漏等工作质量问题引发投诉，造成客户利益损失
    clause: 第二十四条（三）1（2）
    min: 200
    max: 300
    charges: person
    role: 责任人
"""


def broken(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    """The repository's rules.yaml with one passage changed; also the changed text."""
    text = REPO_RULES.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    # Not rules.yaml beside the data folder: that one would be found without --rules (SPEC §4).
    path = tmp_path / "changed_rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def line_of(text: str, needle: str, after: str = "") -> int:
    """The line of the first `needle` after the first `after` (1-based)."""
    start = text.index(after) if after else 0
    return text[:text.index(needle, start)].count("\n") + 1


def problems(path: Path) -> list[str]:
    with pytest.raises(TousuError) as info:
        rules_mod.load(path)
    assert info.value.message.startswith(f"规则文件 {path} 有 ")
    return [str(p) for p in info.value.problems]


def test_repository_rules_load() -> None:
    r = rules_mod.load(REPO_RULES)
    assert len([p for p in r.penalties if p.table == "penalties"]) == 15
    assert all(p.clause for p in r.penalties)


def test_max_below_min(tmp_path: Path) -> None:
    path, text = broken(tmp_path, QUALITY_LOSS, QUALITY_LOSS.replace("max: 300", "max: 150"))
    assert problems(path) == [f"{path}:{line_of(text, 'max: 150')}: 考核条款「quality.loss」的上限 150 小于下限 200"]


def test_unknown_role(tmp_path: Path) -> None:
    path, text = broken(tmp_path, QUALITY_LOSS, QUALITY_LOSS.replace("role: 责任人", "role: 班长"))
    assert problems(path) == [
        f"{path}:{line_of(text, 'role: 班长')}: 「quality.loss.role」的值「班长」无效，可选："
        "责任人、主要责任者、次要责任者、车间领导、管理责任部门负责人、单位领导、责任单位"]


def test_missing_clause(tmp_path: Path) -> None:
    path, text = broken(tmp_path, QUALITY_LOSS, QUALITY_LOSS.replace("    clause: 第二十四条（三）1（2）\n", ""))
    assert problems(path) == [f"{path}:{line_of(text, 'id: quality.loss')}: 「penalties[2]」缺少必填的键「clause」"]


def test_empty_clause(tmp_path: Path) -> None:
    path, text = broken(tmp_path, QUALITY_LOSS, QUALITY_LOSS.replace("clause: 第二十四条（三）1（2）", "clause: ''"))
    line = line_of(text, "clause: ''")
    assert problems(path) == [f"{path}:{line}: 「quality.loss.clause」的值「」应为文字"]


def test_unit_rule_with_a_person_role(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "    charges: unit\n    role: 责任单位\n", "    charges: unit\n    role: 主要责任者\n")
    assert problems(path) == [
        f"{path}:{line_of(text, 'role: 主要责任者', 'id: falsified')}: 考核条款「falsified」考核单位（charges: unit），role 应为「责任单位」"]


def test_ten_table_ids_carry_the_table_name(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "{id: ten_prohibitions.9,", "{id: drinking,")
    assert problems(path) == [
        f"{path}:{line_of(text, 'id: drinking')}: 「ten_prohibitions」中的条款编号「drinking」应以「ten_prohibitions.」开头，"
        "如「ten_prohibitions.1」"]


def test_duplicate_id_across_tables(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "{id: ten_commitments.10,", "{id: ten_commitments.9,")
    assert problems(path) == [f"{path}:{line_of(text, '十项承诺第十条')}: 考核条款编号「ten_commitments.9」重复"]


def test_items_must_be_in_the_taxonomy(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "合格后方可上岗\n    items: [服务态度]", "合格后方可上岗\n    items: [态度]")
    assert problems(path) == [
        f"{path}:{line_of(text, 'items: [态度]')}: 考核条款「attitude.abusive」的 items 中「态度」既不是投诉大类也不是投诉项"]


def test_cli_reports_a_broken_penalty_row_with_file_and_line(tmp_path: Path, data_dir: Path) -> None:
    path, text = broken(tmp_path, QUALITY_LOSS, QUALITY_LOSS.replace("min: 200", "min: 二百"))
    cid = Cli(data_dir).add()  # with the good rules
    r = Cli(data_dir, path)("assess", cid, "--rule", "quality.loss", "--person", "李四", "--amount", "250")
    assert r.exit_code == 2
    assert f"错误：规则文件 {path} 有 1 处错误" in r.stderr.replace("\n", "")
    assert f"{path}:{line_of(text, 'min: 二百')}: 「quality.loss.min」的值「二百」应为不小于 0 的整数" in r.stderr.replace("\n", "")
