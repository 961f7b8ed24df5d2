"""E1 as Prometheus really stored it: through duroxide <= v0.1.14's OTel collector (reference,
shared/reference/duroxide-metrics.md, "The E1 era in detail"), checked with PromQL in a real
Prometheus over the simulator's backfilled output.

Four runs share one TSDB, each in its own day so their series never meet:
two replicas (healthy), one replica restarting, database-slow (failed acks), and a process
started into a week-old fleet, whose continue_as_new_total passes the SDK's 2000 label sets per
instrument within the hour.
"""

from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from typing import Any

import pytest

from generator.prometheus.server import backfill, running
from tests.sim.helpers import END, metrics, select, simulate

pytestmark = pytest.mark.skipif(not (shutil.which("promtool") and shutil.which("prometheus")),
                                reason="promtool and prometheus are needed")

DAY = 86_400
HEALTH = 'activity_name="toygres-orchestrations::activity::cms-record-health-check", outcome="success"'
# The reference: "The SDK keeps at most 2000 label sets per instrument".
SDK_LABEL_SETS = 2000
RUNS = {
    "two-replicas": dict(scenarios=["healthy"], era="E1", replicas=2, end_ts=END),
    "restart": dict(scenarios=["replica-restart"], era="E1", end_ts=END + 2 * DAY),
    "database-slow": dict(scenarios=["database-slow"], era="E1", end_ts=END + 4 * DAY),
    # Actors a week old sit at distinct execution ids: each cycle of each of the ~30 actors is a
    # new label set (~3,500 an hour), so 2000 are passed in the first hour. (From execution 1,
    # a fleet shares its ids and needs ~12-20 hours.)
    "overflow": dict(scenarios=["healthy"], era="E1", end_ts=END + 6 * DAY, duration_seconds=2 * 3600,
                     fleet_age_seconds=7 * DAY),
}


def _run(name: str) -> Any:
    spec = dict(RUNS[name])
    return simulate(spec.pop("scenarios"), **spec)


@pytest.fixture(scope="module")
def prom(tmp_path_factory):
    root = tmp_path_factory.mktemp("e1")
    tsdb = root / "tsdb"
    for name in RUNS:
        _run(name).write(root / name)
        backfill(root / name / "metrics.om", tsdb)
    with running(tsdb) as server:
        yield server.url


def query(base: str, expr: str, at: int) -> list[dict[str, Any]]:
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr, "time": at})
    with urllib.request.urlopen(url, timeout=30) as reply:
        body = json.load(reply)
    assert body["status"] == "success", body
    return body["data"]["result"]


def scalar(base: str, expr: str, at: int) -> float:
    (sample,) = query(base, expr, at)
    return float(sample["value"][1])


@pytest.mark.parametrize("expr", [
    'count by (instance, job) ({__name__=~"duroxide_.+"})',
    "count by (instance, job) (up)",
], ids=["duroxide-series", "up"])
def test_two_replicas_are_one_collector_target(prom, expr):
    (group,) = query(prom, expr, END)
    assert group["metric"] == {"instance": "otel-collector:8889", "job": "otel-collector"}


def test_replicas_overwrite_one_series_so_the_counter_jumps(prom):
    """No label names the process: both write the same series, the last push wins, and the
    counter falls back whenever the other process pushed last (no process restarted)."""
    counter = f"duroxide_activity_executions_total{{{HEALTH}}}"
    assert scalar(prom, f"count({counter})", END) == 1
    assert scalar(prom, f"resets({counter}[50m])", END) > 10
    exposed = scalar(prom, counter, END)
    own = [m.vals[m.slots[(name, labels)]] for m in _run("two-replicas").recorder.replicas
           for name, labels in m.slots if name == "duroxide_activity_executions_total"
           and dict(labels).get("outcome") == "success" and dict(labels)["activity_name"].endswith("health-check")]
    assert len(own) == 2
    # One process's own count (pushed up to 10 s before the scrape), never the fleet's sum.
    assert exposed <= max(own) and exposed < sum(own)


def test_one_replica_without_restart_never_resets(prom):
    at = RUNS["overflow"]["end_ts"]
    assert scalar(prom, f"resets(duroxide_activity_executions_total{{{HEALTH}}}[1h])", at) == 0


def test_up_is_the_collectors_through_a_toygres_crash(prom):
    at = RUNS["restart"]["end_ts"]
    assert scalar(prom, "min_over_time(up[1h])", at) == 1
    # The collector keeps the crashed process's last samples: no gap in any duroxide series...
    scrapes = scalar(prom, "count_over_time(up[1h])", at)
    assert scalar(prom, "count_over_time(duroxide_worker_queue_depth[1h])", at) == scrapes
    # ... and the restarted process's fresh counters overwrite them (a reset).
    assert scalar(prom, f"resets(duroxide_activity_executions_total{{{HEALTH}}}[1h])", at) >= 1


@pytest.mark.parametrize("selector", [
    '{__name__=~"duroxide_.+", outcome="infra_error"}',
    'duroxide_activity_executions_total{activity_name=""}',
    'duroxide_orchestration_failures_total{orchestration_name=""}',
    "duroxide_activity_infrastructure_errors_total",
    "duroxide_orchestration_infrastructure_errors_total",
    '{__name__=~"duroxide_(orchestration|activity)_poison_total"}',
], ids=["infra-error-outcome", "executions-twin", "failures-twin", "activity-infra-errors", "orch-infra-errors",
        "poison"])
def test_e1_exports_no_twins_infra_error_or_poison(prom, selector):
    assert query(prom, f"count(last_over_time({selector}[1h]))", RUNS["database-slow"]["end_ts"]) == []


def test_the_same_faults_in_e2_do_record_them():
    """The E1 absence above is not vacuous: database-slow fails acks in E2 (same seed)."""
    spec = dict(RUNS["database-slow"], era="E2", end_ts=END)
    result = simulate(spec.pop("scenarios"), **spec)
    executions = metrics(result, "duroxide_activity_executions_total")
    assert sum(s.last for s in select(executions, outcome="infra_error")) > 0
    assert select(metrics(result, "duroxide_orchestration_failures_total"), orchestration_name=None)


def test_continue_as_new_overflows_past_the_sdks_label_sets(prom):
    at = RUNS["overflow"]["end_ts"]
    family = "duroxide_orchestration_continue_as_new_total"
    assert scalar(prom, f'count({family}{{execution_id!=""}})', at) == SDK_LABEL_SETS
    (overflow,) = query(prom, f'{family}{{otel_metric_overflow="true"}}', at)
    assert not {"orchestration_name", "execution_id"} & set(overflow["metric"])
    assert float(overflow["value"][1]) > 0


def test_after_overflow_sum_by_orchestration_name_undercounts(prom):
    """Every continue-as-new is one continuedAsNew completion (a different instrument, far from
    its limit): after the overflow the named series miss some; with the overflow series the
    count is whole again."""
    at = RUNS["overflow"]["end_ts"]

    def hour(selector: str) -> float:
        return scalar(prom, f"sum({selector}) - (sum({selector} @ {at - 3600}) or vector(0))", at)

    completions = hour('duroxide_orchestration_completions_total{status="continuedAsNew"}')
    named = hour('duroxide_orchestration_continue_as_new_total{orchestration_name!=""}')
    overflowed = hour('duroxide_orchestration_continue_as_new_total{otel_metric_overflow="true"}')
    assert completions > 100
    assert named < completions and overflowed > 0
    assert named + overflowed == completions
