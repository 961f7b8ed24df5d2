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

from generator.check.engine import MEASURES_FILE, check, default_specs  # noqa: E402
from generator.config import load  # noqa: E402


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
            "errors": sum(p.severity.value == "error" for p in problems)}


def report(r: dict[str, Any]) -> str:
    return "\n".join([
        "check:",
        f"  {r['dashboards']} dashboards, {r['targets']} targets x {r['scenarios']} scenarios: "
        f"{r['wall_s']:.1f} s wall (goal < 60 s); errors: {r['errors']}",
        f"  simulate {r['simulate_s']:.1f} s | backfill {r['backfill_s']:.1f} s (overlapped with simulation) | "
        f"start {r['start_s']:.1f} s | queries {r['queries_s']:.1f} s (8 concurrent) | rules {r['rules_s']:.1f} s",
    ])


if __name__ == "__main__":
    print(report(run()))
