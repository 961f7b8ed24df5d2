"""`dashgen check --prometheus-url` against Prometheus servers we do not control: a bad URL, nothing
listening, a server that never answers, one that accepts queries and hangs, targets that do not
parse, and, with a real Prometheus scraping a real exporter, metric types from its metadata."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from generator.prometheus import server as prom_server

REPO = Path(__file__).resolve().parents[2]
EXPOSITION = b"""# HELP process_virtual_memory_bytes Virtual memory size in bytes.
# TYPE process_virtual_memory_bytes gauge
process_virtual_memory_bytes 1.0e+09
# HELP http_requests_total Requests served.
# TYPE http_requests_total counter
http_requests_total 5
"""


def dashboard(*exprs: str) -> dict[str, Any]:
    return {"uid": "live", "title": "Live", "panels": [
        {"id": i + 1, "type": "timeseries", "title": f"P{i}", "datasource": {"type": "prometheus", "uid": "x"},
         "targets": [{"refId": "A", "expr": expr}]} for i, expr in enumerate(exprs)]}


def run_check(tmp_path: Path, url: str, *exprs: str, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "d.json"
    path.write_text(json.dumps(dashboard(*(exprs or ("up",)))))
    return subprocess.run([sys.executable, "-m", "generator", "check", str(path), "--prometheus-url", url,
                           "--format", "json", *extra], cwd=REPO, capture_output=True, text=True, timeout=300)


def one_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("dashgen: error:")]
    assert len(lines) == 1 and result.returncode == 1, result.stderr
    return lines[0]


class _Silent:
    """Accepts connections and never says a word."""

    def __enter__(self) -> str:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


class _HangingQueries(BaseHTTPRequestHandler):
    """Answers the probe like Prometheus, then holds every query until the test ends."""

    release = threading.Event()

    def log_message(self, *args: Any) -> None:
        return

    def _handle(self) -> None:
        if self.path.startswith("/api/v1/status/buildinfo"):
            body = json.dumps({"status": "success", "data": {"version": "2.42.0"}}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.release.wait(60)

    do_GET = do_POST = _handle


@pytest.fixture
def hanging() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HangingQueries)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        _HangingQueries.release.set()
        server.shutdown()
        server.server_close()


BAD_SERVERS: dict[str, tuple[str, str]] = {
    "not a url": ("not a url", "--prometheus-url must be an http(s) URL such as http://localhost:9090, got 'not a url'"),
    "no scheme": ("localhost:9090", "--prometheus-url must be an http(s) URL"),
    "nothing listening": ("http://127.0.0.1:9", "Prometheus at http://127.0.0.1:9 is unreachable (connection refused); nothing was checked"),
}


@pytest.mark.parametrize("url,expected", BAD_SERVERS.values(), ids=BAD_SERVERS.keys())
def test_bad_urls_and_dead_servers_are_one_line(tmp_path: Path, url: str, expected: str) -> None:
    assert expected in one_error(run_check(tmp_path, url, "up", "rate(http_requests_total[5m])"))


def test_a_server_that_never_answers_is_one_line(tmp_path: Path) -> None:
    with _Silent() as url:
        line = one_error(run_check(tmp_path, url, "up", "up * 2"))
    assert f"Prometheus at {url} is unreachable (no answer within 5 s); nothing was checked" in line


def test_queries_that_never_answer_are_bounded_by_the_run_deadline(tmp_path: Path, hanging: str) -> None:
    line = one_error(run_check(tmp_path, hanging, "up", "up * 2", "up * 3", extra=("--deadline", "2")))
    assert f"Prometheus at {hanging} did not answer" in line and "within the run's deadline (--deadline)" in line


@pytest.fixture(scope="module")
def scraping_prometheus() -> Iterator[str]:
    """A real Prometheus scraping a real exporter once a second, with its metadata in."""
    class Exporter(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(EXPOSITION)))
            self.end_headers()
            self.wfile.write(EXPOSITION)

    exporter = ThreadingHTTPServer(("127.0.0.1", 0), Exporter)
    threading.Thread(target=exporter.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as data, \
            prom_server.running(Path(data), scrape=[f"127.0.0.1:{exporter.server_address[1]}"]) as prometheus:
        for _ in range(300):
            with urllib.request.urlopen(f"{prometheus.url}/api/v1/metadata", timeout=5) as response:
                if "process_virtual_memory_bytes" in json.loads(response.read())["data"]:
                    break
            time.sleep(0.1)
        else:
            raise AssertionError("Prometheus never scraped the exporter")
        yield prometheus.url
    exporter.shutdown()


LIVE: dict[str, tuple[str, str, bool]] = {
    "rate on a gauge outside the catalogue": ("sum(rate(process_virtual_memory_bytes[5m]))", "query/rate-on-gauge", True),
    "irate on the same gauge": ("irate(process_virtual_memory_bytes[1m])", "query/rate-on-gauge", True),
    "rate on a counter": ("sum(rate(http_requests_total[5m]))", "query/rate-on-gauge", False),
    "the gauge read directly": ("process_virtual_memory_bytes", "query/rate-on-gauge", False),
    "a metric the server does not know": ("rate(nowhere_total[5m])", "query/rate-on-gauge", False),
    "a target that does not parse is reported": ("sum(rate(http_requests_total[5m])", "promql/parse", True),
    "an unknown variable format is reported": ('up{job=~"${job:nope}"}', "dashboard/variable-format", True),
}


@pytest.mark.parametrize("expr,rule,fires", LIVE.values(), ids=LIVE.keys())
def test_against_a_real_scraping_prometheus(tmp_path: Path, scraping_prometheus: str, expr: str, rule: str,
                                            fires: bool) -> None:
    result = run_check(tmp_path, scraping_prometheus, expr)
    assert "Traceback" not in result.stderr and "dashgen: error" not in result.stderr, result.stderr
    problems = json.loads(result.stdout)
    hits = [p for p in problems if p["rule"] == rule]
    assert bool(hits) is fires, problems
    if fires:
        assert hits[0]["panel_id"] == 1 and hits[0]["target"] == "A"
