"""duroxide's recording semantics, checked through PromQL in a real Prometheus over the exported
data, against expectations derived from the reference (duroxide-metrics.md) and the workload it
describes, never from the constants the recorder writes."""

from __future__ import annotations

import shutil
from typing import Any, Iterator

import pytest

from generator.config import Config
from generator.pipeline import Dataset, ScenarioSpec, Served, served, staggered

pytestmark = pytest.mark.skipif(not (shutil.which("promtool") and shutil.which("prometheus")),
                                reason="promtool and prometheus are needed")

HOUR = 3600
ACTOR = "toygres-orchestrations::orchestration::instance-actor"
# The reference's instance-actor cycle: start, four activities (cms-get-instance-connection,
# test-connection, cms-record-health-check, cms-update-instance-health), a 30 s timer, then
# continue-as-new: each arrival is a turn, so at least 6 turns per execution.
ACTOR_TURNS_PER_CYCLE = 6


@pytest.fixture(scope="module")
def prom() -> Iterator[Served]:
    specs = [ScenarioSpec.parse("healthy"), ScenarioSpec.parse("activity-failure-storm")]
    datasets = staggered(specs, end_ts=1_732_665_600, duration_seconds=HOUR + 1800, seed=7, step=15)
    with served(datasets, Config()) as running:
        yield running


def _one(prom: Served, run: Any, expr: str) -> float:
    """The query's single value at the end of the run's window (0 when empty)."""
    series = prom.client().query(expr, run.end)
    assert len(series) <= 1, expr
    return series[0].samples[-1][1] if series else 0.0


def _truth_delta(run: Any, get: Any, window: float) -> float:
    return float(get(run.truth_at(run.end)) - get(run.truth_at(run.end - window)))


def test_starts_count_turns_not_instances(prom: Served) -> None:
    """Every processed batch is a turn: an actor's cycle alone is >= 6 starts, so the starts
    of the actors far exceed their executions (continue-as-new count)."""
    healthy = prom.runs[0]
    starts = _one(prom, healthy, f'sum(increase(duroxide_orchestration_starts_total{{orchestration_name="{ACTOR}"}}[1h]))')
    cycles = _truth_delta(healthy, lambda s: s["orchestrations"][ACTOR]["continuedAsNew"], HOUR)
    assert cycles > 100
    assert starts >= (ACTOR_TURNS_PER_CYCLE - 1) * cycles


def test_final_turn_count_ignores_the_real_turns(prom: Served) -> None:
    """duroxide passes turn_count=1, so every completion lands in "1-5" although an actor's
    execution really takes >= 6 turns (truth: committed turns per execution)."""
    healthy = prom.runs[0]
    buckets = prom.client().query('count by (final_turn_count) (duroxide_orchestration_completions_total)', healthy.end)
    turns = _truth_delta(healthy, lambda s: s["orchestrations"][ACTOR]["turns"], HOUR)
    executions = _truth_delta(healthy, lambda s: s["orchestrations"][ACTOR]["continuedAsNew"], HOUR)
    assert turns / executions > 5
    assert [s.labels.get("final_turn_count") for s in buckets] == ["1-5"]


def test_turns_histogram_records_one_per_terminal_turn(prom: Served) -> None:
    """orchestration_turns observes 1 on every terminal turn: its sum equals its count, one per
    completion (the true turns per execution are many more)."""
    healthy = prom.runs[0]
    observed = _one(prom, healthy, "sum(increase(duroxide_orchestration_turns_sum[1h]))")
    count = _one(prom, healthy, "sum(increase(duroxide_orchestration_turns_count[1h]))")
    completions = _one(prom, healthy, "sum(increase(duroxide_orchestration_completions_total[1h]))")
    assert count > 100 and observed == pytest.approx(count) and count == pytest.approx(completions)


def test_retries_are_separate_executions_with_retry_attempt_zero(prom: Served) -> None:
    """test-connection runs under a retry policy; in the failure storm it really fails and is
    retried many times, yet no series carries retry_attempt other than "0"."""
    storm = prom.runs[1]
    retried = _truth_delta(storm, lambda s: s["activities"]["toygres-orchestrations::activity::test-connection"]["app_error"],
                           storm.end - storm.start)
    other = prom.client().query('count(duroxide_activity_executions_total{retry_attempt=~".+", retry_attempt!="0"})', storm.end)
    assert retried > 50 and other == []


def test_e2_counts_each_acked_execution_twice(prom: Served) -> None:
    """After a successful ack E2 records the execution again with only `outcome`: the unlabelled
    series increase by the true acked executions (success and app_error, not cancelled)."""
    healthy = prom.runs[0]
    unlabelled = _one(prom, healthy, 'sum(increase(duroxide_activity_executions_total{activity_name=""}[1h]))')
    labelled = _one(prom, healthy, 'sum(increase(duroxide_activity_executions_total{activity_name!=""}[1h]))')
    true = _truth_delta(healthy, lambda s: sum(v["success"] + v["app_error"] for v in s["activities"].values()), HOUR)
    # increase() extrapolates over the hour and cannot see a series' first sample: a few percent.
    assert unlabelled == pytest.approx(true, rel=0.05) and labelled == pytest.approx(true, rel=0.05)


def test_active_gauge_does_not_move_on_continue_as_new(prom: Served) -> None:
    """Hundreds of continue-as-new in the hour, yet the gauge changes only as instances really
    start or end (and, from 0.1.18, at a 60 s poll): far fewer changes than cycles."""
    healthy = prom.runs[0]
    changes = _one(prom, healthy, "sum(changes(duroxide_active_orchestrations[1h]))")
    cycles = _one(prom, healthy, 'sum(increase(duroxide_orchestration_completions_total{status="continuedAsNew"}[1h]))')
    ended = _truth_delta(healthy, lambda s: sum(v["success"] + v["failed"] for v in s["orchestrations"].values()), HOUR)
    assert cycles > 100
    assert changes <= 2 * ended + 60 < cycles / 2
