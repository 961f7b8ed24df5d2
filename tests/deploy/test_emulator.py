"""The emulator itself follows ../shared/reference/grafana.md: if these fail, the deploy tests
prove nothing. One row per documented behaviour."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
import requests

from tests.emulator import GrafanaEmulator

ADMIN = {"Authorization": "Bearer admin-token"}


@pytest.fixture
def g() -> Iterator[GrafanaEmulator]:
    with GrafanaEmulator() as emulator:
        yield emulator


def call(g: GrafanaEmulator, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
         **params: Any) -> tuple[int, Any]:
    response = requests.request(method, g.url + path, json=body, headers=ADMIN if headers is None else headers, params=params, timeout=5)
    return response.status_code, response.json() if response.content else None


def save(g: GrafanaEmulator, dashboard: dict[str, Any], folder: str = "", **extra: Any) -> tuple[int, Any]:
    return call(g, "POST", "/api/dashboards/db", {"dashboard": dashboard, "folderUid": folder, **extra})


def test_health_needs_no_auth(g: GrafanaEmulator) -> None:
    status, body = call(g, "GET", "/api/health", headers={})
    assert status == 200 and body["database"] == "ok" and body["version"]


def test_auth_401_and_viewer_403(g: GrafanaEmulator) -> None:
    assert call(g, "GET", "/api/search", headers={"Authorization": "Bearer nope"})[0] == 401
    assert call(g, "GET", "/api/search", headers={})[0] == 401
    status, body = call(g, "POST", "/api/folders", {"uid": "f", "title": "F"},
                        headers={"Authorization": "Bearer viewer-token"})
    assert status == 403 and "Permissions needed: folders:create" in body["message"]


def test_versions_and_412s(g: GrafanaEmulator) -> None:
    status, body = save(g, {"uid": "d", "title": "D", "id": None})
    assert status == 200 and body["version"] == 1 and body["status"] == "success" and body["url"] == "/d/d/d"
    assert save(g, {"uid": "d", "title": "D", "version": 1}, message="second")[1]["version"] == 2
    status, body = save(g, {"uid": "d", "title": "D", "version": 1})
    assert status == 412 and body["status"] == "version-mismatch"
    assert save(g, {"uid": "d", "title": "D", "version": 1}, overwrite=True)[1]["version"] == 3
    status, body = save(g, {"uid": "e", "title": "D"})
    assert status == 412 and body["status"] == "name-exists"
    versions = call(g, "GET", "/api/dashboards/uid/d/versions")[1]
    assert [v["version"] for v in versions] == [3, 2, 1] and versions[1]["message"] == "second"


def test_400s_and_folder_404(g: GrafanaEmulator) -> None:
    assert save(g, {"uid": "x" * 41, "title": "Long"})[0] == 400
    assert save(g, {"uid": "t", "title": ""})[0] == 400
    assert call(g, "POST", "/api/dashboards/db", {"nope": 1})[0] == 400
    assert save(g, {"uid": "t", "title": "T"}, folder="missing")[0] == 404


def test_get_keeps_unknown_keys_and_reports_meta(g: GrafanaEmulator) -> None:
    call(g, "POST", "/api/folders", {"uid": "f", "title": "F"})
    save(g, {"uid": "d", "title": "D", "customKey": "kept"}, folder="f")
    status, body = call(g, "GET", "/api/dashboards/uid/d")
    assert status == 200 and body["dashboard"]["customKey"] == "kept" and body["dashboard"]["version"] == 1
    meta = body["meta"]
    assert (meta["folderUid"], meta["version"], meta["updatedBy"], meta["provisioned"]) == ("f", 1, "sa-deployer", False)
    assert meta["url"] == "/d/d/d" and meta["updated"].endswith("Z")
    assert save(g, {"uid": "d", "title": "D", "version": 1})[0] == 200
    assert call(g, "GET", "/api/dashboards/uid/d")[1]["meta"]["folderUid"] == "", "omitting folderUid moves to root"
    assert call(g, "DELETE", "/api/dashboards/uid/d")[0] == 200
    assert call(g, "GET", "/api/dashboards/uid/d")[0] == 404


def test_ui_edit_drops_unknown_keys_and_records_the_user(g: GrafanaEmulator) -> None:
    save(g, {"uid": "d", "title": "D", "customKey": "x"})
    assert g.ui_edit("d", lambda d: d.update(refresh="1m")) == 2
    meta = call(g, "GET", "/api/dashboards/uid/d")[1]
    assert "customKey" not in meta["dashboard"] and meta["meta"]["updatedBy"] == "alice"


def test_search_filters_and_pages(g: GrafanaEmulator) -> None:
    call(g, "POST", "/api/folders", {"uid": "f", "title": "F"})
    for i in range(5):
        save(g, {"uid": f"d{i}", "title": f"D{i}", "tags": ["m"] if i % 2 else []}, folder="f" if i < 3 else "")
    hits = call(g, "GET", "/api/search", type="dash-db", tag="m")[1]
    assert [h["uid"] for h in hits] == ["d1", "d3"] and hits[0]["folderUid"] == "f" and "folderUid" not in hits[1]
    assert [h["uid"] for h in call(g, "GET", "/api/search", type="dash-db", folderUIDs="f")[1]] == ["d0", "d1", "d2"]
    assert [h["uid"] for h in call(g, "GET", "/api/search", type="dash-db", limit=2, page=3)[1]] == ["d4"]
    assert call(g, "GET", "/api/search", limit=5001)[0] == 422
    assert call(g, "GET", "/api/search", type="dash-folder")[1][0]["uid"] == "f"


def test_folders(g: GrafanaEmulator) -> None:
    assert call(g, "GET", "/api/folders/f")[0] == 404
    assert call(g, "POST", "/api/folders", {"uid": "f", "title": "F"})[0] == 200
    assert call(g, "POST", "/api/folders", {"uid": "f", "title": "Other"})[0] == 409
    assert call(g, "PUT", "/api/folders/f", {"title": "G", "version": 0})[0] == 412
    assert call(g, "PUT", "/api/folders/f", {"title": "G", "version": 1})[1]["version"] == 2


def test_datasources(g: GrafanaEmulator) -> None:
    assert call(g, "GET", "/api/datasources/uid/p")[0] == 404
    assert call(g, "POST", "/api/datasources", {"uid": "p", "name": "P", "type": "prometheus"})[0] == 200
    assert call(g, "POST", "/api/datasources", {"uid": "q", "name": "P", "type": "prometheus"})[0] == 409
    assert call(g, "GET", "/api/datasources/uid/p")[1]["name"] == "P"


RULE = {"title": "R", "condition": "A", "for": "90s",
        "data": [{"refId": "A", "relativeTimeRange": {"from": 600, "to": 0}, "datasourceUid": "p", "model": {}}]}


def test_rule_groups_and_provenance(g: GrafanaEmulator) -> None:
    call(g, "POST", "/api/folders", {"uid": "f", "title": "F"})
    path = "/api/v1/provisioning/folder/f/rule-groups/grp"
    assert call(g, "GET", path)[0] == 404
    group = {"title": "grp", "folderUid": "f", "interval": 60, "rules": [{**RULE, "uid": "r1"}]}
    status, body = call(g, "PUT", path, group)
    assert status == 200 and body["rules"][0]["provenance"] == "api" and body["rules"][0]["for"] == "1m30s"
    editable = {**ADMIN, "X-Disable-Provenance": "true"}
    assert "provenance" not in call(g, "PUT", path, group, headers=editable)[1]["rules"][0]
    assert call(g, "PUT", path, {**group, "interval": 15})[0] == 400
    two = {**group, "rules": [{**RULE, "uid": "r1"}, {**RULE, "uid": "r2"}]}
    assert call(g, "PUT", path, two)[0] == 400, "titles are unique within a group"
    mixed = {**RULE, "title": "R2", "folderUID": "f", "ruleGroup": "grp"}
    assert call(g, "POST", "/api/v1/provisioning/alert-rules", mixed)[0] == 400, "a group cannot mix provenances"
    g.provisioning().rules["r1"]["provenance"] = "file"
    status, body = call(g, "PUT", path, group)
    assert status == 409 and "cannot change provenance from 'file'" in body["message"]
    assert call(g, "GET", path, headers={"Authorization": "Bearer editor-token"})[0] == 403


def test_contact_points_mask_secrets_and_policies_check_receivers(g: GrafanaEmulator) -> None:
    point = {"uid": "cp", "name": "oncall", "type": "webhook", "settings": {"url": "u", "password": "pw"}}
    assert call(g, "POST", "/api/v1/provisioning/contact-points", point)[0] == 202
    listed = {p["uid"]: p for p in call(g, "GET", "/api/v1/provisioning/contact-points")[1]}
    assert listed["cp"]["settings"] == {"url": "u", "password": "[REDACTED]"}
    masked = {**point, "settings": {"url": "v", "password": "[REDACTED]"}}
    assert call(g, "PUT", "/api/v1/provisioning/contact-points/cp", masked)[0] == 202
    assert g.provisioning().contact_points["cp"]["settings"]["password"] == "pw", "a masked value keeps the secret"
    assert call(g, "PUT", "/api/v1/provisioning/policies", {"receiver": "nobody"})[0] == 400
    assert call(g, "PUT", "/api/v1/provisioning/policies", {"receiver": "oncall"})[0] == 202
    assert call(g, "GET", "/api/v1/provisioning/policies")[1] == {"receiver": "oncall", "provenance": "api"}


def test_faults_and_request_log(g: GrafanaEmulator) -> None:
    g.inject("^/api/search$", "500", times=1, after=1)
    assert call(g, "GET", "/api/search")[0] == 200
    assert call(g, "GET", "/api/search")[0] == 500
    assert call(g, "GET", "/api/search")[0] == 200
    g.inject("^/api/search$", "drop")
    with pytest.raises(requests.ConnectionError):
        call(g, "GET", "/api/search")
    assert [r.status for r in g.requests("GET", "^/api/search$")] == [200, 500, 200, 0]
    assert g.writes() == []
