"""The import rule of the layout (README 开发): imports point one way, and no module cycle.

cli → terminal, excel, word → reports → storage → domain → config, files, forking → errors, timeutil.
A module may import from its own room or from a room below it; terminal and excel
are side by side and do not import each other. Every import counts, including the
lazy ones inside functions (they still tie the modules together).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tousu"
LAYER = {"errors": 0, "timeutil": 0, "files": 1, "forking": 1, "config": 1, "domain": 2, "storage": 3, "reports": 4,
         "terminal": 5, "excel": 5, "word": 5, "cli": 6, "__main__": 7, "__init__": 7}


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found["tousu." + ".".join(parts)] = path
    return found


MODULES = _modules()


def _room(module: str) -> str:
    return module.split(".")[1] if module != "tousu" else "__init__"


def _imports(module: str, path: Path) -> set[str]:
    """The tousu modules this one imports (a name imported from a package counts as its submodule)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("tousu")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if not base.startswith("tousu"):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    found.discard(module)
    return {m for m in found if m in MODULES}


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


def test_every_room_is_known() -> None:
    assert {_room(m) for m in MODULES} <= set(LAYER)


def upward(module: str, graph: dict[str, set[str]]) -> list[str]:
    room = _room(module)
    return sorted(m for m in graph[module]
                  if _room(m) not in (room, "__init__") and LAYER[_room(m)] >= LAYER[room])


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a path, or [] when the graph has none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str]:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = 2
        return []

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    assert upward(module, GRAPH) == [], f"{module} imports upward or sideways"


def test_no_import_cycle() -> None:
    assert cycle(GRAPH) == []


def test_the_checks_catch_what_they_are_for() -> None:
    assert sum(len(v) for v in GRAPH.values()) > 50  # the parser really finds the imports
    fake = {"tousu.domain.model": {"tousu.cli.common", "tousu.config.rules"},
            "tousu.excel.bulletin": {"tousu.terminal.show", "tousu.reports.monthly"},
            "tousu.a": {"tousu.b"}, "tousu.b": {"tousu.a"}}
    assert upward("tousu.domain.model", fake) == ["tousu.cli.common"]
    assert upward("tousu.excel.bulletin", fake) == ["tousu.terminal.show"]
    assert cycle(fake) == ["tousu.a", "tousu.b", "tousu.a"]
