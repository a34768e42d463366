"""Time tousu's main jobs against a naive baseline, at 1k, 10k and 100k complaints.

    python bench/run.py [--sizes 1000,10000,100000] [--runs 3]

Each job runs end to end as a user or cron would run it — a fresh process,
JSON output — so start-up and file reading count. The baseline
(bench/naive.py) is an honest first attempt at the same job; its answer is
compared with tousu's before any figure is printed, so the ratio compares two
programs that agree. Data comes from bench/make_data.py (generated once per
size under bench/out/ and reused).

Times are wall clock, the best of --runs runs (one run where a single run
takes over a minute); CPU seconds (user + system of the child) are shown too,
since on a busy machine they vary less. The table goes to stdout and to
bench/RESULTS.md (overwritten).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))

import make_data  # noqa: E402

AT = "2026-11-20 10:00"
MONTH = "2026-07"  # the busiest month of the synthetic year
PY = sys.executable


@dataclass
class Timing:
    wall: float
    cpu: float
    output: str


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """As installed: compiled bytecode allowed (kept under bench/out), the cache under bench/out."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "TOUSU_NO_CACHE")}
    env.update(PYTHONPYCACHEPREFIX=str(OUT / "pycache"), TOUSU_CACHE_DIR=str(OUT / "cache"))
    env.update(extra or {})
    return env


COLD = {"TOUSU_NO_CACHE": "1"}


def run(cmd: list[str], env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", env=child_env(env))
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu, proc.stdout)


def best(cmd: list[str], runs: int, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,),
         prepare: Callable[[], None] | None = None) -> Timing:
    """The fastest of `runs` runs (stop after one that takes over a minute)."""
    results = []
    for _ in range(runs):
        if prepare:
            prepare()
        results.append(run(cmd, env, ok))
        if results[-1].wall > 60:
            break
    return Timing(min(r.wall for r in results), min(r.cpu for r in results), results[-1].output)


def tousu(data: Path, *args: str) -> list[str]:
    return [PY, "-m", "tousu", "--data", str(data), "--rules", str(REPO / "rules.yaml"), *args]


def naive(data: Path, *args: str) -> list[str]:
    return [PY, str(BENCH / "naive.py"), *args[:1], str(data), *args[1:]]


# ---- comparing answers ------------------------------------------------------


def overdue_sets(out: str) -> dict[str, set[tuple[str, str, str]]]:
    d = json.loads(out)
    return {k: {(r["id"], r["stage"], r["deadline"]) for r in d[k]} for k in ("overdue", "due_soon")}


def list_rows(out: str) -> list[tuple[Any, ...]]:
    return sorted((r["id"], r["state"], r["next_stage"], r["next_deadline"]) for r in json.loads(out))


def same(job: str, a: Any, b: Any) -> None:
    if a != b:
        raise SystemExit(f"{job}: tousu and the baseline disagree — the comparison would be meaningless")


# ---- the jobs -----------------------------------------------------------------


@dataclass
class Row:
    size: int
    job: str
    tousu: Timing
    baseline: Timing | None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.baseline.wall / self.tousu.wall if self.baseline else None


@dataclass
class Bench:
    runs: int
    rows: list[Row] = field(default_factory=list)

    started: datetime = field(default_factory=datetime.now)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(fmt_row(row), flush=True)
        write_results(self, self.started)  # after every row: a long run stopped half-way still leaves figures


def data_for(n: int) -> Path:
    path = OUT / f"data-{n}"
    if not (path / "complaints").is_dir():
        print(f"generating {n} complaints in {path} …", file=sys.stderr, flush=True)
        make_data.generate(n, path)
    return path


def bench_size(b: Bench, n: int, baseline_runs: int) -> None:
    data = data_for(n)
    runs = b.runs if n <= 10_000 else 1

    clear_cache(data)
    cmd = tousu(data, "check-overdue", "--at", AT, "--format", "json")
    cold = best(cmd, runs, COLD, ok=(0, 1))
    base = best(naive(data, "check-overdue", "--at", AT), baseline_runs)
    same("check-overdue", overdue_sets(cold.output), overdue_sets(base.output))
    found = overdue_sets(cold.output)
    b.add(Row(n, "check-overdue, no parse cache", cold, base,
              f"{len(found['overdue'])} overdue, {len(found['due_soon'])} due soon"))
    first = run(cmd, ok=(0, 1))
    b.add(Row(n, "check-overdue, filling the parse cache", first, base))
    warm = best(cmd, b.runs, ok=(0, 1))
    same("check-overdue (cache)", overdue_sets(warm.output), overdue_sets(base.output))
    b.add(Row(n, "check-overdue, parse cache warm", warm, base))

    cmd = tousu(data, "list", "--month", MONTH, "--at", AT, "--format", "json")
    cold = best(cmd, b.runs, COLD)
    base = best(naive(data, "list", "--at", AT, "--month", MONTH), baseline_runs)
    same("list", list_rows(cold.output), list_rows(base.output))
    b.add(Row(n, f"list --month {MONTH}, no parse cache", cold, base, f"{len(list_rows(cold.output))} rows"))
    warm = best(cmd, b.runs)
    same("list (cache)", list_rows(warm.output), list_rows(base.output))
    b.add(Row(n, f"list --month {MONTH}, parse cache warm", warm, base))

    if has_command("report"):
        with tempfile.TemporaryDirectory() as tmp:
            xlsx = Path(tmp) / "report.xlsx"
            cmd = tousu(data, "report", "--month", MONTH, "-o", str(xlsx), "--at", AT)
            t = best(cmd, b.runs, COLD)
            b.add(Row(n, f"report --month {MONTH} → xlsx, no parse cache", t, None,
                      f"{xlsx.stat().st_size // 1024} KiB"))
            t = best(cmd, b.runs)
            b.add(Row(n, f"report --month {MONTH} → xlsx, parse cache warm", t, None))


def clear_cache(data: Path) -> None:
    """Forget this data folder's parse cache (cold start)."""
    sys.path.insert(0, str(REPO / "src"))
    os.environ["TOUSU_CACHE_DIR"] = str(OUT / "cache")
    from tousu.storage import parsecache

    shutil.rmtree(parsecache._folder(data), ignore_errors=True)


def bench_import(b: Bench) -> None:
    """Import a 10 000-row 台账 (exported from the 10k data set) into an empty data folder."""
    if not (has_command("import") and has_command("export")):
        return
    data = data_for(10_000)
    work = OUT / "import"
    sheet = work / "taizhang-10000.xlsx"
    if not sheet.exists():
        work.mkdir(parents=True, exist_ok=True)
        run(tousu(data, "export", "-o", str(sheet)))
    target = work / "data"

    def fresh() -> None:
        shutil.rmtree(target, ignore_errors=True)
        (target / "complaints").mkdir(parents=True)
        shutil.copy(data / "org.yaml", target / "org.yaml")

    try:
        t = best(tousu(target, "import", str(sheet)), b.runs, prepare=fresh)
    except SystemExit as exc:  # the importer refused the sheet: say so, keep the other figures
        print(exc, file=sys.stderr)
        return
    written = sum(1 for _ in (target / "complaints").rglob("TS*.yaml"))
    b.add(Row(10_000, "import a 10 000-row sheet", t, None, f"{written} records written"))


def has_command(name: str) -> bool:
    proc = subprocess.run([PY, "-m", "tousu", name, "--help"], capture_output=True, text=True, env=child_env())
    return proc.returncode == 0


def startup(b: Bench) -> None:
    """Import cost of the CLI: what every cron run of check-overdue pays first."""
    t = best([PY, "-c", "import tousu.cli"], 5)
    base = best([PY, "-c", "import tousu.cli, openpyxl"], 5)
    b.add(Row(0, "start-up (import tousu.cli; baseline also imports openpyxl)", t, base))


# ---- output ---------------------------------------------------------------------


HEAD = ("size", "job", "tousu s", "baseline s", "ratio", "tousu CPU s", "baseline CPU s", "")


def cells(r: Row) -> tuple[str, ...]:
    return (
        f"{r.size:,}" if r.size else "—",
        r.job,
        f"{r.tousu.wall:.2f}",
        f"{r.baseline.wall:.2f}" if r.baseline else "—",
        f"{r.ratio:.1f}×" if r.ratio else "—",
        f"{r.tousu.cpu:.2f}",
        f"{r.baseline.cpu:.2f}" if r.baseline else "—",
        r.note,
    )


def fmt_row(r: Row) -> str:
    c = cells(r)
    return f"{c[0]:>8}  {c[1]:<42} {c[2]:>9} {c[3]:>11} {c[4]:>8} {c[5]:>12} {c[6]:>15}  {c[7]}"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import yaml

        libyaml = "with libyaml" if getattr(yaml, "__with_libyaml__", False) else "without libyaml"
    except ImportError:
        libyaml = ""
    load = " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, PyYAML {libyaml}; load average at the end {load}")


def write_results(b: Bench, started: datetime) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"`python bench/run.py --sizes {','.join(str(s) for s in sorted({r.size for r in b.rows if r.size}))}` "
        f"on {started:%Y-%m-%d %H:%M}; overwritten by every run. Machine: {machine()}.",
        "",
        "Wall-clock seconds, best of the runs; ratio = baseline ÷ tousu (higher is better for tousu).",
        "",
        "| " + " | ".join(HEAD[:-1]) + " | note |",
        "|" + "---|" * len(HEAD),
    ]
    for r in b.rows:
        lines.append("| " + " | ".join(cells(r)) + " |")
    (BENCH / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1000,10000,100000", help="comma-separated numbers of complaints")
    p.add_argument("--runs", type=int, default=3, help="runs per timing (best is kept)")
    p.add_argument("--baseline-runs", type=int, default=1, help="runs per baseline timing (it is slow)")
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    b = Bench(args.runs)
    started = b.started
    h = HEAD
    print(f"{h[0]:>8}  {h[1]:<42} {h[2]:>9} {h[3]:>11} {h[4]:>8} {h[5]:>12} {h[6]:>15}")
    startup(b)
    for n in sizes:
        bench_size(b, n, args.baseline_runs)
    if 10_000 in sizes:
        bench_import(b)
    write_results(b, started)
    print(f"\nwritten to {BENCH / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
