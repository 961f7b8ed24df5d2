"""Check benchmark: `dashgen check` on the bundled dashboards across every scenario, with the
time split (simulate / backfill / Prometheus start / queries / rules). Goal: under 60 s wall."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.check import mutations  # noqa: E402
from generator.check.engine import MEASURES_FILE, check, default_specs, load_measures  # noqa: E402
from generator.config import load  # noqa: E402
from generator.pipeline import END_TS, ScenarioSpec, served, staggered  # noqa: E402

# The mutation suite's data (tests/check/conftest.py): the scenarios that expose every lie.
MUTATION_SPECS = ("healthy", "activity-failure-storm", "database-slow", "store-lock-contention")


def run() -> dict[str, Any]:
    config = load("local")
    files = [(str(p), json.loads(p.read_text())) for p in sorted((ROOT / "observability/grafana/dashboards").glob("*.json"))]
    started = time.perf_counter()
    problems, timings = check(files, config, measures_file=ROOT / MEASURES_FILE)
    wall = time.perf_counter() - started
    targets = sum(len(p.get("targets", [])) for _, d in files for p in d.get("panels", []))
    return {"wall_s": wall, "scenarios": len(default_specs(config)), "dashboards": len(files), "targets": targets,
            "simulate_s": timings.simulate, "backfill_s": timings.backfill, "start_s": timings.start,
            "queries_s": timings.queries, "rules_s": timings.rules,
            "errors": sum(p.severity.value == "error" for p in problems), **mutation_score()}


def mutation_score(seed: int = 7) -> dict[str, Any]:
    """Lies planted in copies of the bundled dashboards that check reports as errors."""
    config = load("local")
    dashboards = {p.stem: json.loads(p.read_text()) for p in (ROOT / "observability/grafana/dashboards").glob("*.json")}
    specs = [ScenarioSpec.parse(s) for s in MUTATION_SPECS]
    datasets = staggered(specs, end_ts=END_TS, duration_seconds=100 * 60, seed=seed,
                         step=config.scrape_interval_seconds, truth_grids=True)
    with served(datasets, config) as prom:
        found = mutations.run(dashboards, config, prom.url, prom.runs, load_measures(ROOT / MEASURES_FILE))
    return {"mutations": len(found), "caught": sum(bool(v) for v in found.values()),
            "missed": [k for k, v in found.items() if not v],
            "caught_by": {k: sorted({p.rule for p in v}) for k, v in found.items() if v}}


def report(r: dict[str, Any]) -> str:
    return "\n".join([
        "check:",
        f"  {r['dashboards']} dashboards, {r['targets']} targets x {r['scenarios']} scenarios: "
        f"{r['wall_s']:.1f} s wall (goal < 60 s); errors: {r['errors']}",
        f"  simulate {r['simulate_s']:.1f} s | backfill {r['backfill_s']:.1f} s (overlapped with simulation) | "
        f"start {r['start_s']:.1f} s | queries {r['queries_s']:.1f} s (8 concurrent) | rules {r['rules_s']:.1f} s",
        f"  mutation score: {r['caught']}/{r['mutations']} planted lies reported as errors"
        + (f" (missed: {', '.join(r['missed'])})" if r["missed"] else ""),
        *(f"    {k}: {', '.join(v)}" for k, v in r["caught_by"].items()),
    ])


if __name__ == "__main__":
    if sys.argv[1:] == ["mutations"]:  # the mutation score alone
        score = mutation_score()
        print(f"mutation score: {score['caught']}/{score['mutations']}", *(f"  {k}: {', '.join(v)}"
              for k, v in score["caught_by"].items()), *(f"  MISSED {k}" for k in score["missed"]), sep="\n")
    else:
        print(report(run()))
