"""The goals of issue 14, each as a ratio measured in this one run (machines differ in speed by
up to 4x, so only ratios compare):

- cold `dashgen check`, every scenario: simulation time / promtool backfill time of the same data
  (goal <= 1.0; simulation wall time of the phase, datasets simulating in parallel processes);
- `dashgen check` after a one-panel edit / the cold run (goal <= 0.10);
- `dashgen build` with nothing changed / `python -c "import grafanalib.core"` (goal <= 2.0);
- `make test`'s pytest wall time (goal <= 300 s): the suite's own record of its last whole run
  (`make bench` never runs the suite; `python -m bench goals --tests` does, as `make test` would).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.check.engine import MEASURES_FILE, check  # noqa: E402
from generator.config import load  # noqa: E402
from generator.pipeline import Cache  # noqa: E402

DASHBOARDS = ROOT / "observability" / "grafana" / "dashboards"
REPEATS = 5


def _dashboards() -> list[tuple[str, dict[str, Any]]]:
    return [(str(p), json.loads(p.read_text())) for p in sorted(DASHBOARDS.glob("*.json"))]


def _edited(files: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The same dashboards with one panel's title edited (what a one-panel change looks like)."""
    out = json.loads(json.dumps(files))
    panel = next(p for p in out[0][1]["panels"] if p.get("type") != "row")
    panel["title"] = f"{panel['title']} (edited)"
    return [(name, data) for name, data in out]


def check_goals() -> dict[str, Any]:
    """A cold check into an empty cache, then the same check after a one-panel edit."""
    config = load("local")
    files = _dashboards()
    with tempfile.TemporaryDirectory(prefix="dashgen-bench-cache-") as tmp:
        cache = Cache(Path(tmp))
        started = time.perf_counter()
        _, cold = check(files, config, measures_file=ROOT / MEASURES_FILE, cache=cache)
        cold_wall = time.perf_counter() - started
        started = time.perf_counter()
        _, warm = check(_edited(files), config, measures_file=ROOT / MEASURES_FILE, cache=cache)
        warm_wall = time.perf_counter() - started
    return {"cold_wall": cold_wall, "warm_wall": warm_wall, "simulate_wall": cold.simulate_wall,
            "simulate_sum": cold.simulate, "write": cold.write, "backfill": cold.backfill,
            "queries_cold": cold.queries, "queries_warm": warm.queries, "warm_hits": warm.cache_hits, "warm_results": warm.results_cached,
            "warm_misses": warm.cache_misses, "scenarios": cold.cache_misses}


def _median_seconds(argv: list[str]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def build_goal() -> dict[str, Any]:
    dashgen = str(Path(sys.executable).with_name("dashgen"))
    subprocess.run([dashgen, "build"], cwd=ROOT, check=True, capture_output=True)  # now up to date
    return {"build": _median_seconds([dashgen, "build"]),
            "floor": _median_seconds([sys.executable, "-c", "import grafanalib.core"])}


def tests_goal() -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "auto",
                           "--dist", "loadfile"], cwd=ROOT,
                          capture_output=True, text=True)
    tail = (done.stdout.strip().splitlines() or ["no output"])[-1]
    return {"wall": time.perf_counter() - started, "rc": done.returncode, "tail": tail}


def run(with_tests: bool = False) -> dict[str, Any]:
    out = {"cpus": os.cpu_count(), "load": os.getloadavg()[0], "check": check_goals(), "build": build_goal()}
    if with_tests:
        out["tests"] = tests_goal()
    out["load_after"] = os.getloadavg()[0]
    return out


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def report(r: dict[str, Any]) -> str:
    c, b = r["check"], r["build"]
    sim_ratio = c["simulate_wall"] / c["backfill"] if c["backfill"] else float("inf")
    edit_ratio = c["warm_wall"] / c["cold_wall"]
    build_ratio = b["build"] / b["floor"]
    lines = [
        f"goals (one run; {r['cpus']} CPUs, load average {r['load']:.1f} before, {r['load_after']:.1f} after):",
        f"  cold check, simulation / backfill: {c['simulate_wall']:.1f} s / {c['backfill']:.1f} s = "
        f"{sim_ratio:.2f} (goal <= 1.0: {_verdict(sim_ratio <= 1.0)}); {c['scenarios']} scenarios, "
        f"per-scenario simulation summed {c['simulate_sum']:.1f} s, OpenMetrics write {c['write']:.1f} s",
        f"  check after a one-panel edit / cold: {c['warm_wall']:.1f} s / {c['cold_wall']:.1f} s = {edit_ratio:.3f} "
        f"(goal <= 0.10: {_verdict(edit_ratio <= 0.10)}); {c['warm_hits']} scenarios from the cache, "
        f"{c['warm_misses']} simulated, {c['warm_results']} target results reused; queries "
        f"{c['queries_warm']:.1f} s (cold {c['queries_cold']:.1f} s)",
        f"  build with nothing changed / grafanalib import: {b['build']:.2f} s / {b['floor']:.2f} s = "
        f"{build_ratio:.2f} (goal <= 2.0: {_verdict(build_ratio <= 2.0)}; medians of {REPEATS})",
    ]
    if "tests" in r:
        t = r["tests"]
        lines.append(f"  test suite (pytest, as `make test` runs it): {t['wall']:.0f} s (goal <= 300 s: "
                     f"{_verdict(t['wall'] <= 300 and t['rc'] == 0)}); {t['tail']}")
    else:
        lines.append(last_test_run())
    return "\n".join(lines)


def last_test_run(record: Path = ROOT / ".dashgen" / "last-test-run.json") -> str:
    """The suite's own record of its last whole run (tests/conftest.py writes it): bench never
    runs the suite, so this is the cheap figure, and says when and how it was measured."""
    try:
        r = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ("  test suite: no recorded run yet (`make test` records its wall time in "
                ".dashgen/last-test-run.json; bench does not run the suite)")
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(r["finished"]))
    outcome = "passed" if r["exit_status"] == 0 else f"exit {r['exit_status']}, {r['failed']} failed"
    return (f"  test suite, last whole run ({when}, not re-run here): {r['wall_seconds']:.0f} s wall "
            f"(goal <= 300 s: {_verdict(r['wall_seconds'] <= 300 and r['exit_status'] == 0)}); "
            f"{r['collected']} tests {outcome}; xdist workers {r['workers']}; "
            f"{'cold' if r['cold'] else 'warm'} cache: {r['datasets_used']} distinct cached simulations used, "
            f"{r['datasets_made']} made in that run; load average {r['load_before']:.1f} before, "
            f"{r['load_after']:.1f} after, {r['cpus']} CPUs{_cpu_floor(r)}")


def _cpu_floor(r: dict[str, Any]) -> str:
    """The run's CPU seconds (all its processes): on a shared machine the wall time mostly
    measures the neighbours; alone on these CPUs the wall time cannot be below cpu / cpus."""
    if "cpu_seconds" not in r:
        return ""
    return (f"; {r['cpu_seconds']:.0f} CPU seconds, so at least {r['cpu_seconds'] / (r['cpus'] or 1):.0f} s "
            f"of wall alone on {r['cpus']} CPUs")


if __name__ == "__main__":
    print(report(run("--tests" in sys.argv)))
