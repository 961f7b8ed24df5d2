"""GrafanaClient against the emulator: each failure becomes one specific, one-line error, and
only connection errors, 429 and 5xx are retried."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from generator.deploy.client import GrafanaClient
from generator.deploy.errors import (
    DeployError,
    GrafanaAuthError,
    GrafanaBadRequest,
    GrafanaForbidden,
    GrafanaNotFound,
    GrafanaPreconditionFailed,
    GrafanaServerError,
    GrafanaTLSError,
    GrafanaUnreachable,
)
from generator.deploy.settings import ConnectionSettings
from tests.emulator import GrafanaEmulator


@pytest.fixture
def emulator() -> Iterator[GrafanaEmulator]:
    with GrafanaEmulator(hang_seconds=1.0) as grafana:
        grafana.org().create_folder({"uid": "toygres", "title": "Toygres"}, "admin")
        yield grafana


def client_for(url: str, token: str = "admin-token", **kwargs: Any) -> GrafanaClient:
    settings = ConnectionSettings(url=url, token=token, **{"backoff": 0.01, "timeout": 3.0, **kwargs})
    return GrafanaClient(settings)


def dashboard(uid: str, title: str = "A dashboard", version: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"uid": uid, "title": title, "panels": []}
    if version is not None:
        data["version"] = version
    return data


Case = tuple[Callable[[GrafanaClient], Any], type[DeployError], str]

CASES: dict[str, Case] = {
    "401 bad token": (lambda c: c.get_folder("toygres"), GrafanaAuthError,
                      "Grafana rejected the credentials (401 on GET /api/folders/toygres): check GRAFANA_TOKEN"),
    "403 says which permission": (lambda c: c.create_folder("x", "X"), GrafanaForbidden,
                                  "permission denied (403 on POST /api/folders): the account needs folders:create"),
    "404 folder on save": (lambda c: c.save_dashboard(dashboard("d1"), "nope", "m"), GrafanaNotFound,
                           "folder 'nope' not found (404 on POST /api/dashboards/db)"),
    "412 version-mismatch": (lambda c: c.save_dashboard(dashboard("taken", version=0), "toygres", "m"),
                             GrafanaPreconditionFailed, "412 version-mismatch on POST /api/dashboards/db: it changed"),
    "412 name-exists": (lambda c: c.save_dashboard(dashboard("other", title="Taken"), "toygres", "m"),
                        GrafanaPreconditionFailed, "412 name-exists on POST /api/dashboards/db: another dashboard"),
    "400 uid too long": (lambda c: c.save_dashboard(dashboard("u" * 41), "toygres", "m"), GrafanaBadRequest,
                         "Grafana rejected the request as invalid (400 on POST /api/dashboards/db): Grafana said 'uid too long"),
    "400 invalid dashboard": (lambda c: c.save_dashboard(dashboard("d2", title=""), "toygres", "m"), GrafanaBadRequest,
                              "Grafana rejected the request as invalid (400 on POST /api/dashboards/db): "
                              "Grafana said 'Dashboard title cannot be empty'"),
}


@pytest.mark.parametrize("call, error, message", list(CASES.values()), ids=list(CASES))
def test_http_errors_map_to_specific_one_line_messages(emulator: GrafanaEmulator, call: Callable[[GrafanaClient], Any],
                                                       error: type[DeployError], message: str) -> None:
    emulator.org().save_dashboard({"dashboard": dashboard("taken", title="Taken"), "folderUid": "toygres"}, "alice")
    token = {"401 bad token": "wrong-token", "403 says which permission": "viewer-token"}
    case = next(name for name, value in CASES.items() if value[2] == message)
    client = client_for(emulator.url, token.get(case, "admin-token"))
    emulator.clear_log()
    with pytest.raises(error) as caught:
        call(client)
    text = str(caught.value)
    assert text.startswith(message) and "\n" not in text
    assert len(emulator.requests()) == 1, "4xx must never be retried"


def test_5xx_is_retried_then_reported_with_the_attempt_count(emulator: GrafanaEmulator) -> None:
    emulator.inject(r"^/api/folders/toygres$", "500", times=10)
    client = client_for(emulator.url, attempts=3)
    with pytest.raises(GrafanaServerError, match=r"^Grafana kept failing \(500 on GET /api/folders/toygres after 3 attempts\)"):
        client.get_folder("toygres")
    assert len(emulator.requests()) == 3


@pytest.mark.parametrize("kind", ["500", "503", "429", "hang", "drop"])
def test_transient_failures_are_retried_until_success(emulator: GrafanaEmulator, kind: str) -> None:
    emulator.inject(r"^/api/folders/toygres$", kind, times=2)
    slept: list[float] = []
    client = GrafanaClient(ConnectionSettings(url=emulator.url, token="admin-token", backoff=0.01, timeout=3.0),
                           sleep=slept.append)
    assert client.get_folder("toygres") is not None
    assert len(emulator.requests()) == 3 and len(slept) == 2
    assert client.requests_by_method["GET"] == 3


def test_backoff_doubles_and_honours_retry_after(emulator: GrafanaEmulator) -> None:
    client = client_for(emulator.url, backoff=1.0, backoff_max=8.0)
    delays = [client._backoff(n, None) for n in range(5)]
    assert all(0.5 * min(2 ** n, 8) <= d <= min(2 ** n, 8) for n, d in enumerate(delays))
    assert client._backoff(0, "3") == 3.0 and client._backoff(0, "100") == 8.0


def test_unreachable_grafana_is_one_clear_line() -> None:
    client = client_for("http://127.0.0.1:9", attempts=2)
    with pytest.raises(GrafanaUnreachable) as caught:
        client.health()
    assert str(caught.value) == ("Grafana at http://127.0.0.1:9 is unreachable (connection refused) "
                                 "after 2 attempts: GET /api/health")


def test_hung_grafana_times_out_and_says_so(emulator: GrafanaEmulator) -> None:
    emulator.inject(r"^/api/health$", "hang", times=5)
    client = client_for(emulator.url, attempts=2, timeout=0.2)
    with pytest.raises(GrafanaUnreachable, match=r"unreachable \(timed out: no complete answer within 0.2 s\) after 2 attempts"):
        client.health()


def test_tls_failure_is_not_retried_and_suggests_the_ca_bundle(emulator: GrafanaEmulator) -> None:
    client = client_for(emulator.url.replace("http://", "https://"))
    with pytest.raises(GrafanaTLSError) as caught:
        client.health()
    assert "TLS failure talking to https://127.0.0.1:" in str(caught.value)
    assert "GRAFANA_CA_BUNDLE" in str(caught.value) and "--insecure" in str(caught.value)


def test_search_pages_until_a_short_page(emulator: GrafanaEmulator) -> None:
    for i in range(7):
        emulator.org().save_dashboard({"dashboard": dashboard(f"d{i}", title=f"D{i}"), "folderUid": "toygres"}, "a")
    client = client_for(emulator.url)
    hits = client.search_dashboards(page_size=3)
    assert sorted(h["uid"] for h in hits) == [f"d{i}" for i in range(7)]
    assert len(emulator.requests("GET", "^/api/search$")) == 3


def test_org_header_selects_the_org(emulator: GrafanaEmulator) -> None:
    settings = ConnectionSettings(url=emulator.url, user="admin", password="admin", org_id=2)
    client = GrafanaClient(settings)
    client.create_folder("toygres", "Toygres")
    assert "toygres" in emulator.org(2).folders
    assert emulator.requests()[-1].org_id == 2


def test_basic_auth_with_a_wrong_password_is_a_401(emulator: GrafanaEmulator) -> None:
    client = GrafanaClient(ConnectionSettings(url=emulator.url, user="admin", password="nope"))
    with pytest.raises(GrafanaAuthError, match="GRAFANA_USER/GRAFANA_PASSWORD"):
        client.get_folder("toygres")
