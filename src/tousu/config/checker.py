"""Converting parsed YAML (LDict/LList) to checked values, collecting located problems (rules.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tousu.config import rules_spec
from tousu.config.yamlio import LDict, line_of
from tousu.errors import Problem, choices, shown


class Checker:
    """Collects located problems while converting LDict/LList values."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def bad(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def mapping(self, value: Any, where: str, line: int, allowed: dict[str, bool]) -> LDict | None:
        """Check a mapping's keys against `allowed` (key → required)."""
        if not isinstance(value, dict):
            self.bad(line, f"「{where}」应为键值表")
            return None
        for key in value:
            if key not in allowed:
                self.bad(line_of(value, key, line), f"「{where}」中有未知的键「{shown(key)}」，可用的键：{choices(allowed)}")
        for key, required in allowed.items():
            if required and key not in value:
                self.bad(getattr(value, "line", line), f"「{where}」缺少必填的键「{key}」")
        return value

    def section(self, top: LDict, key: str) -> LDict | None:
        """An optional or required mapping section, its keys checked against the table."""
        if key not in top or top.get(key) is None:
            return None
        return self.mapping(top[key], key, line_of(top, key, 1), rules_spec.children(key))

    def strings(self, value: Any, where: str, line: int) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            self.bad(line, f"「{where}」应为非空的文字列表")
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.bad(line_of(value, i, line), f"「{where}」第{i + 1}项「{shown(item)}」应为文字")
            elif item in out:
                self.bad(line_of(value, i, line), f"「{where}」中「{shown(item)}」重复")
            else:
                out.append(item.strip())
        return tuple(out)

    def integer(self, value: Any, where: str, line: int, *, minimum: int = 0, nullable: bool = False,
                maximum: int | None = None) -> int | None:
        if value is None and nullable:
            return None
        if (isinstance(value, bool) or not isinstance(value, int) or value < minimum
                or (maximum is not None and value > maximum)):
            bound = f"{minimum}–{maximum} 的整数" if maximum is not None else f"不小于 {minimum} 的整数"
            self.bad(line, f"「{where}」的值「{shown(value)}」应为{bound}")
            return None
        return value

    def text(self, value: Any, where: str, line: int, *, required: bool = True) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.bad(line, f"「{where}」的值「{shown(value)}」应为文字")
            return ""
        return value.strip()

    def boolean(self, value: Any, where: str, line: int) -> bool:
        if not isinstance(value, bool):
            self.bad(line, f"「{where}」的值「{shown(value)}」应为 true 或 false")
            return False
        return value

    def choice(self, value: Any, where: str, line: int, valid) -> Any:
        if value not in valid:
            self.bad(line, f"「{where}」的值「{shown(value)}」无效，可选：{choices(valid)}")
            return None
        return value
