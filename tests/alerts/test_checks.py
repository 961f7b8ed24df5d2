"""Alert lint rules: each problem id is reported for the rule that has it and only then."""

from __future__ import annotations

import dataclasses

import pytest

from generator.alerting.checks import check_rules
from generator.alerting.model import AlertRule, Threshold
from generator.config import Config

GOOD = AlertRule(
    "ToygresExample", group="g", query='max(duroxide_worker_queue_depth{job="toygres"})',
    threshold=Threshold(">", 20), for_="10m", severity="warning",
    summary="Activities wait", description="{{ $value }} items are queued.", runbook_url="https://r#x",
    dashboard_uid="toygres-queues-workers", panel_title="Worker queue depth", fires_in=("runaway-client",))

# problem id -> changes that must produce it
CASES = {
    "alert/summary": dict(summary=" "),
    "alert/description": dict(description=""),
    "alert/runbook": dict(runbook_url=""),
    "alert/for": dict(for_="0m", noisy=True),
    "alert/metric-unknown": dict(query='sum(rate(duroxide_activity_retries_total{job="toygres"}[5m]))'),
    "alert/never-recorded": dict(query='sum(rate(duroxide_suborchestration_calls_total{job="toygres"}[5m]))'),
    "alert/job-unselected": dict(query='max(duroxide_worker_queue_depth{job=~"toygres|kubernetes-pods"})'),
}


def problems(rule: AlertRule) -> set[str]:
    return {p.rule for p in check_rules([(rule, "alerts/x.py")], [], Config())}


def test_a_good_rule_has_no_problems() -> None:
    assert problems(GOOD) == set()


@pytest.mark.parametrize("problem_id", sorted(CASES))
def test_each_lint_rule_fires(problem_id: str) -> None:
    assert problem_id in problems(dataclasses.replace(GOOD, **CASES[problem_id]))


def test_description_without_value_or_labels_is_a_warning() -> None:
    found = check_rules([(dataclasses.replace(GOOD, description="Items are queued."), "alerts/x.py")], [], Config())
    assert [(p.rule, p.severity.value, p.alert) for p in found] == [("alert/description-value", "warning", "ToygresExample")]


def test_a_quiet_signal_may_fire_without_for() -> None:
    assert problems(dataclasses.replace(GOOD, for_="0m", noisy=False)) == set()


@pytest.mark.parametrize("op", [">=", "<=", "==", "=>"])
def test_a_threshold_operator_grafana_cannot_compile_is_a_definition_error(op: str) -> None:
    from generator.errors import DefinitionError

    with pytest.raises(DefinitionError, match=rf"alerts/x.py: rule ToygresExample: threshold operator '{op}'"):
        check_rules([(dataclasses.replace(GOOD, threshold=Threshold(op, 20)), "alerts/x.py")], [], Config())


@pytest.mark.parametrize("fires_in, message", [
    (("nope",), "unknown scenario 'nope'"), (("database-down@150m",), "unknown scenario 'database-down@150m'"),
], ids=["unknown", "old-at-form"])
def test_fires_in_must_be_a_scenario_spec(fires_in: tuple[str, ...], message: str) -> None:
    from generator.errors import DefinitionError

    with pytest.raises(DefinitionError, match=f"rule ToygresExample: fires_in: .*{message}"):
        check_rules([(dataclasses.replace(GOOD, fires_in=fires_in), "alerts/x.py")], [], Config())


def test_derived_runbook_dashboard_and_job_selector() -> None:
    from generator.alerting.build import load_rules
    from generator.alerting.helpers import dashboard, job_selector
    from generator.config import load
    from tests.compile_helpers import ROOT

    assert job_selector(load("e1")) == 'exported_job="toygres"' and job_selector(Config()) == 'job="toygres"'
    compiled = {p.stem for p in (ROOT / "observability" / "grafana" / "dashboards").glob("*.json")}
    assert {dashboard(p.stem) for p in (ROOT / "dashboards").glob("[!_]*.py")} == compiled
    rules = [rule for rule, _ in load_rules(ROOT / "alerts", Config()).alerts]
    assert all(r.runbook_url == f"{Config().runbook_base_url}#{r.name.lower()}" for r in rules)
