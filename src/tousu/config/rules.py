"""rules.yaml: loaded, checked against one declarative table, frozen.

Everything a company may change lives in rules.yaml: the taxonomy of 第十条,
channels, attitude degrees, severities, every time limit with its clause, the
working-day rule, calendar overrides and the penalty tables (第二十四—二十六条).
Unknown keys, wrong types and bad dates are errors naming file and line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tousu.config import yamlio
from tousu.errors import TousuError

from tousu.config.rules_model import (PENALTY_ROLES, PENALTY_TABLES, STAGE_KEYS, STAGE_UNITS,  # noqa: F401
                                      WORKING_DAY_RULES, PenaltyRule, Rules, StageLimit, WarningLevel)
from tousu.config.rules_parse import parse_rules


def parse(data: Any, path: Path | str) -> Rules:
    """Validate parsed rules.yaml; raise TousuError listing every located problem."""
    return parse_rules(data, path)


def builtin_path() -> Path:
    """The rules shipped with the package (the repository's rules.yaml)."""
    packaged = resources.files("tousu") / "rules.yaml"
    if packaged.is_file():
        return Path(str(packaged))
    # An editable install runs from the source tree: use the repository's file.
    return Path(__file__).resolve().parents[3] / "rules.yaml"


@dataclass(frozen=True)
class Found:
    """Which rules file a command uses, how it was found, and a warning when that may be a mistake."""

    path: Path
    how: str
    warning: str | None = None

    @property
    def builtin(self) -> bool:
        return self.how == "内置规则"

    def describe(self) -> str:
        return f"{self.path}（{self.how}）"


def find(option: str | None, data_dir: Path, cwd: Path = Path(".")) -> Found:
    """Where rules.yaml is looked for (SPEC §4): --rules, TOUSU_RULES, the data folder, beside it,
    the current folder, then the built-in rules (with a warning if a rules.yaml lies one folder down)."""
    chosen = option or os.environ.get("TOUSU_RULES")
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise TousuError(f"找不到规则文件「{chosen}」（--rules 或环境变量 TOUSU_RULES）")
        return Found(path, "--rules 指定" if option and option != os.environ.get("TOUSU_RULES") else "TOUSU_RULES 指定")
    for folder, how in ((data_dir, "数据目录中"), (data_dir.parent, "数据目录旁"), (cwd, "当前目录中")):
        candidate = folder / "rules.yaml"
        if candidate.is_file():
            return Found(candidate, how)
    stray = sorted(cwd.glob("*/rules.yaml"))
    warning = None
    if stray:
        warning = (f"使用的是内置规则，而当前目录下有 {choices_of(stray)}：如要使用它，请用 --rules 指定，"
                   f"或把它放到数据目录（{data_dir}）中或旁边")
    return Found(builtin_path(), "内置规则", warning)


def choices_of(paths: list[Path]) -> str:
    return "、".join(str(p) for p in paths[:3]) + ("等" if len(paths) > 3 else "")


def resolve_path(option: str | None, data_dir: Path = Path("data")) -> Path:
    """The rules file a command uses (see `find`)."""
    return find(option, data_dir).path


def load(path: Path) -> Rules:
    """Load and validate a rules file; TousuError with located problems otherwise."""
    data = yamlio.load_or_raise(path, "规则文件")
    return parse(data, path)
