"""--serve: live /metrics on 127.0.0.1 scraped over loopback, and Loki pushes received by a
tiny local HTTP server."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from generator import config as config_module
from generator.config import Config
from generator.prometheus import server as prom_server
from generator.prometheus.client import Client
from generator.sim.options import build_options
from generator.sim.serve import LiveServer


def _options(**changes):
    return build_options(Config(), end_ts=int(time.time()) + 3600, duration_seconds=3600, **changes)


def _scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as reply:
        assert reply.status == 200
        return reply.read().decode()


@pytest.mark.parametrize("era, endpoints, marker", [
    ("E2", 2, "duroxide_orchestration_starts_total{"),
    ("E1", 1, 'service_name="toygres"'),
], ids=["E2-one-endpoint-per-replica", "E1-one-collector-endpoint"])
def test_live_endpoint_advances(era, endpoints, marker):
    server = LiveServer(_options(era=era, replicas=2), speed=120.0)
    urls = server.start()
    try:
        assert len(urls) == endpoints and all(u.startswith("http://127.0.0.1:") for u in urls)
        first = _scrape(urls[0])
        assert marker in first and "duroxide_active_orchestrations" in first
        if era == "E1":
            # The collector's exporter: no label names a process (the replicas share series).
            assert 'instance="' not in first and first.count("duroxide_active_orchestrations{") == 1
        time.sleep(1.0)  # two simulated minutes
        assert server.simulated_seconds() >= 60.0
        later = _scrape(urls[0])
        assert later != first
    finally:
        server.stop()


class _Sink(BaseHTTPRequestHandler):
    bodies: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server API)
        length = int(self.headers["Content-Length"])
        type(self).bodies.append({"path": self.path, "body": json.loads(self.rfile.read(length))})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


def test_loki_push_reaches_a_local_server():
    sink = HTTPServer(("127.0.0.1", 0), _Sink)
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    _Sink.bodies = []
    server = LiveServer(_options(), speed=120.0, loki_url=f"http://127.0.0.1:{sink.server_port}",
                        until_seconds=240.0)
    try:
        server.start()
        deadline = time.monotonic() + 15
        while not server.finished() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.finished()
    finally:
        server.stop()
        sink.shutdown()
        sink.server_close()
    assert _Sink.bodies and {b["path"] for b in _Sink.bodies} == {"/loki/api/v1/push"}
    streams = [s for b in _Sink.bodies for s in b["body"]["streams"]]
    assert {tuple(sorted(s["stream"])) for s in streams} == {("job", "level", "source")}
    lines = [line for s in streams for _, line in s["values"]]
    assert any("INFO duroxide::orchestration: Health check complete" in line for line in lines)


@pytest.mark.skipif(not shutil.which("prometheus"), reason="prometheus is needed")
def test_aks_serve_is_scraped_twice_like_the_backfill(tmp_path):
    """--env aks (second_scrape_job, scrape_target_labels): a real Prometheus scraping the live
    endpoints with LiveServer.scrape_configs() stores every series under job="toygres" and
    job="kubernetes-pods", both with the target labels: what the backfilled output holds
    (model.double_scrape) and what the reference's AKS deployment does ("Deployment")."""
    aks = config_module.load("aks")
    options = build_options(aks, end_ts=int(time.time()) + 3600, duration_seconds=3600, replicas=2)
    server = LiveServer(options, speed=30.0)
    urls = server.start()
    try:
        assert len(urls) == 4, "each process has its service endpoint and its pod endpoint"
        jobs = server.scrape_configs()
        assert [j["job_name"] for j in jobs] == [aks.job, aks.second_scrape_job]
        with prom_server.running(tmp_path / "tsdb", scrape_configs=jobs) as prom:
            client = Client(prom.url)
            family = "duroxide_orchestration_starts_total"
            deadline = time.monotonic() + 30
            by_job: dict[str, set] = {}
            while time.monotonic() < deadline:
                series = client.query(family, time.time())
                by_job = {}
                for s in series:
                    rest = frozenset((k, v) for k, v in s.labels.items() if k not in ("job", "instance"))
                    by_job.setdefault(s.labels["job"], set()).add(rest)
                # Both jobs scrape at their own instants: wait for a moment both hold the same set.
                if len(by_job) == 2 and by_job.get("toygres") == by_job.get("kubernetes-pods"):
                    break
                time.sleep(0.5)
    finally:
        server.stop()
    assert set(by_job) == {"toygres", "kubernetes-pods"}
    # The same series (apart from job and instance) under both jobs, with the target labels.
    assert by_job["toygres"] == by_job["kubernetes-pods"]
    assert all(dict(labels).get("service") == "toygres" and dict(labels).get("component") == "server"
               for labels in by_job["toygres"])
