"""The token (or password) never appears in any output, file, log, repr or exception message,
on the happy path and on every error path."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import Result

from generator.deploy.client import GrafanaClient
from generator.deploy.errors import DeployError
from generator.deploy.settings import ConnectionSettings, read_env_file
from tests.deploy.conftest import TOKEN, Project, alerting_document
from tests.emulator import Account

PASSWORD = "pa55w0rd_SECRET_never_shown"


@pytest.fixture
def echoing(project: Project) -> Iterator[Project]:
    """Grafana (or a proxy) that echoes the Authorization header back in error messages."""
    project.grafana.echo_auth_in_errors = True
    project.grafana.users["deployer"] = (PASSWORD, Account("deployer", "Admin"))
    yield project


def _all_text(project: Project, results: list[Result], caplog: pytest.LogCaptureFixture) -> str:
    files = [p.read_text(errors="replace") for p in Path(".dashgen").rglob("*") if p.is_file()]
    streams = [r.stdout + r.stderr for r in results]
    return "\n".join(streams + files + [caplog.text])


def test_no_secret_in_any_output_file_or_log(echoing: Project, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    project, grafana = echoing, echoing.grafana
    project.write_alerting(alerting_document())
    results = [project.deploy(), project.deploy("--dry-run"), project.diff()]
    grafana.ui_edit("toygres-logs", lambda d: d.update(refresh="1m"))
    results.append(project.deploy())  # drift: diff file written
    results.append(project.deploy("--force"))  # backup file written
    grafana.inject(r"^/api/dashboards/db$", "500", times=100)
    project.write_dashboard({**project.read_dashboard("toygres-logs"), "title": "Changed"})
    results.append(project.deploy())  # 500 through every retry
    grafana.faults.clear()
    results.append(project.deploy(GRAFANA_TOKEN=TOKEN + "x"))  # 401, echoed header
    grafana.tokens["viewer-" + TOKEN] = Account("viewer", "Viewer")
    results.append(project.deploy(GRAFANA_TOKEN="viewer-" + TOKEN))  # 403, echoed header
    results.append(project.deploy(GRAFANA_URL="http://127.0.0.1:9"))  # unreachable
    results.append(project.deploy(GRAFANA_URL=grafana.url.replace("http:", "https:")))  # TLS
    results.append(project.deploy(GRAFANA_TOKEN=None, GRAFANA_USER="deployer", GRAFANA_PASSWORD=PASSWORD + "x"))
    results.append(project.deploy(GRAFANA_TOKEN=None, GRAFANA_USER="deployer", GRAFANA_PASSWORD=PASSWORD))
    assert [r.exit_code for r in results] == [0, 0, 0, 3, 0, 1, 1, 1, 1, 1, 1, 0]
    assert "(sent: Bearer ***)" in results[7].stderr, "an echoed secret must be scrubbed"
    text = _all_text(project, results, caplog)
    assert TOKEN not in text
    assert PASSWORD not in text
    assert "hook-s3cret" not in text  # a contact point secret from the environment


def test_settings_client_and_errors_do_not_reveal_secrets() -> None:
    settings = ConnectionSettings(url="https://grafana:3000", token=TOKEN)
    client = GrafanaClient(settings)
    assert TOKEN not in repr(settings) and TOKEN not in repr(client)
    assert TOKEN not in repr(client._session().auth)
    basic = ConnectionSettings(url="https://grafana:3000", user="admin", password=PASSWORD)
    assert PASSWORD not in repr(basic)


def test_credentials_in_the_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(DeployError) as caught:
        ConnectionSettings(url=f"http://admin:{PASSWORD}@grafana:3000", token="t")
    assert PASSWORD not in str(caught.value)


def test_a_malformed_env_file_line_is_not_echoed(tmp_path: Path) -> None:
    path = tmp_path / "grafana.env"
    path.write_text(f"GRAFANA_URL=http://grafana:3000\nthis line holds {TOKEN}\n")
    with pytest.raises(DeployError) as caught:
        read_env_file(path)
    assert str(caught.value) == f"{path}:2: expected KEY=VALUE" and TOKEN not in str(caught.value)
