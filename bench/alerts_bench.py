"""Alert proof benchmark: `dashgen alerts report` (3 seeds, 24 healthy hours each, every rule's
fires_in scenarios) with the time split simulate / write / backfill / Prometheus start /
range queries / LogQL. `python -m bench.alerts_bench [--seeds 1 --healthy-hours 2]` for a
quicker figure."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.proof import engine as proof, rulefiles  # noqa: E402
from generator.config import Config  # noqa: E402


def run(seeds: tuple[int, ...] = (1, 2, 3), healthy_hours: float = 24.0) -> dict[str, Any]:
    config = Config()
    rules = rulefiles.load(ROOT / "observability")
    settings = proof.Settings(seeds=seeds, healthy_seconds=int(healthy_hours * 3600))
    report = proof.run(rules, config, settings)
    t = report.timings
    return {"wall_s": report.wall_seconds, "rules": len(report.rules), "datasets": len(report.datasets),
            "seeds": len(seeds), "healthy_hours": healthy_hours, "workers": settings.workers,
            "simulate_s": t.simulate, "write_s": t.write, "om_mb": t.bytes_written / 1e6, "backfill_s": t.backfill,
            "start_s": t.start, "queries_s": t.queries, "logql_s": t.logql,
            "passed": sum(r.passed for r in report.rules)}


def report(r: dict[str, Any]) -> str:
    return "\n".join([
        "alerts report:",
        f"  {r['rules']} rules, {r['datasets']} simulated runs ({r['seeds']} seeds, {r['healthy_hours']:g} healthy "
        f"hours each): {r['wall_s']:.1f} s wall on {r['workers']} workers; {r['passed']}/{r['rules']} rules pass",
        f"  summed over workers: simulate {r['simulate_s']:.1f} s | write OpenMetrics {r['write_s']:.1f} s "
        f"({r['om_mb']:.0f} MB) | backfill {r['backfill_s']:.1f} s | start {r['start_s']:.1f} s | "
        f"range queries {r['queries_s']:.1f} s | LogQL {r['logql_s']:.1f} s",
    ])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--healthy-hours", type=float, default=24.0)
    args = parser.parse_args()
    print(report(run(tuple(int(s) for s in args.seeds.split(",")), args.healthy_hours)))
