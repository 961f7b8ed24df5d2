"""Check results per target in the cache: a repeat run queries nothing, a one-panel edit re-runs
only that panel's targets, and the same problems come out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.check.engine import check
from generator.config import Config
from generator.pipeline import Cache, ScenarioSpec
from tests.compile_helpers import ROOT

needs_prometheus = pytest.mark.skipif(shutil.which("prometheus") is None or shutil.which("promtool") is None,
                                      reason="prometheus/promtool not installed")
DASHBOARD = ROOT / "observability" / "grafana" / "dashboards" / "toygres-queues-workers.json"
MEASURES = ROOT / "observability" / "check" / "measures.json"


@needs_prometheus
def test_only_the_edited_panel_runs_again(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    data = json.loads(DASHBOARD.read_text())
    files = [(str(DASHBOARD), data)]
    run = dict(specs=[ScenarioSpec.parse("healthy")], duration=3600, measures_file=MEASURES, cache=cache)
    cold_problems, cold = check(files, Config(), **run)  # type: ignore[arg-type]
    again_problems, again = check(files, Config(), **run)  # type: ignore[arg-type]
    targets = cold.results_cached + sum(1 for p in data["panels"] for _ in p.get("targets", []))
    assert cold.results_cached == 0 and cold.cache_misses == 1
    assert (again.cache_hits, again.cache_misses, again.queries) == (0, 0, 0.0)  # nothing served
    assert again.results_cached == targets and again_problems == cold_problems
    edited = json.loads(json.dumps(data))
    panel = next(p for p in edited["panels"] if p.get("targets"))
    panel["description"] += " (edited)"
    _, after_edit = check([(str(DASHBOARD), edited)], Config(), **run)  # type: ignore[arg-type]
    assert after_edit.cache_hits == 1 and after_edit.simulate == 0.0
    assert after_edit.results_cached == targets - len(panel["targets"])
