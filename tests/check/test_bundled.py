"""`make check` on the bundled dashboards: no error across every scenario in the configured era
(E1: test_bundled_e1.py); and the truth rules really compare the panels they must cover.

The whole check runs first in this file: xdist gives a worker its next file when it has two tests
left, so the quick tests after it keep the other files for the other worker meanwhile."""

from __future__ import annotations

import json

from generator.check.engine import check, coverage, load_measures
from generator.config import load
from generator.problems import Severity
from tests.compile_helpers import ROOT

DASHBOARDS = sorted((ROOT / "observability" / "grafana" / "dashboards").glob("*.json"))
MEASURES = ROOT / "observability" / "check" / "measures.json"


def test_bundled_dashboards_pass_every_scenario() -> None:
    files = [(str(p), json.loads(p.read_text())) for p in DASHBOARDS]
    problems, _ = check(files, load("local"), measures_file=MEASURES)
    errors = [f"{p.location}: {p.rule}: {p.message}" for p in problems if p.severity is Severity.ERROR]
    assert errors == []


def test_every_bundled_promql_target_declares_a_measure_or_why_none_applies() -> None:
    files = [(str(p), json.loads(p.read_text())) for p in DASHBOARDS]
    found = coverage(files, load("local"), load_measures(MEASURES))
    assert found.undeclared == ()
    assert found.measured > 2 * found.exempt and found.measured + found.exempt == found.total


def test_truth_rules_cover_what_the_issue_requires() -> None:
    declared = set()
    for panels in load_measures(MEASURES).values():
        for entry in panels.values():
            declared |= {v for k, v in entry.items() if k != "no_truth"} if isinstance(entry, dict) else {entry}
    assert {"active_orchestrations", "success_ratio", "failure_rate", "orchestrator_queue", "worker_queue",
            "activity_rate", "activity_p95", "provider_p95"} <= declared
