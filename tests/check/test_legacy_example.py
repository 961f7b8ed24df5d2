"""The operators' old hand-made dashboard (examples/): lint and check find every lie in it,
including the starts-minus-completions "active" count that read ~1000 while 10-50 ran."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from generator.check.engine import check_against
from generator.config import Config
from generator.lint.engine import lint_dashboards

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LEGACY = EXAMPLES / "legacy-toygres-overview.json"


def _dashboard() -> list[tuple[str, dict[str, Any]]]:
    return [(str(LEGACY), json.loads(LEGACY.read_text()))]


def _by_panel(problems: list[Any]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for p in problems:
        found.setdefault(p.panel, set()).add(p.rule)
    return found


def test_lint_finds_every_lie() -> None:
    found = _by_panel(lint_dashboards(_dashboard(), Config()))
    assert "promql/raw-counter" in found["Active orchestrations"]
    assert {"promql/metric-unknown", "promql/label-value"} <= found["Activity retries"]
    assert {"promql/histogram-quantile-le", "promql/histogram-era"} <= found["Activity p95"]
    assert {"promql/e2-double-count", "promql/range-too-short"} <= found["Activity throughput"]
    assert "promql/metric-unknown" in found["Connection pool size"]
    assert all("panel/datasource" in rules for rules in found.values())


def test_check_proves_the_active_count_lied(dataset: tuple[str, list[Any]]) -> None:
    url, runs = dataset
    declared = json.loads((EXAMPLES / "legacy-measures.json").read_text())
    problems = check_against(_dashboard(), Config(), url, runs, declared)
    found = _by_panel(problems)
    [lie] = [p for p in problems if p.panel == "Active orchestrations" and p.rule == "query/truth"]
    shown, truth = map(float, re.findall(r"shows ([\d.e+]+) but the truth .* is ([\d.e+]+)", lie.message)[0])
    assert shown > 10 * truth  # hundreds of times the instances really in flight
    for panel in ("Activity retries", "Activity p95", "Activity throughput", "Connection pool size"):
        assert "query/no-data" in found[panel], panel
