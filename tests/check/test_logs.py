"""check for logs: every log panel (and the LogQL alert rule) is proven against the events the
simulator recorded; planted lies (an instance_id filter hiding the store errors, a claim no
scenario produces) fail. No Prometheus needed: log panels are checked against the lines."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest

from generator.check.engine import prove_logs
from generator.check.log_truth import load_claims, load_rules
from generator.config import Config
from generator.pipeline import ScenarioRun, ScenarioSpec
from generator.problems import Severity
from generator.walker import build_contexts
from tests.compile_helpers import ROOT
from tests.sim.helpers import simulate

OBS = ROOT / "observability"
CLAIMS = load_claims(OBS / "check" / "log-claims.json")
# Each rule with the claim it declares in check/alerts.json (as `dashgen check` loads them).
RULES = load_rules(sorted((OBS / "loki" / "rules").glob("*.yml")), OBS / "check" / "alerts.json")
SCENARIOS = ("healthy", "database-down", "database-slow", "unregistered-activity",
             "store-lock-contention", "replica-restart", "unregistered-orchestration")
END = 1_732_665_600


@pytest.fixture(scope="module")
def runs() -> list[ScenarioRun]:
    out = []
    for name in SCENARIOS:
        # shared with other tests and sessions through the dataset cache
        result = simulate([name], end_ts=END, duration_seconds=3600, fault_start_seconds=1200)
        spec = ScenarioSpec.parse(name)
        out.append(ScenarioRun(name, spec, "E2", END - 3600, END, result.header, result.truth,
                               result.loki_push(with_events=True)))
    return out


def _dashboard(uid: str) -> dict[str, Any]:
    return json.loads((OBS / "grafana" / "dashboards" / f"{uid}.json").read_text())


def _prove(runs, dashboards, claims=CLAIMS, rules=()):
    _, _, targets = build_contexts([(f"{d['uid']}.json", d) for d in dashboards], Config())
    logql = [t for t in targets if t.language == "logql" and t.ast is not None]
    return prove_logs(logql, runs, Config(), claims, rules)


def test_every_bundled_log_panel_and_the_alert_rule_show_what_they_claim(runs):
    dashboards = [_dashboard("toygres-logs"), _dashboard("toygres-overview")]
    problems = _prove(runs, dashboards, rules=RULES)
    assert [f"{p.panel}: {p.rule}: {p.message}" for p in problems if p.severity is Severity.ERROR] == []
    # Every Loki panel of this repository declares what it shows.
    loki_panels = {(d["uid"], p["title"]) for d in dashboards for p in d["panels"]
                   if (p.get("datasource") or {}).get("type") == "loki"}
    assert loki_panels == {(uid, title) for uid, panels in CLAIMS.items() for title in panels}


def test_database_down_store_errors_reach_the_trouble_panel_with_no_instance_chosen(runs):
    """The issue's 'done when': the store errors are there, and the panel keeps every one."""
    down = next(r for r in runs if r.key == "database-down")
    store = [ln for ln in down.log_lines if ln.event in ("orch.fetch_retryable", "worker.fetch_retryable")]
    assert len(store) > 20 and all(ln.instance == "" for ln in store)
    logs = _dashboard("toygres-logs")
    (panel,) = [p for p in logs["panels"] if p["title"] == "Store and dispatcher trouble" and p["type"] == "logs"]
    assert CLAIMS["toygres-logs"][panel["title"]] == "store + poison + dispatcher"
    only = copy.deepcopy(logs)
    only["panels"] = [panel]
    assert _prove([down], [only]) == []


def test_database_down_duroxide_pg_retries_reach_the_trouble_panel_with_no_instance_chosen(runs):
    """duroxide-pg's own "Retryable error, will retry" lines (span-prefixed, target column
    duroxide_pg::provider, no instance) are store lines the trouble panel must keep."""
    down = next(r for r in runs if r.key == "database-down")
    pg = [ln for ln in down.log_lines if ln.event == "pg.retryable"]
    assert len(pg) > 10 and all(ln.instance == "" for ln in pg)
    assert all(" WARN fetch_orchestration_item{" in ln.line and "}: duroxide_pg::provider: Retryable error, will "
               'retry target="duroxide::providers::postgres" ' in ln.line for ln in pg)
    logs = _dashboard("toygres-logs")
    for title in ("Store and dispatcher trouble", "Errors and warnings"):
        only = copy.deepcopy(logs)
        only["panels"] = [p for p in logs["panels"] if p["title"] == title and p["type"] == "logs"]
        assert _prove([down], [only]) == []
    # The same panel without the span alternative hides exactly these lines.
    (panel,) = [p for p in logs["panels"] if p["title"] == "Store and dispatcher trouble" and p["type"] == "logs"]
    expr = panel["targets"][0]["expr"]
    assert PG_ALTERNATIVE in expr
    narrowed = expr.replace(PG_ALTERNATIVE, "")
    problems = _prove([down], [_planted(logs, "Store and dispatcher trouble", narrowed)])
    assert [p.rule for p in problems] == ["logql/hides-lines"]
    assert "pg.retryable x" in problems[0].message and "database-down" in problems[0].message


# The trouble filter's duroxide-pg alternative (its span prefix, then its target column).
PG_ALTERNATIVE = "|\\\\w+\\\\{.*\\\\}: duroxide_pg::provider"


def test_planted_lie_trouble_filter_taking_duroxide_pgs_target_field_for_its_target_is_caught(runs):
    """duroxide-pg writes `warn!(target = "duroxide::providers::postgres", ...)` (provider.rs:295-301
    at v0.1.27): `target =` is a field, so the name is in the line only as `target="..."` after
    the message, and a filter reading it as the target column (as the reference's wording
    suggests) selects none of duroxide-pg's lines: the trouble panel and the error-log rule,
    with such a filter, hide them, and the check says so."""
    down = next(r for r in runs if r.key == "database-down")
    wrong = PG_ALTERNATIVE.replace("duroxide_pg::provider", "duroxide::providers::postgres")
    logs = _dashboard("toygres-logs")
    (panel,) = [p for p in logs["panels"] if p["title"] == "Store and dispatcher trouble" and p["type"] == "logs"]
    lie = panel["targets"][0]["expr"].replace(PG_ALTERNATIVE, wrong)
    assert lie != panel["targets"][0]["expr"]
    problems = _prove([down], [_planted(logs, "Store and dispatcher trouble", lie)])
    assert [p.rule for p in problems] == ["logql/hides-lines"]
    assert "pg.retryable x" in problems[0].message and "database-down" in problems[0].message
    (rule,) = [r for r in RULES if r.name == "ToygresErrorLogRate"]
    assert PG_ALTERNATIVE in rule.expr
    problems = _prove([down], [_dashboard("toygres-overview")], rules=[replace(rule, expr=rule.expr.replace(
        PG_ALTERNATIVE, wrong))])
    assert [(p.rule, p.target) for p in problems] == [("logql/hides-lines", "alert ToygresErrorLogRate")]
    assert "pg.retryable" in problems[0].message


def test_unregistered_orchestration_lines_prove_the_configuration_alert(runs):
    """ToygresConfigurationErrors claims 'configuration': every orch.unregistered line of the
    new scenario must be counted (and its poison lines reach the trouble panel)."""
    rerun = [r for r in runs if r.key == "unregistered-orchestration"]
    (scenario,) = rerun
    events = {ln.event for ln in scenario.log_lines}
    assert {"orch.unregistered", "orch.poison"} <= events
    (rule,) = [r for r in RULES if r.name == "ToygresConfigurationErrors"]
    assert rule.shows == "configuration"
    logs = _dashboard("toygres-logs")
    # (The Errors panel itself is unproven here: this incident writes no ERROR line at all.)
    alert = f"alert {rule.name}"
    assert [p for p in _prove(rerun, [logs], rules=[rule]) if p.target == alert] == []
    hiding = replace(rule, expr=rule.expr.replace("not registered, abandoning with", "Activity not registered"))
    problems = [p for p in _prove(rerun, [logs], rules=[hiding]) if p.target == alert]
    assert [p.rule for p in problems] == ["logql/hides-lines"]
    assert "orch.unregistered" in problems[0].message


def _planted(logs: dict[str, Any], title: str, expr: str) -> dict[str, Any]:
    lie = copy.deepcopy(logs)
    (panel,) = [p for p in lie["panels"] if p["title"] == title and p["type"] != "row"]
    panel["targets"][0]["expr"] = expr
    lie["panels"] = [panel]
    return lie


def test_planted_lie_instance_id_filter_claiming_every_warning_is_caught(runs):
    """The old dashboard's filter: `instance_id=$instance_id` with `.*` drops every line
    without instance_id=: the store errors, the ack failures, the poison lines."""
    logs = _dashboard("toygres-logs")
    logs["templating"]["list"] = [dict(v, current={"text": ".*", "value": ".*"}) if v["name"] == "instance_id"
                                  else v for v in logs["templating"]["list"]]
    lie = _planted(logs, "Errors and warnings", '{job="toygres"} |~ "instance_id=$instance_id" |~ "^\\\\S+ +(?:WARN|ERROR) "')
    problems = _prove(runs, [lie])
    hides = [p for p in problems if p.rule == "logql/hides-lines"]
    assert {p.severity for p in hides} == {Severity.ERROR}
    down = [p.message for p in hides if " in database-down " in p.message]
    assert down and "orch.fetch_retryable" in down[0] and "warnings and errors" in down[0]
    # With an instance chosen, the dispatchers' `instance=` lines are hidden too.
    assert any(p.rule == "logql/instance-filter" and "hides" in p.message for p in problems)


def test_an_instance_filter_that_ignores_the_instance_is_caught(runs):
    logs = _dashboard("toygres-logs")
    lie = _planted(logs, "Errors and warnings", '{job="toygres"} |~ "^\\\\S+ +(?:WARN|ERROR) "')
    lie["panels"][0]["targets"][0]["expr"] += ' |~ "$instance_id|"'
    messages = [p.message for p in _prove(runs, [lie]) if p.rule == "logql/instance-filter"]
    assert messages and all("naming other instances" in m for m in messages)


def test_a_claim_no_scenario_produces_compares_nothing_and_fails(runs):
    healthy = [r for r in runs if r.key == "healthy"]
    claims = {"toygres-logs": {"Errors and warnings": "poison"}}
    problems = _prove(healthy, [_planted(_dashboard("toygres-logs"), "Errors and warnings",
                                         '{job="toygres"} |= "poison"')], claims)
    assert [p.rule for p in problems] == ["logql/claim-unproven"]


def test_the_alert_rule_is_proven_against_its_panel_claim(runs, tmp_path):
    """The LogQL rule counts what the Overview's "Error logs" claims; an ERROR-only rule hides
    the database outage's WARNs and fails."""
    (rule,) = [r for r in RULES if r.name == "ToygresErrorLogRate"]
    assert (rule.dashboard_uid, rule.panel, rule.shows) == ("toygres-overview", "Error logs", "")
    overview = [_dashboard("toygres-overview")]
    assert _prove(runs, overview, rules=[rule]) == []
    narrowed = replace(rule, expr='sum(count_over_time({job="toygres", level="error"} [5m])) > 5')
    problems = _prove([r for r in runs if r.key == "database-down"], overview, rules=[narrowed])
    assert [(p.rule, p.target) for p in problems] == [("logql/hides-lines", "alert ToygresErrorLogRate")]



def test_a_rule_that_declares_its_own_claim_is_proven_against_it(runs):
    """ToygresConfigurationErrors counts only the unregistered-handler WARNs: proven against its
    own claim ("configuration"), not its panel's ("errors"), and a rule that counts nothing of
    what it claims fails."""
    (rule,) = [r for r in RULES if r.name == "ToygresConfigurationErrors"]
    assert rule.shows == "configuration"
    logs = [_dashboard("toygres-logs")]
    assert [p for p in _prove(runs, logs, rules=[rule]) if p.target == f"alert {rule.name}"] == []
    wrong = replace(rule, expr='sum(count_over_time({job="toygres", level="warn"} |= "not registered, abandoning with" '
                               '| instance_id != "" [5m])) > 0')
    problems = _prove([r for r in runs if r.key == "unregistered-activity"], logs, rules=[wrong])
    assert [(p.rule, p.target) for p in problems] == [("logql/hides-lines", "alert ToygresConfigurationErrors")]
