"""Alert rule groups, contact points and the policy tree through the provisioning API."""

from __future__ import annotations

import copy

import pytest

from generator.deploy import alerting
from generator.deploy.errors import CompiledOutputError
from tests.deploy.conftest import CONFIG, Project, alerting_document

GROUP_PATH = f"^/api/v1/provisioning/folder/{CONFIG.folder_uid}/rule-groups/toygres-capacity$"


def test_first_deploy_provisions_group_contact_point_and_policies_locked(project: Project) -> None:
    project.write_alerting(alerting_document())
    result = project.deploy()
    assert result.exit_code == 0, result.stderr
    prov = project.grafana.provisioning()
    rules = {r["uid"]: r for r in prov.rules.values()}
    assert set(rules) == {"toygres-active-high", "toygres-active-critical"}
    rule = rules["toygres-active-high"]
    assert rule["provenance"] == "api"  # no X-Disable-Provenance: locked in the UI
    assert rule["folderUID"] == CONFIG.folder_uid and rule["ruleGroup"] == "toygres-capacity"
    assert rule["annotations"]["__dashboardUid__"] == "toygres-overview" and rule["annotations"]["__panelId__"] == "1"
    assert rule["for"] == "1m30s"  # Grafana re-renders durations
    assert prov.intervals[(CONFIG.folder_uid, "toygres-capacity")] == 60
    point = prov.contact_points["toygres-oncall-webhook"]
    assert point["settings"]["authorization_credentials"] == "hook-s3cret"  # $TOYGRES_PAGER_WEBHOOK_URL expanded
    assert prov.policies["receiver"] == "toygres-oncall"
    # Contact point before policies (which reference it), folder before the group.
    order = [w.path for w in project.grafana.writes()]
    assert order.index("/api/v1/provisioning/contact-points") < order.index("/api/v1/provisioning/policies")
    assert order.index("/api/folders") < order.index(f"/api/v1/provisioning/folder/{CONFIG.folder_uid}/rule-groups/toygres-capacity")


def test_redeploy_of_unchanged_alerting_makes_zero_writes(project: Project) -> None:
    project.write_alerting(alerting_document())
    assert project.deploy().exit_code == 0
    project.grafana.clear_log()
    result = project.deploy()
    assert result.exit_code == 0, result.stderr
    assert project.grafana.writes() == []
    assert "unchanged  rule-group    toygres/toygres-capacity" in result.stderr


def test_changing_one_threshold_rewrites_only_that_group(project: Project) -> None:
    document = alerting_document()
    project.write_alerting(document)
    assert project.deploy().exit_code == 0
    changed = copy.deepcopy(document)
    changed["groups"][0]["rules"][0]["data"][1]["model"]["conditions"][0]["evaluator"]["params"] = [150]
    project.write_alerting(changed)
    project.grafana.clear_log()
    result = project.deploy()
    assert result.exit_code == 0, result.stderr
    assert [(w.method, w.path) for w in project.grafana.writes()] == [
        ("PUT", f"/api/v1/provisioning/folder/{CONFIG.folder_uid}/rule-groups/toygres-capacity")]


def test_alerts_editable_sends_the_provenance_header_and_switches_provenance(project: Project) -> None:
    project.write_alerting(alerting_document())
    assert project.deploy().exit_code == 0
    project.grafana.clear_log()
    result = project.deploy("--alerts-editable")
    assert result.exit_code == 0, result.stderr
    # Provenance differs (api -> none): the group is rewritten with the header.
    assert len(project.grafana.requests("PUT", GROUP_PATH)) == 1
    assert all(r["provenance"] == "" for r in project.grafana.provisioning().rules.values())
    project.grafana.clear_log()
    assert project.deploy("--alerts-editable").exit_code == 0
    assert project.grafana.requests("PUT", GROUP_PATH) == []


def test_file_provisioned_rules_cannot_be_taken_over(project: Project) -> None:
    project.write_alerting(alerting_document())
    assert project.deploy().exit_code == 0
    for rule in project.grafana.provisioning().rules.values():
        rule["provenance"] = "file"
        rule["labels"] = {"severity": "page"}
    result = project.deploy()
    assert result.exit_code == 1
    assert "conflict (409 on PUT /api/v1/provisioning/folder/toygres/rule-groups/toygres-capacity)" in result.stderr
    assert "cannot change provenance from 'file' to 'api'" in result.stderr


def test_a_missing_environment_variable_names_the_contact_point(project: Project) -> None:
    project.write_alerting(alerting_document())
    result = project.deploy(TOYGRES_PAGER_WEBHOOK_URL=None)
    assert result.exit_code == 1
    assert "contact point 'toygres-oncall': references $TOYGRES_PAGER_WEBHOOK_URL, which is not set" in result.stderr
    assert project.grafana.writes() == []


def test_editor_token_gets_a_403_naming_the_alerting_permission(project: Project) -> None:
    project.write_alerting(alerting_document())
    result = project.deploy(GRAFANA_TOKEN="editor-token")
    assert result.exit_code == 1
    assert "permission denied (403 on GET /api/v1/provisioning/contact-points): the account needs " \
           "alert.provisioning:read" in result.stderr


@pytest.mark.parametrize("change, message", [
    (lambda d: d["groups"][0].update(folder="Other"), "folder 'Other' is not the managed folder 'Toygres'"),
    (lambda d: d["groups"][0]["rules"][1].update(title="Active orchestrations high"), "rule titles must be unique"),
    (lambda d: d["groups"][0]["rules"][0].pop("uid"), "has no uid"),
    (lambda d: d["groups"][0].update(interval="1 minute"), "invalid duration '1 minute'"),
], ids=["foreign folder", "duplicate title", "missing uid", "bad interval"])
def test_invalid_alerting_files_are_refused_before_any_request(project: Project, change, message: str) -> None:
    document = alerting_document()
    change(document)
    project.write_alerting(document)
    result = project.deploy()
    assert result.exit_code == 1 and message in result.stderr
    assert project.grafana.writes() == []


@pytest.mark.parametrize("text, seconds", [("0s", 0), ("90s", 90), ("1m30s", 90), ("1h", 3600), (15, 15)])
def test_durations(text: object, seconds: float) -> None:
    assert alerting.duration_seconds(text, "here") == seconds


def test_bad_duration_names_the_place() -> None:
    with pytest.raises(CompiledOutputError, match="^here: invalid duration '5 min'$"):
        alerting.duration_seconds("5 min", "here")
