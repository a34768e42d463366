"""Shared fixtures: a data folder with an org.yaml, and a CLI runner over it.

Tests pin `--at`/`--received-at` (or pass `now`) so that results never depend on
today's date; TZ is set to a non-China zone so nothing leans on the machine's.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import functools

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from tousu.cli import app

# Typer rebuilds the whole command tree on every CliRunner.invoke (≈70% of the suite's CPU
# before this); the tree never changes within a session, so build it once.
typer.testing._get_command = functools.cache(typer.main.get_command)

ORG = """\
units:
  - {name: 城关供电所, kind: 基层单位}
  - {name: 东城供电所, kind: 基层单位}
  - {name: 客户服务中心, kind: 基层单位}
  - {name: 市场营销部, kind: 职能部门}
staff:
  - {name: 李四, unit: 城关供电所, post: 抄表员, monthly_performance: 800}
  - {name: 赵六, unit: 城关供电所, post: 所长, monthly_performance: 1500}
  - {name: 孙七, unit: 东城供电所, post: 营业员, monthly_performance: 300}
  - {name: 王五, unit: 市场营销部, post: 主任, monthly_performance: 2000}
"""


@pytest.fixture(autouse=True)
def _foreign_timezone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test with the machine in New York time: tousu must not care."""
    monkeypatch.setenv("TZ", "America/New_York")
    if hasattr(time, "tzset"):
        time.tzset()
    monkeypatch.setenv("TOUSU_USER", "张三")
    monkeypatch.delenv("TOUSU_DATA", raising=False)
    monkeypatch.delenv("TOUSU_RULES", raising=False)
    yield
    if hasattr(time, "tzset"):
        monkeypatch.undo()
        time.tzset()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    (d / "complaints").mkdir(parents=True)
    (d / "org.yaml").write_text(ORG, encoding="utf-8")
    return d


class Cli:
    """Run tousu against one data folder: cli("add", "--name", …) → Result."""

    def __init__(self, data: Path, rules: Path | None = None) -> None:
        self.data = data
        self.rules = rules
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):  # noqa: A002
        pre = ["--data", str(self.data)]
        if self.rules is not None:
            pre += ["--rules", str(self.rules)]
        return self.runner.invoke(app, pre + [str(a) for a in args], input=input, catch_exceptions=False)

    def add(self, **kw: str) -> str:
        """Add a complaint with sensible defaults; return its ID."""
        fields = {"received_at": "2026-11-02 09:00", "channel": "来电", "name": "王小明",
                  "phone": "13912345678", "item": "服务态度", "content": "抄表员态度生硬"}
        # Tests arrange many alike complaints: the duplicate check (issue #9 §4) only where a test asks for it.
        check_duplicate = kw.pop("check_duplicate", False)
        fields.update(kw)
        args = ["add"] if check_duplicate else ["add", "--allow-duplicate"]
        for k, v in fields.items():
            args += [f"--{k.replace('_', '-')}", v]
        r = self(*args)
        assert r.exit_code == 0, r.output
        return r.stdout.strip().splitlines()[-1]


@pytest.fixture
def cli(data_dir: Path) -> Cli:
    return Cli(data_dir)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("COLUMNS", "200")
