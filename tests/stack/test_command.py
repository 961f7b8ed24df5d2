"""`dashgen stack`: one clear line when Docker is missing or not running; status probes each
service's health endpoint; the webhook sink records what it is sent."""

from __future__ import annotations

import json
import stat
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from generator.cli import main
from generator.prometheus.server import free_port
from generator.stack.command import probe
from generator.stack.sink import Sink
from generator.stack.topology import Service


@pytest.fixture()
def sink() -> Iterator[Sink]:
    server = Sink(("127.0.0.1", 0), echo=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _fake_docker(tmp_path: Path, info_exit: int) -> str:
    script = tmp_path / "docker"
    script.write_text(f"#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit {info_exit}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(tmp_path)


@pytest.mark.parametrize("command", ["up", "down", "status"])
@pytest.mark.parametrize("docker", ["missing", "engine-down"])
def test_one_clear_line_without_docker(command: str, docker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty") if docker == "missing" else _fake_docker(tmp_path, 1))
    with pytest.raises(SystemExit) as exit_info:
        main(["stack", command])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    expected = "Docker is not installed" if docker == "missing" else "Docker engine is not reachable"
    assert expected in err[0] and "Traceback" not in err[0]


def test_probe_tells_up_from_down(sink: Sink) -> None:
    up = Service("alert-sink", "x:1", sink.server_port, "/healthz", "")
    assert probe(up, "127.0.0.1") == (True, "HTTP 200")
    missing_path = Service("alert-sink", "x:1", sink.server_port, "/nope", "")
    assert probe(missing_path, "127.0.0.1") == (False, "HTTP 404")
    nobody = Service("grafana", "x:1", free_port(), "/api/health", "")
    ok, detail = probe(nobody, "127.0.0.1")
    assert not ok and "refused" in detail.lower()


def test_sink_records_notifications_per_receiver(sink: Sink) -> None:
    body = {"status": "firing", "alerts": [{"labels": {"alertname": "ToygresX"}}]}
    request = urllib.request.Request(f"http://127.0.0.1:{sink.server_port}/toygres-pager",
                                     data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
    with urllib.request.urlopen(f"http://127.0.0.1:{sink.server_port}/received", timeout=5) as response:
        assert json.loads(response.read()) == [{"receiver": "toygres-pager", "body": body}]
    bad = urllib.request.Request(f"http://127.0.0.1:{sink.server_port}/x", data=b"not json", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(bad, timeout=5)
    assert error.value.code == 400
    assert len(sink.snapshot()) == 1
