"""The column mapping of an import: header → field, value translations, defaults (SPEC §4).

The shipped 95598 mapping is the default; tousu's own export headers are always understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tousu.config import yamlio
from tousu.config.yamlio import line_of
from tousu.errors import Problem, TousuError
from tousu.excel.fields import IMPORT_ONLY, MAIN, MAIN_BY_HEADER, MAIN_BY_KEY

SECTIONS = ("columns", "values", "defaults")


@dataclass(frozen=True)
class Mapping:
    """Header → field key, value translations and defaults (keys as in excel.fields.MAIN)."""

    columns: dict[str, str]
    values: dict[str, dict[str, str]]
    defaults: dict[str, str]
    source: str


def builtin_mapping_path() -> Path:
    return Path(str(resources.files("tousu") / "mappings" / "95598.yaml"))


def norm_header(value: Any) -> str:
    """'* 受理 时间 ' → '受理时间': spaces, line breaks and required-markers do not matter."""
    s = "" if value is None else str(value)
    return re.sub(r"\s+", "", s).strip("*＊")


def field_key(name: Any) -> str | None:
    """The importable field a mapping names, by key (`phone`) or by tousu's header (`联系电话`)."""
    s = norm_header(name)
    if s in MAIN_BY_KEY and MAIN_BY_KEY[s].importable:
        return s
    col = MAIN_BY_HEADER.get(s)
    return col.key if col is not None and col.importable else None


class _Reader:
    """The sections of one mapping file, collecting every problem with its line."""

    def __init__(self, path: Path, data: dict) -> None:
        self.path, self.data = path, data
        self.problems: list[Problem] = []
        self.fields_hint = "、".join(c.header for c in MAIN + IMPORT_ONLY if c.importable)

    def bad(self, container: Any, key: Any, message: str) -> None:
        self.problems.append(Problem(self.path, line_of(container, key), message))

    def section(self, name: str) -> dict:
        value = self.data.get(name) or {}
        if not isinstance(value, dict):
            self.bad(self.data, name, f"「{name}」应为键值表")
            return {}
        return value

    def key_of(self, container: Any, name: Any) -> str | None:
        key = field_key(name)
        if key is None:
            self.bad(container, name, f"未知的字段「{name}」，可用的字段：{self.fields_hint}")
        return key

    def columns(self) -> dict[str, str]:
        out: dict[str, str] = {}
        cols = self.section("columns")
        for header, target in cols.items():
            key = field_key(target)
            if key is None:
                self.bad(cols, header, f"列「{header}」对应的字段「{target}」未知，可用的字段：{self.fields_hint}")
            else:
                out[norm_header(header)] = key
        return out

    def values(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        vals = self.section("values")
        for name, table in vals.items():
            key = self.key_of(vals, name)
            if not isinstance(table, dict):
                self.bad(vals, name, f"「{name}」的取值对应应为键值表（原值: 新值）")
            elif key is not None:
                out[key] = {str(k).strip(): str(v).strip() for k, v in table.items()}
        return out

    def defaults(self) -> dict[str, str]:
        out: dict[str, str] = {}
        defs = self.section("defaults")
        for name, value in defs.items():
            key = self.key_of(defs, name)
            if key is not None and value is not None:
                out[key] = str(value).strip()
        return out


def load_mapping(path: Path | None = None) -> Mapping:
    """Read a mapping YAML; every unknown key or field is an error naming file and line."""
    path = path or builtin_mapping_path()
    if not path.is_file():
        raise TousuError(f"找不到列映射文件「{path}」")
    data = yamlio.load_or_raise(path, "列映射文件")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise TousuError(f"列映射文件 {path} 无效", (Problem(path, 1, "应为包含 columns、values、defaults 的键值表"),))
    r = _Reader(path, data)
    for key in data:
        if key not in SECTIONS:
            r.bad(data, key, f"未知的键「{key}」，可用的键：columns、values、defaults")
    columns, values, defaults = r.columns(), r.values(), r.defaults()
    if r.problems:
        raise TousuError(f"列映射文件 {path} 有 {len(r.problems)} 处错误", tuple(r.problems))
    return Mapping(columns, values, defaults, str(path))
