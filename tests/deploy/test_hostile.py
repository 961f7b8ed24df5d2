"""Deploy against careless users and hostile servers: bad credentials, servers that echo
headers, drip their answer, redirect, or answer 200 with JSON of the wrong shape, Ctrl-C, plain
http, proxies, and contact points that reach for other environment variables. Each case ends in
one line, with no traceback and no secret in any output or file."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from generator.deploy.client import GrafanaClient
from generator.deploy.errors import ConnectionSettingsError, DeployInterrupted
from generator.deploy.secrets import Scrubber, secret_forms
from generator.deploy.settings import ConnectionSettings, proxies_for
from tests.deploy.conftest import TOKEN, Project, alerting_document
from tests.emulator import Account

PASSWORD = "pa55w0rd_SECRET_hostile"
REPO = Path(__file__).resolve().parents[2]


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("dashgen: error:")]
    assert len(errors) == 1, stderr
    return errors[0]


def _leaks(text: str, *secrets: str) -> list[str]:
    basic = base64.b64encode(f"deployer:{PASSWORD}".encode()).decode()
    forms = [TOKEN, PASSWORD, basic, basic.rstrip("="), *secrets]
    return [form for form in forms if form in text]


def _files_text() -> str:
    return "\n".join(p.read_text(errors="replace") for p in Path(".dashgen").rglob("*") if p.is_file())


# -- credentials -------------------------------------------------------------------------------

CREDENTIALS: dict[str, tuple[dict[str, str | None], str]] = {
    "token with an inner newline": ({"GRAFANA_TOKEN": "glsa_abc\nSECRET_line2"}, "GRAFANA_TOKEN contains a newline"),
    "token with a carriage return": ({"GRAFANA_TOKEN": "glsa_abc\rSECRET"}, "GRAFANA_TOKEN contains a newline"),
    "token with a tab": ({"GRAFANA_TOKEN": "glsa_abc\tSECRET"}, "GRAFANA_TOKEN contains a control character"),
    "token with a non-Latin-1 character": ({"GRAFANA_TOKEN": "glsa_SECRET_\u20ac"}, "non-ASCII character"),
    "token with a Latin-1 accent": ({"GRAFANA_TOKEN": "glsa_SECRET_\u00e9"}, "non-ASCII character"),
    "token with a space": ({"GRAFANA_TOKEN": "glsa_SECRET part2"}, "contains a space"),
    "password with a newline": ({"GRAFANA_TOKEN": None, "GRAFANA_USER": "deployer",
                                 "GRAFANA_PASSWORD": "SECRET\npw"}, "GRAFANA_PASSWORD contains a newline"),
    "user with a colon": ({"GRAFANA_TOKEN": None, "GRAFANA_USER": "a:b", "GRAFANA_PASSWORD": "SECRETpw"},
                          "GRAFANA_USER contains ':'"),
    "url with a newline": ({"GRAFANA_URL": "http://127.0.0.1:3000\n/x"}, "GRAFANA_URL contains a control character"),
}


@pytest.mark.parametrize("env,expected", CREDENTIALS.values(), ids=CREDENTIALS.keys())
def test_bad_credentials_are_one_line_without_the_value(project: Project, env: dict[str, str | None],
                                                        expected: str) -> None:
    result = project.deploy(**env)
    assert result.exit_code == 1
    line = _one_error_line(result.stderr)
    assert expected in line
    assert "SECRET" not in result.stdout + result.stderr
    assert project.grafana.log == []  # validated before any request


# -- echoed credentials ------------------------------------------------------------------------

ECHO_CASES: dict[str, dict[str, str | None]] = {
    "bearer token, 401": {"GRAFANA_TOKEN": TOKEN + "x"},
    "basic auth, 401 (base64 of user:password echoed)": {"GRAFANA_TOKEN": None, "GRAFANA_USER": "deployer",
                                                         "GRAFANA_PASSWORD": PASSWORD + "x"},
    "basic auth, 403 (base64 echoed in the permission error)": {"GRAFANA_TOKEN": None, "GRAFANA_USER": "viewer",
                                                                "GRAFANA_PASSWORD": PASSWORD},
}


@pytest.mark.parametrize("env", ECHO_CASES.values(), ids=ECHO_CASES.keys())
def test_echoed_authorization_is_scrubbed_in_every_form(project: Project, env: dict[str, str | None]) -> None:
    grafana = project.grafana
    grafana.echo_auth_in_errors = True
    grafana.users["deployer"] = (PASSWORD, Account("deployer", "Admin"))
    grafana.users["viewer"] = (PASSWORD, Account("viewer", "Viewer"))
    result = project.deploy(**env)
    text = result.stdout + result.stderr + _files_text()
    assert result.exit_code == 1
    _one_error_line(result.stderr)
    sent = [v for k, v in env.items() if v and k != "GRAFANA_USER"]
    pair = f"{env.get('GRAFANA_USER')}:{env.get('GRAFANA_PASSWORD')}".encode()
    assert not _leaks(text, *sent, base64.b64encode(pair).decode())
    assert "(sent: " in text  # the echo really happened, and was masked
    assert "***" in text


SCRUB_CASES: dict[str, tuple[str, str]] = {
    "raw token": (f"error: {TOKEN}", TOKEN),
    "bearer header": (f"Authorization: Bearer {TOKEN}", TOKEN),
    "basic header, padded": ("Authorization: Basic " + base64.b64encode(f"u:{PASSWORD}".encode()).decode(),
                             base64.b64encode(f"u:{PASSWORD}".encode()).decode()),
    "basic, unpadded inside JSON": ('{"Authorization":["Basic ' + base64.b64encode(f"u:{PASSWORD}".encode())
                                    .decode().rstrip("=") + '"]}', PASSWORD),
    "url-safe base64": (base64.urlsafe_b64encode(f"u:{PASSWORD}".encode()).decode(),
                        base64.urlsafe_b64encode(f"u:{PASSWORD}".encode()).decode()),
    "percent-encoded password": ("p=pa55w0rd_SECRET_hostile%21", "pa55w0rd_SECRET_hostile"),
    "another account's bearer value": ("authorization=Bearer glsa_OTHER_secret_value", "glsa_OTHER_secret_value"),
    "raw password": (f"password {PASSWORD} rejected", PASSWORD),
}


@pytest.mark.parametrize("text,secret", SCRUB_CASES.values(), ids=SCRUB_CASES.keys())
def test_scrubber_masks_every_form(text: str, secret: str) -> None:
    scrub = Scrubber(secret_forms(TOKEN, "u", PASSWORD + "!") + secret_forms("", "u", PASSWORD))
    assert secret not in scrub(text)
    assert "***" in scrub(text)


# -- plain http and proxies --------------------------------------------------------------------

HTTP_CASES: dict[str, tuple[str, bool, str]] = {
    "http to a remote host is refused": ("http://grafana.example.com:3000", False, "not this machine"),
    "http to an address is refused": ("http://10.0.0.5:3000", False, "not this machine"),
    "http to localhost is allowed": ("http://localhost:3000", False, ""),
    "http to 127.0.0.2 is allowed": ("http://127.0.0.2:3000", False, ""),
    "http to ::1 is allowed": ("http://[::1]:3000", False, ""),
    "http to a remote host with --allow-http": ("http://grafana.example.com", True, ""),
    "https anywhere": ("https://grafana.example.com", False, ""),
}


@pytest.mark.parametrize("url,allow,refusal", HTTP_CASES.values(), ids=HTTP_CASES.keys())
def test_plain_http_is_refused_off_this_machine(url: str, allow: bool, refusal: str) -> None:
    if refusal:
        with pytest.raises(ConnectionSettingsError, match=refusal):
            ConnectionSettings(url=url, token=TOKEN, allow_http=allow)
    else:
        ConnectionSettings(url=url, token=TOKEN, allow_http=allow)


def test_http_refusal_on_the_command_line(project: Project) -> None:
    result = project.deploy(GRAFANA_URL="http://grafana.example.com:3000")
    assert result.exit_code == 1
    assert "--allow-http" in _one_error_line(result.stderr)


PROXY_CASES: dict[str, tuple[str, dict[str, str], str]] = {
    "https proxy for an https url": ("https://g.example", {"HTTPS_PROXY": "http://u:pw@proxy:3128"},
                                     "http://proxy:3128"),
    "lower-case http_proxy": ("http://127.0.0.1:3000", {"http_proxy": "http://proxy:8080"}, "http://proxy:8080"),
    "all_proxy": ("https://g.example", {"ALL_PROXY": "socks5://proxy:1080"}, "socks5://proxy:1080"),
    "NO_PROXY bypasses": ("https://g.example", {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "g.example"}, ""),
    "no proxy set": ("https://g.example", {}, ""),
}


@pytest.mark.parametrize("url,environ,shown", PROXY_CASES.values(), ids=PROXY_CASES.keys())
def test_proxy_is_resolved_and_shown_without_credentials(url: str, environ: dict[str, str], shown: str) -> None:
    settings = ConnectionSettings(url=url, token=TOKEN, proxies=proxies_for(url, environ))
    assert settings.proxy == shown


def test_proxy_in_use_is_said_and_really_used(project: Project) -> None:
    result = project.deploy(HTTP_PROXY="http://user:proxypw@127.0.0.1:9", NO_PROXY=None, no_proxy=None)
    assert "go through the proxy http://127.0.0.1:9" in result.stderr
    assert "proxypw" not in result.stderr
    assert result.exit_code == 1 and "unreachable" in _one_error_line(result.stderr)
    assert project.grafana.log == []  # the proxy (refusing) was used, not the emulator
    direct = project.deploy(HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1")
    assert direct.exit_code == 0, direct.stderr
    assert "proxy" not in direct.stderr


# -- contact points ----------------------------------------------------------------------------

def test_contact_points_substitute_only_declared_variables(project: Project) -> None:
    document = alerting_document()
    receiver = document["contactPoints"][0]["receivers"][0]
    receiver["settings"]["url"] = "https://hooks.example/toygres?t=${GRAFANA_TOKEN}"
    project.write_alerting(document)
    result = project.deploy()
    assert result.exit_code == 1
    line = _one_error_line(result.stderr)
    assert "references $GRAFANA_TOKEN, which the alert definitions do not declare" in line
    assert TOKEN not in result.stdout + result.stderr
    assert project.grafana.requests("POST", r"contact-points") == []
    assert project.grafana.requests("POST", r"^/api/dashboards/db$") == []  # refused while planning


# -- redirects and malformed 200s --------------------------------------------------------------

REDIRECTS: dict[str, tuple[str, str]] = {
    "redirect loop": ("/api/health", "does not follow: set GRAFANA_URL"),
    "redirect to another host": ("https://evil.example/steal", "to https://evil.example/steal, which deploy does not follow: it points at another host"),
}


@pytest.mark.parametrize("location,expected", REDIRECTS.values(), ids=REDIRECTS.keys())
def test_redirects_are_not_followed(project: Project, location: str, expected: str) -> None:
    project.grafana.inject(r"^/api/health$", "reply", times=50, reply=(302, None, {"Location": location}))
    result = project.deploy("--attempts", "1")
    assert result.exit_code == 1
    assert expected in _one_error_line(result.stderr)
    assert len(project.grafana.requests("GET", r"^/api/health$")) == 1


MALFORMED: dict[str, tuple[str, Any, str]] = {
    "health is a list": (r"^/api/health$", [], "GET /api/health with a list where an object"),
    "health is a string": (r"^/api/health$", "ok", "GET /api/health with a string"),
    "folder is a list": (r"^/api/folders/", [{"uid": "toygres"}], "GET /api/folders/toygres with a list"),
    "folder version is a string": (r"^/api/folders/", {"uid": "toygres", "title": "Other", "version": "7"},
                                   "a string `version` where an integer `version`"),
    "datasource is a list": (r"^/api/datasources/uid/", [], "GET /api/datasources/uid/toygres-prometheus with a list"),
    "dashboard is an empty body": (r"^/api/dashboards/uid/", None, "null where a `dashboard` object"),
    "search is an object": (r"^/api/search$", {"hits": []}, "GET /api/search with an object where a list"),
    "search hit without uid": (r"^/api/search$", [{"title": "x"}], "hit 0 without a uid"),
    "search hit is a string": (r"^/api/search$", ["toygres-overview"], "a string at hit 0"),
    "dashboard is a list": (r"^/api/dashboards/uid/", [], "GET /api/dashboards/uid/toygres-logs with a list"),
    "dashboard without `dashboard`": (r"^/api/dashboards/uid/", {"meta": {}}, "null where a `dashboard` object"),
    "dashboard meta is a list": (r"^/api/dashboards/uid/", {"dashboard": {"uid": "x"}, "meta": []},
                                 "a list where a `meta` object"),
    "dashboard version is text": (r"^/api/dashboards/uid/", {"dashboard": {"uid": "x"}, "meta": {"version": "v2"}},
                                  "a string `version`"),
    "search hit tags a number": (r"^/api/search$", [{"uid": "x", "tags": 3}], "a number `tags` where a list `tags`"),
    "search hit folderUid a list": (r"^/api/search$", [{"uid": "x", "folderUid": []}], "a list `folderUid`"),
    "dashboard meta folderUid a number": (r"^/api/dashboards/uid/", {"dashboard": {"uid": "x"}, "meta": {"folderUid": 1}},
                                          "a number `folderUid` where a string `folderUid`"),
    "contact point settings a list": (r"contact-points$", [{"uid": "u", "settings": []}], "a list `settings`"),
    "contact points is an object": (r"contact-points$", {"items": []}, "contact-points with an object"),
    "rule group rules is a string": (r"rule-groups/", {"rules": "none"}, "with a string where a list of rules"),
}


@pytest.mark.parametrize("path,body,expected", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_200_replies_are_one_line(project: Project, path: str, body: Any, expected: str) -> None:
    grafana = project.grafana
    project.write_alerting(alerting_document())
    assert project.deploy().exit_code == 0  # everything exists, so every read is made next time
    if "search" not in path:
        project.write_dashboard({**project.read_dashboard("toygres-logs"), "title": "Changed"})
    grafana.inject(path, "reply", times=50, reply=(200, body, {}))
    grafana.clear_log()
    result = project.deploy()
    assert result.exit_code == 1, result.stderr
    line = _one_error_line(result.stderr)
    assert expected in line, line
    assert grafana.requests("POST", r"^/api/dashboards/db$") == [] or "rule" in path or "contact" in path


# -- time: whole-request timeout, run deadline, Ctrl-C -----------------------------------------

def test_a_dripping_server_is_bounded_by_the_request_timeout(project: Project) -> None:
    """One byte every 50 ms never trips a per-read timeout; the whole-request timeout ends it."""
    project.grafana.inject(r"^/api/health$", "drip", times=5)
    result = project.deploy("--attempts", "2", "--timeout", "0.3")
    assert result.exit_code == 1
    line = _one_error_line(result.stderr)
    assert "unreachable (timed out: no complete answer within 0.3 s) after 2 attempts" in line


def test_the_run_deadline_bounds_retries_and_backoff(project: Project) -> None:
    project.grafana.inject(r"^/api/health$", "drip", times=100)
    result = project.deploy("--attempts", "10", "--backoff", "5", "--timeout", "0.4", "--deadline", "1")
    assert result.exit_code == 1
    line = _one_error_line(result.stderr)
    assert "the run's deadline (1 s, --deadline) passed before GET /api/health finished" in line
    assert "nothing was written" in line
    assert len(project.grafana.requests("GET", r"^/api/health$")) <= 3


def test_cancel_stops_a_hanging_request_and_a_backoff() -> None:
    from tests.emulator import GrafanaEmulator
    with GrafanaEmulator(hang_seconds=30) as grafana:
        grafana.inject(r"^/api/health$", "hang", times=1)
        grafana.inject(r"^/api/folders/", "503", times=10)
        client = GrafanaClient(ConnectionSettings(url=grafana.url, token="admin-token", timeout=20, backoff=30,
                                                  attempts=5))
        for call in (client.health, lambda: client.get_folder("toygres")):
            timer = threading.Timer(0.3, client.cancel, args=("interrupted (Ctrl-C)",))
            timer.start()
            with pytest.raises(DeployInterrupted, match=r"interrupted \(Ctrl-C\) during GET"):
                call()
            timer.join()
            client.watchdog = type(client.watchdog)()
        client.close()


def _start_deploy(project: Project, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY") and not k.startswith("GRAFANA_")}
    env.update({k: v for k, v in project.env().items() if v is not None})
    env["PYTHONPATH"] = str(REPO)
    return subprocess.Popen([sys.executable, "-m", "generator", "deploy", "--backoff", "30", "--timeout", "60",
                             *args], cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_for(predicate: Any) -> None:
    for _ in range(600):
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("the deploy never reached the expected request")


CTRL_C: dict[str, tuple[str, str, list[str]]] = {
    "while reading (hanging GET)": (r"^/api/search$", "hang", ["nothing was written"]),
    "while writing (hanging POST)": (r"^/api/dashboards/db$", "hang", ["done (", "not done (", "re-run"]),
    "during a backoff after a 503": (r"^/api/dashboards/db$", "503", ["done (", "not done ("]),
}


@pytest.mark.parametrize("path,kind,expected", CTRL_C.values(), ids=CTRL_C.keys())
def test_ctrl_c_cancels_in_flight_work_and_reports(project: Project, path: str, kind: str,
                                                   expected: list[str]) -> None:
    grafana = project.grafana
    grafana.hang_seconds = 60
    grafana.inject(path, kind, times=100, after=1 if "dashboards/db" in path else 0)
    process = _start_deploy(project, "--concurrency", "1")
    try:
        _wait_for(lambda: len(grafana.requests(None, path)) >= (2 if "dashboards/db" in path else 1))
        time.sleep(0.2)  # inside the request (or the backoff) now
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "Aborted" not in stderr
    assert "cancelling requests in flight" in stderr
    line = _one_error_line(stderr)
    assert "interrupted (Ctrl-C)" in line
    for text in expected:
        assert text in stderr
    assert TOKEN not in stdout + stderr
