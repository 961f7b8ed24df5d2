"""Compile benchmarks: the no-change `make dashboards` against the bare grafanalib import
floor, and a synthetic 500 x 20-panel set compiled and linted (panels per second)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.compile.build import compile_dashboards  # noqa: E402
from generator.config import Config  # noqa: E402
from generator.lint.engine import lint_dashboards  # noqa: E402

DASHBOARDS = 500
PANELS = 20
REPEATS = 5

MODULE = '''
from generator import queries as q
from generator.authoring import variables as v
from generator.authoring.dashboard import DashboardSpec, Row
from generator.authoring.panels import prom, timeseries


def dashboard(c):
    # Every query distinct (the parser would otherwise parse repeats once).
    cells = [timeseries(f"Panel {{i}}", "Synthetic panel.",
                        [prom(f"({{QUERIES[i % len(QUERIES)](c)}}) * {{{index} * {panels} + i + 1}}", "{{{{x}}}}")],
                        unit="short") for i in range({panels})]
    return DashboardSpec(title="Synthetic {index}", description="Bench.",
                         rows=(Row("A", cells[:10]), Row("B", cells[10:])),
                         variables=(v.prometheus_datasource(c), v.job(c), v.orchestration(c), v.activity(c)))


QUERIES = [q.active_orchestrations, q.turn_rate, q.completion_rate, q.activity_rate,
           lambda c: q.activity_latency(c, 0.95), lambda c: q.provider_latency(c, 0.99),
           q.orchestrator_queue, q.worker_queue, q.activity_failures, q.continue_as_new_rate]
'''


def _best(func: Callable[[], Any], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def _run(*cmd: str) -> None:
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)


def no_change_build() -> dict[str, float]:
    """`make dashboards` with nothing changed vs `python -c "import grafanalib.core"`."""
    python = str(ROOT / ".venv" / "bin" / "python")
    _run("make", "dashboards")
    floor = _best(lambda: _run(python, "-c", "import grafanalib.core"))
    make = _best(lambda: _run("make", "--no-print-directory", "dashboards"))
    build = _best(lambda: _run(str(ROOT / ".venv" / "bin" / "dashgen"), "build"))
    return {"floor_s": floor, "make_dashboards_s": make, "make_ratio": make / floor,
            "dashgen_build_s": build, "dashgen_build_ratio": build / floor}


def synthetic_scale(dashboards: int = DASHBOARDS, panels: int = PANELS) -> dict[str, float]:
    """Compile and lint a synthetic set in-process; panels per second over both."""
    config = Config()
    with tempfile.TemporaryDirectory(prefix="dashgen-bench-") as tmp:
        directory = Path(tmp) / "dashboards"
        directory.mkdir()
        for index in range(dashboards):
            (directory / f"synthetic_{index:03d}.py").write_text(MODULE.format(panels=panels, index=index))
        start = time.perf_counter()
        compiled = compile_dashboards(directory, config, Path(tmp))
        compiled_at = time.perf_counter()
        problems = lint_dashboards([(uid, d) for uid, d in compiled.dashboards.items()], config)
        end = time.perf_counter()
    total = dashboards * panels
    return {"dashboards": dashboards, "panels": total, "compile_s": compiled_at - start,
            "lint_s": end - compiled_at, "total_s": end - start,
            "panels_per_s": total / (end - start), "lint_errors": sum(p.severity.value == "error" for p in problems)}


def run() -> dict[str, Any]:
    return {"no_change": no_change_build(), "scale": synthetic_scale()}


def report(results: dict[str, Any]) -> str:
    n, s = results["no_change"], results["scale"]
    return "\n".join([
        "compile:",
        f"  floor `python -c 'import grafanalib.core'`: {n['floor_s'] * 1000:.0f} ms",
        f"  `make dashboards`, nothing changed:        {n['make_dashboards_s'] * 1000:.0f} ms ({n['make_ratio']:.2f}x floor; goal <= 2x)",
        f"  `dashgen build`, nothing changed:          {n['dashgen_build_s'] * 1000:.0f} ms ({n['dashgen_build_ratio']:.2f}x floor)",
        f"  synthetic {s['dashboards']} x {s['panels'] // s['dashboards']} panels: compile {s['compile_s']:.2f} s, "
        f"lint {s['lint_s']:.2f} s -> {s['panels_per_s']:.0f} panels/s (goal >= 1000); lint errors: {s['lint_errors']}",
    ])


if __name__ == "__main__":
    print(report(run()))
