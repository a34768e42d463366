"""bench/make_data.py must keep producing records that tousu loads (so the benchmark cannot rot)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tousu.cli import app

REPO = Path(__file__).resolve().parents[1]


def test_generated_complaints_all_load(tmp_path: Path) -> None:
    data = tmp_path / "data"
    subprocess.run([sys.executable, str(REPO / "bench" / "make_data.py"), "50", "--out", str(data)],
                   check=True, capture_output=True)
    files = sorted((data / "complaints").rglob("TS*.yaml"))
    assert len(files) == 50
    runner = CliRunner()
    base = ["--data", str(data), "--rules", str(REPO / "rules.yaml")]

    r = runner.invoke(app, base + ["check-overdue", "--at", "2026-11-20 10:00", "--format", "json"])
    assert r.exit_code in (0, 1), r.output
    report = json.loads(r.stdout)
    assert report["errors"] == []

    r = runner.invoke(app, base + ["list", "--at", "2026-11-20 10:00", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert sorted(row["id"] for row in json.loads(r.stdout)) == [f.stem for f in files]


def test_generator_is_deterministic(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import make_data
    finally:
        sys.path.remove(str(REPO / "bench"))
    make_data.generate(20, tmp_path / "a")
    make_data.generate(20, tmp_path / "b")
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.yaml")}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.yaml")}
    assert a == b and len(a) == 21  # 20 complaints and org.yaml
