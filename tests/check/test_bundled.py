"""`make check` on the bundled dashboards: no error across every scenario, in the configured era
and, compiled for E1, in E1; and the truth rules really compare the panels they must cover."""

from __future__ import annotations

import json
from pathlib import Path

from generator.check.engine import check, coverage, load_measures
from generator.config import load
from generator.pipeline import ScenarioSpec
from generator.problems import Severity
from tests.compile_helpers import ROOT, compile_bundled

DASHBOARDS = sorted((ROOT / "observability" / "grafana" / "dashboards").glob("*.json"))
MEASURES = ROOT / "observability" / "check" / "measures.json"


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


def test_bundled_dashboards_pass_every_scenario() -> None:
    files = [(str(p), json.loads(p.read_text())) for p in DASHBOARDS]
    problems, _ = check(files, load("local"), measures_file=MEASURES)
    errors = [f"{p.location}: {p.rule}: {p.message}" for p in problems if p.severity is Severity.ERROR]
    assert errors == []


def test_dashboards_compiled_for_e1_tell_the_truth_in_e1(tmp_path: Path) -> None:
    config = load("e1")
    compiled = compile_bundled("e1")
    files = [(f"{uid}.json", json.loads(text)) for uid, text in compiled.items()]
    specs = [ScenarioSpec.parse("healthy,era=E1"), ScenarioSpec.parse("database-slow,era=E1")]
    problems, _ = check(files, config, specs=specs, measures_file=MEASURES)
    wrong = [f"{p.location}: {p.rule}: {p.message}" for p in problems if p.severity is Severity.ERROR
             and p.rule in ("query/truth", "query/double-count", "query/range", "query/error", "query/constant")]
    assert wrong == []
    # E1's gauges are duroxide's known limitations: reported as warnings that say so.
    known = [p for p in problems if p.severity is Severity.WARNING and p.rule == "query/truth"]
    assert all("known duroxide limitation" in p.message for p in known)
