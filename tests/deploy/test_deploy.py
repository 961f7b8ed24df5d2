"""End-to-end deploy scenarios against the emulator: the safety properties issue 6 promises."""

from __future__ import annotations

import json
from pathlib import Path

from generator.deploy.normalise import STAMP_KEY, content_hash, normalise_dashboard
from tests.deploy.conftest import CONFIG, UIDS, Project, dashboard_writes, make_dashboard


def _live(project: Project, uid: str) -> dict:
    data = project.grafana.dashboard(uid)
    assert data is not None, uid
    return data


def test_first_deploy_creates_folder_and_every_dashboard_in_it(project: Project) -> None:
    result = project.deploy()
    assert result.exit_code == 0, result.stderr
    grafana = project.grafana
    assert grafana.org().folders[CONFIG.folder_uid]["title"] == CONFIG.folder_title
    for uid in UIDS:
        stored = grafana.org().dashboards[uid]
        assert stored.folder_uid == CONFIG.folder_uid
        assert stored.version == 1
        compiled = project.read_dashboard(uid)
        # Grafana holds exactly the compiled content, stamped with its hash.
        assert normalise_dashboard(stored.data) == normalise_dashboard(compiled)
        assert stored.data[STAMP_KEY] == content_hash(compiled)
        assert stored.versions[-1]["message"].startswith("dashgen ")
        assert stored.versions[-1]["message"].endswith(content_hash(compiled))
    assert dashboard_writes(grafana) == 3
    assert "dashboards: 3 created, 0 updated, 0 unchanged, 0 deleted; folder toygres created; 4 write requests" in result.stdout
    assert "create     dashboard     toygres-overview" in result.stderr


def test_redeploy_with_nothing_changed_makes_zero_writes(project: Project) -> None:
    assert project.deploy().exit_code == 0
    project.grafana.clear_log()
    result = project.deploy()
    assert result.exit_code == 0, result.stderr
    assert project.grafana.writes() == []
    assert "dashboards: 0 created, 0 updated, 3 unchanged, 0 deleted; 0 write requests; nothing to change" in result.stdout
    # Reads: health, folder, 2 data sources, one search, one GET per dashboard.
    assert len(project.grafana.requests("GET", r"^/api/dashboards/uid/")) == 3
    assert len(project.grafana.requests("GET", r"^/api/search$")) == 1


def test_changing_one_panel_writes_exactly_that_dashboard(project: Project) -> None:
    assert project.deploy().exit_code == 0
    changed = project.read_dashboard("toygres-queues")
    changed["panels"][1]["title"] = "Queue depth (items waiting)"
    project.write_dashboard(changed)
    project.grafana.clear_log()
    result = project.deploy()
    assert result.exit_code == 0, result.stderr
    writes = project.grafana.writes()
    assert [(w.method, w.path) for w in writes] == [("POST", "/api/dashboards/db")]
    stored = project.grafana.org().dashboards["toygres-queues"]
    assert stored.version == 2 and stored.data["panels"][1]["title"] == "Queue depth (items waiting)"
    assert "dashboards: 0 created, 1 updated, 2 unchanged, 0 deleted; 1 write request " in result.stdout


def test_reordered_panels_and_dropped_nulls_are_not_a_change(project: Project) -> None:
    assert project.deploy().exit_code == 0
    same = project.read_dashboard("toygres-overview")
    same["panels"].reverse()
    same["description"] = None
    project.write_dashboard(same)
    project.grafana.clear_log()
    assert project.deploy().exit_code == 0
    assert project.grafana.writes() == []


def test_ui_edit_is_drift_and_the_deploy_refuses_without_writing(project: Project) -> None:
    assert project.deploy().exit_code == 0
    project.grafana.ui_edit("toygres-logs", lambda d: d["panels"][0].update(title="Alice's panel"))
    changed = project.read_dashboard("toygres-overview")
    changed["title"] = "Toygres Overview v2"
    project.write_dashboard(changed)  # a legitimate change elsewhere must not be written either
    project.grafana.clear_log()
    result = project.deploy()
    assert result.exit_code == 3
    assert project.grafana.writes() == []
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("dashgen: error: refusing to overwrite 1 dashboard(s)")
    assert "toygres-logs (version 2, updated by alice at " in error and "--force" in error
    assert "drifted    dashboard     toygres-logs" in result.stderr
    diffs = list(Path(".dashgen/deploy").glob("*/drift/toygres-logs.diff"))
    assert len(diffs) == 1 and str(diffs[0].parent) in error
    text = diffs[0].read_text()
    assert "-      \"title\": \"Alice's panel\"," in text and "+      \"title\": \"Panel 1\"," in text
    assert "version 2, updated by alice" in text.splitlines()[0]


def test_api_edit_keeping_the_stamp_is_still_drift(project: Project) -> None:
    assert project.deploy().exit_code == 0
    project.grafana.api_edit("toygres-logs", lambda d: d.update(refresh="5s"), user="bob")
    assert STAMP_KEY in _live(project, "toygres-logs")
    result = project.deploy()
    assert result.exit_code == 3 and "updated by bob" in result.stderr


def test_existing_dashboard_never_deployed_by_dashgen_is_drift(project: Project) -> None:
    org = project.grafana.org()
    org.create_folder({"uid": CONFIG.folder_uid, "title": CONFIG.folder_title}, "carol")
    hand_made = make_dashboard("toygres-overview", panels=1)
    assert org.save_dashboard({"dashboard": hand_made, "folderUid": CONFIG.folder_uid}, "carol")[0] == 200
    result = project.deploy()
    assert result.exit_code == 3
    assert "carries no deploy stamp" in result.stderr and "updated by carol" in result.stderr


def test_force_overwrites_drift_after_backing_up_the_live_json(project: Project) -> None:
    assert project.deploy().exit_code == 0
    project.grafana.ui_edit("toygres-logs", lambda d: d["panels"][0].update(title="Alice's panel"))
    live_before = _live(project, "toygres-logs")
    project.grafana.clear_log()
    result = project.deploy("--force")
    assert result.exit_code == 0, result.stderr
    assert dashboard_writes(project.grafana) == 1
    backups = list(Path(".dashgen/deploy").glob("*/backup/toygres-logs.json"))
    assert len(backups) == 1 and str(backups[0]) in result.stderr
    saved = json.loads(backups[0].read_text())
    assert saved["dashboard"] == live_before and saved["meta"]["updatedBy"] == "alice"
    stored = project.grafana.org().dashboards["toygres-logs"]
    assert stored.data["panels"][0]["title"] == "Panel 1" and stored.version == 3
    assert "forced over edit by alice" in stored.versions[-1]["message"]
    project.grafana.clear_log()
    assert project.deploy().exit_code == 0 and project.grafana.writes() == []


def test_dry_run_shows_every_action_and_writes_nothing(project: Project) -> None:
    assert project.deploy().exit_code == 0
    project.grafana.ui_edit("toygres-logs", lambda d: d.update(refresh="1m"))
    changed = project.read_dashboard("toygres-queues")
    changed["panels"][0]["title"] = "Renamed"
    project.write_dashboard(changed)
    project.write_dashboard(make_dashboard("toygres-new"))
    project.remove_dashboard("toygres-overview")
    project.grafana.clear_log()
    result = project.deploy("--dry-run", "--prune")
    assert result.exit_code == 0, result.stderr
    assert project.grafana.writes() == []
    lines = result.stderr
    for expected in ("create     dashboard     toygres-new", "update     dashboard     toygres-queues",
                     "unchanged  folder        toygres", "drifted    dashboard     toygres-logs",
                     "delete     dashboard     toygres-overview"):
        assert expected in lines, expected
    assert "dry run: dashboards: 1 to create, 1 to update, 1 to delete, 0 unchanged, 1 drifted" in result.stdout


def test_prune_deletes_only_managed_dashboards_gone_from_code(project: Project) -> None:
    assert project.deploy().exit_code == 0
    org = project.grafana.org()
    org.create_folder({"uid": "team-a", "title": "Team A"}, "dave")
    # Tagged but in another team's folder, and untagged in our folder: both must survive.
    org.save_dashboard({"dashboard": make_dashboard("theirs-tagged"), "folderUid": "team-a"}, "dave")
    org.save_dashboard({"dashboard": make_dashboard("ours-untagged", tags=["adhoc"]),
                        "folderUid": CONFIG.folder_uid}, "dave")
    project.remove_dashboard("toygres-logs")
    project.grafana.clear_log()
    without = project.deploy()
    assert without.exit_code == 0
    assert "stale      dashboard     toygres-logs" in without.stderr and "--prune deletes it" in without.stderr
    assert project.grafana.writes() == []
    result = project.deploy("--prune")
    assert result.exit_code == 0, result.stderr
    assert [(w.method, w.path) for w in project.grafana.writes()] == [("DELETE", "/api/dashboards/uid/toygres-logs")]
    assert set(org.dashboards) == {"toygres-overview", "toygres-queues", "theirs-tagged", "ours-untagged"}
    listed = "note: --prune deleting 1 managed dashboard(s) no longer in code: toygres-logs (Toygres Logs)"
    assert result.stderr.index(listed) < result.stderr.index("delete     dashboard     toygres-logs")
    assert list(Path(".dashgen/deploy").glob("*/backup/toygres-logs.json"))


def test_prune_refuses_when_nothing_is_compiled(project: Project) -> None:
    assert project.deploy().exit_code == 0
    for uid in UIDS:
        project.remove_dashboard(uid)
    result = project.deploy("--prune")
    assert result.exit_code == 1 and "refusing to --prune every managed dashboard" in result.stderr
    assert len(project.grafana.org().dashboards) == 3


def test_failure_midway_reports_done_and_not_done_then_rerun_completes(project: Project) -> None:
    for i in range(12):
        project.write_dashboard(make_dashboard(f"toygres-extra-{i:02d}"))
    # Let 5 dashboard writes through, then Grafana keeps failing.
    project.grafana.inject(r"^/api/dashboards/db$", "500", times=1000, method="POST", after=5)
    result = project.deploy("--concurrency", "1")
    assert result.exit_code == 1
    assert "done (6): folder toygres, dashboard toygres-extra-00" in result.stderr
    assert "not done (10): dashboard " in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("dashgen: error: deploy stopped at dashboard ") and "re-run" in last
    assert len(project.grafana.org().dashboards) == 5
    project.grafana.faults.clear()
    rerun = project.deploy()
    assert rerun.exit_code == 0, rerun.stderr
    assert "dashboards: 10 created, 0 updated, 5 unchanged" in rerun.stdout
    assert len(project.grafana.org().dashboards) == 15
    project.grafana.clear_log()
    assert project.deploy().exit_code == 0 and project.grafana.writes() == []


def test_transient_failures_are_retried_and_succeed(project: Project) -> None:
    grafana = project.grafana
    grafana.inject(r"^/api/search$", "503", times=2)
    grafana.inject(r"^/api/dashboards/db$", "429", times=1)
    grafana.inject(r"^/api/folders/toygres$", "hang", times=1)
    grafana.inject(r"^/api/datasources/uid/", "drop", times=1)
    result = project.deploy()
    assert result.exit_code == 0, result.stderr
    assert len(grafana.requests("GET", r"^/api/search$")) == 3
    assert len(grafana.org().dashboards) == 3


def test_a_write_whose_answer_was_lost_is_confirmed_not_repeated(project: Project) -> None:
    project.grafana.inject(r"^/api/dashboards/db$", "drop_after", times=1)
    result = project.deploy("--concurrency", "1")
    assert result.exit_code == 0, result.stderr
    assert "confirmed after a retry" in result.stderr
    assert all(d.version == 1 for d in project.grafana.org().dashboards.values())


def test_only_deploys_the_named_dashboards(project: Project) -> None:
    result = project.deploy("--only", "toygres-queues")
    assert result.exit_code == 0, result.stderr
    assert set(project.grafana.org().dashboards) == {"toygres-queues"}
    unknown = project.deploy("--only", "nope")
    assert unknown.exit_code == 1 and "--only: not a compiled dashboard: nope" in unknown.stderr
    both = project.deploy("--only", "toygres-queues", "--prune")
    assert both.exit_code == 2


def test_moved_dashboard_is_moved_back_without_drift(project: Project) -> None:
    assert project.deploy().exit_code == 0
    org = project.grafana.org()
    org.create_folder({"uid": "elsewhere", "title": "Elsewhere"}, "erin")
    org.dashboards["toygres-logs"].folder_uid = "elsewhere"
    result = project.deploy()
    assert result.exit_code == 0, result.stderr
    assert "move from folder 'elsewhere'" in result.stderr
    assert org.dashboards["toygres-logs"].folder_uid == CONFIG.folder_uid


def test_missing_data_sources_stop_the_deploy_and_name_them(project: Project) -> None:
    del project.grafana.org().datasources[CONFIG.loki_uid]
    result = project.deploy()
    assert result.exit_code == 4
    assert project.grafana.writes() == []
    assert f"{CONFIG.loki_name} (uid {CONFIG.loki_uid})" in result.stderr
    assert "provisioning/datasources" in result.stderr
    dry = project.deploy("--dry-run")
    assert dry.exit_code == 0 and "data sources missing in Grafana" in dry.stderr


def test_json_format_is_machine_readable(project: Project) -> None:
    result = project.deploy("--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    kinds = {(a["resource"], a["key"]): (a["kind"], a["status"]) for a in data["actions"]}
    assert kinds[("dashboard", "toygres-logs")] == ("create", "done")
    assert data["requests"]["writes"] == 4 and data["grafana_version"] == "11.3.0"


def test_same_title_under_another_uid_is_a_clear_name_exists_error(project: Project) -> None:
    org = project.grafana.org()
    org.create_folder({"uid": CONFIG.folder_uid, "title": CONFIG.folder_title}, "frank")
    org.save_dashboard({"dashboard": make_dashboard("franks-copy", title="Toygres Logs"),
                        "folderUid": CONFIG.folder_uid}, "frank")
    result = project.deploy("--concurrency", "1")
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("dashgen: error: deploy stopped at dashboard toygres-logs: 412 name-exists on "
                           "POST /api/dashboards/db: another dashboard with the same title exists in that folder")
