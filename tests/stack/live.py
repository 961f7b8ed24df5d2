"""Real programs on 127.0.0.1 for the live stack tests: the served simulator, Prometheus,
Alertmanager and VictoriaMetrics, each on a free port, each stopped by the context manager."""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from generator.prometheus.server import free_port
from tests.stack.validators import tool

T = TypeVar("T")


def get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read() if response.status == 200 else None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, process: subprocess.Popen[bytes] | None = None,
             log: Path | None = None) -> T:
    """Poll until probe() returns a value; fail naming `what` (with the log's tail) otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.5)
    tail = log.read_text(errors="replace").strip().splitlines()[-5:] if log and log.exists() else []
    raise AssertionError(f"{what} did not happen within {timeout:.0f}s: {' | '.join(tail)}")


@contextlib.contextmanager
def process(name: str, args: list[str], log: Path, ready_url: str | None = None,
            ready_timeout: float = 60) -> Iterator[subprocess.Popen[bytes]]:
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    try:
        if ready_url:
            wait_for(f"{name} ready at {ready_url}", lambda: get(ready_url), ready_timeout, proc, log)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def simulator(workdir: Path, scenario: str, speed: float, fault_start: str, port: int) -> Iterator[str]:
    """`dashgen simulate --serve` on 127.0.0.1:port; yields the /metrics URL."""
    url = f"http://127.0.0.1:{port}/metrics"
    args = [tool("dashgen"), "simulate", "--serve", "--scenario", scenario, "--speed", str(speed),
            "--fault-start", fault_start, "--port", str(port), "--seed", "3"]
    with process("the simulator", args, workdir / "simulator.log", ready_url=url):
        yield url


@contextlib.contextmanager
def prometheus(workdir: Path, config_file: Path, port: int) -> Iterator[str]:
    url = f"http://127.0.0.1:{port}"
    args = [tool("prometheus"), f"--config.file={config_file}", f"--storage.tsdb.path={workdir / 'prom-data'}",
            f"--web.listen-address=127.0.0.1:{port}"]
    with process("prometheus", args, workdir / "prometheus.log", ready_url=f"{url}/-/ready"):
        yield url


@contextlib.contextmanager
def alertmanager(workdir: Path, config_file: Path, port: int) -> Iterator[str]:
    url = f"http://127.0.0.1:{port}"
    # An empty cluster address turns gossip off (it would listen on every interface).
    args = [tool("prometheus-alertmanager"), f"--config.file={config_file}",
            f"--storage.path={workdir / 'am-data'}", f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address="]
    with process("alertmanager", args, workdir / "alertmanager.log", ready_url=f"{url}/-/ready"):
        yield url


@contextlib.contextmanager
def victoria_metrics(workdir: Path, config_file: Path, port: int) -> Iterator[str]:
    """VictoriaMetrics scraping with the same prometheus.yml. It ignores rule_files and
    alerting (its vmalert would evaluate rules), hence strictParse=false."""
    url = f"http://127.0.0.1:{port}"
    args = [tool("victoria-metrics"), f"-promscrape.config={config_file}", "-promscrape.config.strictParse=false",
            f"-storageDataPath={workdir / 'vm-data'}", f"-httpListenAddr=127.0.0.1:{port}",
            "-retentionPeriod=1d",
            "-loggerLevel=WARN"]
    with process("victoria-metrics", args, workdir / "victoria-metrics.log", ready_url=f"{url}/health"):
        yield url


def query(url: str, expr: str, at: float | None = None) -> list[dict[str, Any]]:
    params = {"query": expr, **({"time": f"{at:.3f}"} if at is not None else {})}
    data = get(f"{url}/api/v1/query?" + urllib.parse.urlencode(params))
    return json.loads(data)["data"]["result"] if data else []


__all__ = ["alertmanager", "free_port", "get", "prometheus", "query", "simulator", "victoria_metrics", "wait_for"]
