"""AKS scrapes Toygres twice (job="toygres" and job="kubernetes-pods", reference "Deployment"):
in a real Prometheus over the simulator's `--env aks` data, a query that does not select the
job reads 2x, and the bundled dashboard query (job=~"$job") reads 1x, the ground truth."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from generator.config import load
from generator.parsers.macros import substitute
from generator.prometheus.client import Client
from generator.prometheus.server import backfill, running
from generator.sim import run
from generator.walker.contexts import variable_values
from tests.sim.helpers import END

pytestmark = pytest.mark.skipif(not (shutil.which("promtool") and shutil.which("prometheus")),
                                reason="promtool and prometheus are needed")

ROOT = Path(__file__).resolve().parents[2]
PANEL = ("toygres-queues-workers", "Orchestration turns processed")
CREATE = "toygres-orchestrations::orchestration::create-instance"
ACTOR = "toygres-orchestrations::orchestration::instance-actor"


def _bundled_query() -> str:
    """The compiled panel's query with its variables at their defaults ($job = toygres)."""
    uid, title = PANEL
    data = json.loads((ROOT / "observability" / "grafana" / "dashboards" / f"{uid}.json").read_text())
    panels = [p for row in data["panels"] for p in [row, *(row.get("panels") or [])]]
    (panel,) = [p for p in panels if p.get("title") == title]
    return substitute(panel["targets"][0]["expr"], variable_values(data), interval_seconds=15,
                      rate_interval_seconds=60, range_seconds=3600)


def _without_job(query: str) -> str:
    return re.sub(r'job=~?"[^"]*",?\s*', "", query)


@pytest.fixture(scope="module")
def aks(tmp_path_factory):
    result = run(["healthy"], load("aks"), end_ts=END, duration_seconds=3600, seed=7)
    root = tmp_path_factory.mktemp("aks")
    result.write(root / "out")
    backfill(root / "out" / "metrics.om", root / "tsdb")
    with running(root / "tsdb") as server:
        yield Client(server.url), result


def _value(client: Client, expr: str, at: float) -> float:
    (series,) = client.query(expr, at)
    return series.samples[0][1]


def test_every_series_is_there_for_both_jobs(aks) -> None:
    client, result = aks
    jobs = client.label_values("job", "duroxide_worker_queue_depth", END - 3600, END)
    assert jobs == ["kubernetes-pods", "toygres"]
    (labels,) = [s.labels for s in client.query('duroxide_worker_queue_depth{job="toygres"}', END)]
    assert labels["service"] and labels["component"]


def test_unselected_query_reads_double_and_bundled_reads_once(aks) -> None:
    client, result = aks
    bundled = _bundled_query()
    assert 'job=~"toygres"' in bundled, bundled
    at = END - 60
    once, twice = _value(client, bundled, at), _value(client, _without_job(bundled), at)
    assert once > 0
    assert twice == pytest.approx(2 * once, rel=1e-6)


def test_bundled_selector_reads_the_truth(aks) -> None:
    """Turns over the last 30 minutes: Prometheus' increase() with the job vs the true count."""
    client, result = aks
    by_ts = {r["ts"]: r for r in result.truth}
    start, end = END - 1800, END
    names = (CREATE, ACTOR)
    truth = sum(by_ts[end]["orchestrations"][n]["turns"] - by_ts[start]["orchestrations"][n]["turns"] for n in names)
    selector = 'orchestration_name=~"{}"'.format("|".join(names))
    once = _value(client, f'sum(increase(duroxide_orchestration_starts_total{{job="toygres", {selector}}}[30m]))', end)
    twice = _value(client, f"sum(increase(duroxide_orchestration_starts_total{{{selector}}}[30m]))", end)
    # increase() extrapolates over the window edges: a few percent either way.
    assert once == pytest.approx(truth, rel=0.05)
    assert twice == pytest.approx(2 * truth, rel=0.05)
