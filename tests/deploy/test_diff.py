"""`dashgen diff` against Grafana: read-only, through the same semantic differ as `--base REF`."""

from __future__ import annotations

import json

from tests.deploy.conftest import Project, alerting_document, make_dashboard


def test_diff_before_any_deploy_says_added_for_everything(project: Project) -> None:
    result = project.diff()
    assert result.exit_code == 0, result.stderr
    assert "3 dashboards added" in result.stdout.splitlines()[0]
    assert 'dashboard toygres-overview "Toygres Overview": added' in result.stdout
    assert "folder toygres: create" in result.stderr
    assert project.grafana.writes() == []


def test_diff_is_semantic_never_escaped_json(project: Project) -> None:
    project.write_alerting(alerting_document())
    assert project.deploy().exit_code == 0
    changed = project.read_dashboard("toygres-queues")
    changed["panels"][0]["title"] = "Queue depth"
    changed["panels"][1]["targets"][0]["expr"] = "sum by (job) (rate(duroxide_metric_1_total[$__rate_interval]))"
    project.write_dashboard(changed)
    project.write_dashboard(make_dashboard("toygres-new"))
    project.remove_dashboard("toygres-logs")
    project.grafana.ui_edit("toygres-overview", lambda d: d.update(refresh="5s"))
    document = alerting_document()
    document["groups"][0]["rules"][0]["labels"]["severity"] = "critical"
    document["groups"][0]["rules"][1]["for"] = "5m"
    document["contactPoints"][0]["receivers"][0]["settings"]["url"] = "https://hooks.example/other"
    project.write_alerting(document)
    project.grafana.clear_log()
    result = project.diff("--exit-code")
    assert result.exit_code == 1, result.stderr
    out = result.stdout
    assert 'Panel 1: retitled "Panel 1" → "Queue depth"' in out
    assert "Panel 2 / A: query A:\n      sum{+ by (job) +}(rate(duroxide_metric_1_total[$__rate_interval]))" in out
    assert '\\"' not in out, "queries are shown as text, never as escaped JSON"
    # The UI edit is drift: named on stderr, and the change shows as compiled vs live.
    assert "dashboard toygres-overview: drifted" in result.stderr
    assert 'refresh "5s" → (none)' in out
    assert 'dashboard toygres-new "Toygres New": added' in out
    assert 'dashboard toygres-logs "Toygres Logs": removed' in out
    assert 'severity "warning" → "critical"' in out
    assert "for 90s → 5m" in out
    assert "contact-point toygres-oncall" in out and "settings changed: url (values not shown)" in out
    assert "hooks.example/other" not in out + result.stderr, "contact point settings may hold secrets"
    assert project.grafana.writes() == []


def test_diff_json_and_markdown_read_alike(project: Project) -> None:
    assert project.deploy().exit_code == 0
    changed = project.read_dashboard("toygres-queues")
    changed["panels"][0]["title"] = "Queue depth"
    project.write_dashboard(changed)
    data = json.loads(project.diff("--format", "json").stdout)
    assert data["summary"] == "1 dashboard changed: 1 panel retitled"
    [item] = data["items"]
    assert item["key"] == "toygres-queues" and item["changes"][0]["kind"] == "panel-retitled"
    markdown = project.diff("--format", "markdown").stdout
    assert "**1 dashboard changed: 1 panel retitled**" in markdown and "<details>" in markdown


def test_diff_only_limits_to_the_named_dashboard(project: Project) -> None:
    result = project.diff("--only", "toygres-logs")
    assert result.exit_code == 0
    assert "toygres-logs" in result.stdout and "toygres-queues" not in result.stdout
