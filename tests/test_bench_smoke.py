"""CI runs the benchmark at a small size as a smoke test: it must run end to end and print its ratios.

No timing is asserted (the machine is shared); what is asserted is that every job ran, that the
index and the files gave the same output and the baseline the same overdue and due-soon stages
(bench/run.py stops otherwise), that find and todo found something (so the comparison is not of two
empty answers), and that the ratios and the issue's targets were printed. 40 complaints is the
smallest synthetic data set with an overdue complaint dispatched to a unit; the run costs twenty
short processes (start-up, mostly: a few seconds of CPU).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bench_runs_at_a_small_size_and_prints_ratios(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    r = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "40", "--runs", "1",
                        "--data-root", str(tmp_path), "--results", str(results), "--quick"],
                       capture_output=True, text=True, encoding="utf-8", timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    for job in ("check-overdue, naive baseline", "check-overdue, files, no parse cache (today, cold)",
                "check-overdue, index built from nothing", "check-overdue, index warm, nothing changed",
                "check-overdue, index warm, one record changed",
                "list --month 2026-07, files, parse cache warm", "list --month 2026-07, index warm",
                "report --month 2026-07 → JSON, warm",
                "tousu --help (baseline: minimal Typer app)", "tousu add (baseline: minimal Typer app's add)"):
        assert job in r.stdout, job
    for job in ("find", "todo --unit"):
        assert re.search(rf"{job} \S+, files, parse cache warm", r.stdout), job
        assert re.search(rf"{job} \S+, index warm .* [1-9]\d* found; ratio", r.stdout), job
    assert re.search(r"\d+\.\d× ", r.stdout) and re.search(r"\d+\.\d\d× floor", r.stdout)
    assert "× the minimal app" in r.stdout
    targets = r.stdout[r.stdout.index("the issue's targets:"):]
    for target in ("≤ 3× (stat-walk + start-up)", "≥ 50× faster than bench/naive.py", "warm < 1 s",
                   "→ JSON warm < 5 s", "index built from nothing", "peak memory", "tousu add ≤ 1.5×"):
        assert target in targets, target
    assert results.read_text(encoding="utf-8").count("\n| 40 |") >= 12 + 9  # the jobs, and the targets
