"""Backfill an OpenMetrics file into a fresh TSDB and run a private Prometheus on loopback."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from generator.errors import DashgenError

READY_TIMEOUT_SECONDS = 60.0


class PrometheusError(DashgenError):
    """Prometheus or promtool is missing, failed, or did not become ready."""


@dataclass(frozen=True)
class Server:
    url: str
    data_dir: Path


def require(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        raise PrometheusError(f"{binary} not found: install it with `apt-get install -y --no-install-recommends prometheus`")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def backfill(openmetrics: Path, data_dir: Path) -> None:
    """`promtool tsdb create-blocks-from openmetrics` into data_dir (seconds timestamps, # EOF)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [require("promtool"), "tsdb", "create-blocks-from", "openmetrics", str(openmetrics), str(data_dir)],
        capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise PrometheusError(f"promtool backfill of {openmetrics} failed: {last[0]}")


def _config(path: Path, rule_files: Sequence[Path], evaluation_interval: str,
            scrape: Sequence[str] = (), scrape_configs: Sequence[Mapping[str, Any]] = ()) -> Path:
    lines = ["global:", "  scrape_interval: 15s", f"  evaluation_interval: {evaluation_interval}"]
    if rule_files:
        lines.append("rule_files:")
        lines.extend(f"  - {p.resolve()}" for p in rule_files)
    if scrape:
        # Live targets (host:port, scraped every second): for tests of what only scraping gives,
        # such as the /api/v1/metadata metric types.
        lines += ["scrape_configs:", "  - job_name: scraped", "    scrape_interval: 1s", "    static_configs:",
                  "      - targets: [" + ", ".join(f"'{t}'" for t in scrape) + "]"]
    elif scrape_configs:
        # Whole scrape jobs (JSON is YAML), e.g. LiveServer.scrape_configs(), scraped every second.
        lines.append("scrape_configs: " + json.dumps([{"scrape_interval": "1s", **job} for job in scrape_configs]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@contextlib.contextmanager
def running(data_dir: Path, rule_files: Sequence[Path] = (), evaluation_interval: str = "15s",
            lookback: str = "5m", scrape: Sequence[str] = (),
            scrape_configs: Sequence[Mapping[str, Any]] = ()) -> Iterator[Server]:
    """A Prometheus serving data_dir on a free loopback port; stopped on exit, error or Ctrl-C."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="dashgen-prom-cfg-") as cfg_dir:
        config = _config(Path(cfg_dir) / "prometheus.yml", rule_files, evaluation_interval, scrape, scrape_configs)
        log = open(Path(cfg_dir) / "prometheus.log", "w+", encoding="utf-8")
        process = subprocess.Popen(
            [require("prometheus"), f"--config.file={config}", f"--storage.tsdb.path={data_dir}",
             f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=100y",
             f"--query.lookback-delta={lookback}", "--query.max-concurrency=8",
             "--web.enable-lifecycle"],
            stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, process, log)
            yield Server(url, data_dir)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: object) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)  # type: ignore[attr-defined]
            tail = log.read().strip().splitlines()[-3:]  # type: ignore[attr-defined]
            raise PrometheusError(f"prometheus exited with code {process.returncode}: {' | '.join(tail)}")
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise PrometheusError(f"prometheus at {url} not ready after {READY_TIMEOUT_SECONDS:.0f}s")

