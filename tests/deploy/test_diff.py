"""`dashgen diff`: a readable, read-only view of what a deploy would change."""

from __future__ import annotations

from tests.deploy.conftest import Project, alerting_document, make_dashboard


def test_diff_before_any_deploy_says_new_for_everything(project: Project) -> None:
    result = project.diff()
    assert result.exit_code == 0, result.stderr
    assert "new        folder        toygres" in result.stdout
    assert "new        dashboard     toygres-overview                 Toygres Overview" in result.stdout
    assert project.grafana.writes() == []


def test_diff_shows_unified_diffs_unchanged_and_would_delete(project: Project) -> None:
    project.write_alerting(alerting_document())
    assert project.deploy().exit_code == 0
    changed = project.read_dashboard("toygres-queues")
    changed["panels"][0]["title"] = "Queue depth"
    project.write_dashboard(changed)
    project.write_dashboard(make_dashboard("toygres-new"))
    project.remove_dashboard("toygres-logs")
    project.grafana.ui_edit("toygres-overview", lambda d: d.update(refresh="5s"))
    document = alerting_document()
    document["groups"][0]["rules"][0]["labels"]["severity"] = "critical"
    document["contactPoints"][0]["receivers"][0]["settings"]["url"] = "https://hooks.example/other"
    project.write_alerting(document)
    project.grafana.clear_log()
    result = project.diff()
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "unchanged  folder        toygres" in out
    assert "changed    dashboard     toygres-queues                   Toygres Queues  (content changed)" in out
    assert "--- live/toygres-queues.json (version 1, updated by sa-deployer at " in out
    assert '-      "title": "Panel 1",\n+      "title": "Queue depth",' in out
    assert "drifted    dashboard     toygres-overview" in out and "deploy refuses without --force" in out
    assert '+  "refresh": "5s",' not in out and '-  "refresh": "5s",' in out
    assert "new        dashboard     toygres-new" in out
    assert "would delete dashboard     toygres-logs" in out
    assert '-        "severity": "warning"' in out and '+        "severity": "critical"' in out
    assert "changed    contact-point toygres-oncall-webhook" in out and "differs in: settings (settings: url)" in out
    assert "hooks.example/other" not in out, "contact point settings may hold secrets: never printed"
    assert project.grafana.writes() == []


def test_diff_only_limits_to_the_named_dashboard(project: Project) -> None:
    result = project.diff("--only", "toygres-logs")
    assert result.exit_code == 0
    assert "toygres-logs" in result.stdout and "toygres-queues" not in result.stdout
