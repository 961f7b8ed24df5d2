"""The OpenMetrics output backfills with the real promtool, and a real Prometheus answers
queries on it with the ground truth's values."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from tests.sim.helpers import END, simulate

pytestmark = pytest.mark.skipif(not (shutil.which("promtool") and shutil.which("prometheus")),
                                reason="promtool and prometheus are needed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    """A Prometheus on 127.0.0.1 serving a 3-replica E2 run backfilled with promtool."""
    result = simulate(replicas=3, duration_seconds=3600)
    root = tmp_path_factory.mktemp("prom")
    result.write(root / "out")
    tsdb = root / "tsdb"
    backfill = subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics",
                               str(root / "out" / "metrics.om"), str(tsdb)], capture_output=True, text=True)
    assert backfill.returncode == 0, backfill.stderr
    config = root / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 15s\nscrape_configs: []\n")
    port = _free_port()
    proc = subprocess.Popen(["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tsdb}",
                             f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=100y"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/-/ready", timeout=1) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "prometheus did not become ready"
            time.sleep(0.2)
        yield base, result
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _query(base: str, expr: str, at: int) -> float:
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr, "time": at})
    with urllib.request.urlopen(url, timeout=10) as reply:
        body = json.load(reply)
    assert body["status"] == "success", body
    (sample,) = body["data"]["result"]
    return float(sample["value"][1])


@pytest.mark.parametrize("offset", [0, 600, 1800], ids=["end", "end-10m", "end-30m"])
def test_max_of_active_gauge_matches_truth_at_a_poll(prometheus, offset):
    """Every process reports the store's global count after its 60 s poll: max reads it,
    a sum reads 3x (these instants are poll instants: 60 s multiples from start-up)."""
    base, result = prometheus
    # Each process is scraped a few seconds (< 15) before the instant its sample is stamped
    # with: the samples stamped poll + 15 are the first taken after the poll, each the poll's
    # count minus that process's completions since.
    poll = END - offset - 60
    records = {r["ts"]: r for r in result.truth}
    truth = records[poll]["active"]["total"]
    ended = sum(o["success"] + o["failed"] for o in records[poll + 15]["orchestrations"].values()) - \
        sum(o["success"] + o["failed"] for o in records[poll]["orchestrations"].values())
    assert truth - ended <= _query(base, "max(duroxide_active_orchestrations)", poll + 15) <= truth
    assert 3 * truth - ended <= _query(base, "sum(duroxide_active_orchestrations)", poll + 15) <= 3 * truth


def test_three_replicas_are_three_targets(prometheus):
    base, _ = prometheus
    assert _query(base, 'count(duroxide_active_orchestrations{job="toygres"})', END) == 3


def test_unguarded_sum_double_counts_in_e2(prometheus):
    base, _ = prometheus
    ratio = _query(base, 'sum(duroxide_activity_executions_total) / '
                         'sum(duroxide_activity_executions_total{activity_name!=""})', END)
    assert ratio == pytest.approx(2.0, rel=0.01)
