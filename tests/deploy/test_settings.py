"""Connection settings: from GRAFANA_* variables or an env file, never from a flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.deploy.command import deploy
from generator.deploy.errors import ConnectionSettingsError
from generator.deploy.settings import from_environ, read_env_file
from tests.deploy.conftest import CONFIG, TOKEN, Project

ENV_ERRORS = {
    "no url": ({}, "GRAFANA_URL is not set"),
    "not http": ({"GRAFANA_URL": "grafana:3000", "GRAFANA_TOKEN": "t"}, "GRAFANA_URL must be an http(s) URL"),
    "credentials in url": ({"GRAFANA_URL": "http://a:b@g:3000", "GRAFANA_TOKEN": "t"}, "must not carry credentials"),
    "no credentials": ({"GRAFANA_URL": "http://g:3000"}, "no Grafana credentials: set GRAFANA_TOKEN"),
    "user without password": ({"GRAFANA_URL": "http://g:3000", "GRAFANA_USER": "admin"}, "no Grafana credentials"),
    "org not a number": ({"GRAFANA_URL": "http://g:3000", "GRAFANA_TOKEN": "t", "GRAFANA_ORG_ID": "main"},
                         "GRAFANA_ORG_ID must be a number, got 'main'"),
    "missing ca bundle": ({"GRAFANA_URL": "https://g", "GRAFANA_TOKEN": "t", "GRAFANA_CA_BUNDLE": "/nope.pem"},
                          "GRAFANA_CA_BUNDLE: /nope.pem: file not found"),
}


@pytest.mark.parametrize("environ, message", list(ENV_ERRORS.values()), ids=list(ENV_ERRORS))
def test_bad_settings_are_one_line_errors(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConnectionSettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        from_environ(environ)


def test_settings_from_the_environment() -> None:
    settings = from_environ({"GRAFANA_URL": "https://g.example/grafana/", "GRAFANA_TOKEN": " t ",
                             "GRAFANA_ORG_ID": "3"}, timeout=2.5)
    assert settings.base_url == "https://g.example/grafana" and settings.token == "t"
    assert settings.org_id == 3 and settings.verify is True and settings.timeout == 2.5
    assert from_environ({"GRAFANA_URL": "https://g", "GRAFANA_TOKEN": "t"}, insecure=True).verify is False


def test_env_file_parsing(tmp_path: Path) -> None:
    path = tmp_path / "grafana.env"
    path.write_text("# comment\n\nexport GRAFANA_URL=http://g:3000\nGRAFANA_TOKEN='abc def'\n"
                    'GRAFANA_USER="admin"\nOTHER=ignored\n')
    assert read_env_file(path) == {"GRAFANA_URL": "http://g:3000", "GRAFANA_TOKEN": "abc def", "GRAFANA_USER": "admin"}


def test_env_file_wins_over_the_shell(project: Project, tmp_path: Path) -> None:
    env_file = tmp_path / "prod.env"
    env_file.write_text(f"GRAFANA_URL={project.grafana.url}\nGRAFANA_TOKEN={TOKEN}\n")
    result = project.deploy("--env-file", str(env_file), GRAFANA_URL="http://127.0.0.1:9", GRAFANA_TOKEN="bad")
    assert result.exit_code == 0, result.stderr
    assert len(project.grafana.org().dashboards) == 3


def test_there_is_no_token_flag() -> None:
    names = {opt for param in deploy.params for opt in getattr(param, "opts", [])}
    assert not any("token" in n or "password" in n for n in names), names


def test_basic_auth_and_org_id(project: Project) -> None:
    grafana = project.grafana
    grafana.add_datasource(CONFIG.prometheus_uid, CONFIG.prometheus_name, org_id=2)
    grafana.add_datasource(CONFIG.loki_uid, CONFIG.loki_name, "loki", org_id=2)
    result = project.deploy(GRAFANA_TOKEN=None, GRAFANA_USER="admin", GRAFANA_PASSWORD="admin", GRAFANA_ORG_ID="2")
    assert result.exit_code == 0, result.stderr
    # The password is scrubbed from everything printed; here it is also the user name.
    assert "(as user ***)" in result.stderr and "admin" not in result.stderr
    assert len(grafana.org(2).dashboards) == 3 and grafana.org(1).dashboards == {}


def test_missing_compiled_output_says_how_to_build_it(project: Project) -> None:
    result = project.deploy("--observability", "nowhere")
    assert result.exit_code == 1
    assert "nowhere: compiled output not found (run `make dashboards` first)" in result.stderr


COMPILED_ERRORS = {
    "no managed tag": ({"tags": ["toygres"]}, "lacks the managed tag 'toygres-managed'"),
    "uid too long": ({"uid": "x" * 41}, "is longer than 40 characters"),
    "no title": ({"title": ""}, "has no title"),
}


@pytest.mark.parametrize("change, message", list(COMPILED_ERRORS.values()), ids=list(COMPILED_ERRORS))
def test_compiled_dashboards_are_checked_before_any_request(project: Project, change: dict[str, object],
                                                            message: str) -> None:
    data = {**project.read_dashboard("toygres-logs"), **change}
    project.remove_dashboard("toygres-logs")
    path = project.write_dashboard(data) if data["uid"] else None
    result = project.deploy()
    assert result.exit_code == 1 and message in result.stderr
    assert path is not None and path.name in result.stderr
    assert project.grafana.requests() == []
