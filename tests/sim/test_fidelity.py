"""The simulator reproduces duroxide v0.1.26 and Toygres as they really run, proven with PromQL
over the exported data in a real Prometheus. Every expectation comes from
shared/reference/duroxide-metrics.md (file:line of duroxide's source in the comments), not from
the simulator's constants."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from generator.prometheus import server
from generator.prometheus.client import Client
from tests.sim.helpers import END, simulate

pytestmark = pytest.mark.skipif(not (shutil.which("promtool") and shutil.which("prometheus")),
                                reason="promtool and prometheus are needed")

# Each run gets its own window, 2 h apart (longer than a run plus the 5 m lookback).
SPACING = 4 * 3600
FAULT = {"fault_start_seconds": 1200}
RUNS: dict[str, dict[str, Any]] = {
    "burst": {"scenarios": ["burst"], "duration_seconds": 3600, **FAULT},
    "three": {"scenarios": ["healthy"], "duration_seconds": 3600, "replicas": 3},
    "unregistered": {"scenarios": ["unregistered-activity"], "duration_seconds": 4800, **FAULT},
    "slow": {"scenarios": ["database-slow"], "duration_seconds": 4800, **FAULT},
    "locks": {"scenarios": ["store-lock-contention"], "duration_seconds": 4800, **FAULT},
    "e1": {"scenarios": ["healthy"], "duration_seconds": 3600, "era": "E1"},
    # The last release that executed an unregistered activity as a configuration error, and the
    # first that abandons it with backoff instead (commit 254b970).
    "e1-v0.1.9": {"scenarios": ["unregistered-activity"], "duration_seconds": 3600, "era": "E1",
                  "duroxide_version": "0.1.9", **FAULT},
    "e1-v0.1.10": {"scenarios": ["unregistered-activity"], "duration_seconds": 3600, "era": "E1",
                   "duroxide_version": "0.1.10", **FAULT},
    "e1-v0.1.9-orchestration": {"scenarios": ["unregistered-orchestration"], "duration_seconds": 3600,
                                "era": "E1", "duroxide_version": "0.1.9", **FAULT},
    # E2 before the gauge poller (v0.1.18, commit 072c983).
    "e2-v0.1.17": {"scenarios": ["healthy"], "duration_seconds": 3600, "duroxide_version": "0.1.17"},
    "down": {"scenarios": ["database-down"], "duration_seconds": 3600, **FAULT},
}
# Toygres' runtime options (toygres-server main.rs): 2 orchestration slots, 10 worker slots,
# dispatcher_min_poll_interval 1 s; duroxide's gauge_poll_interval default is 60 s.
GAUGE_POLL = 60
POLL_INTERVAL = 1.0
ORCH_SLOTS = 2
WORKER_SLOTS = 10
CREATE = 'orchestration_name="toygres-orchestrations::orchestration::create-instance"'


class Runs:
    """The simulated runs (with their truth) and a client on the Prometheus serving them all."""

    def __init__(self, client: Client, results: dict[str, Any]) -> None:
        self.client = client
        self.results = results

    def end(self, name: str) -> int:
        return END - list(RUNS).index(name) * SPACING

    def onset(self, name: str) -> int:
        return int(self.results[name].header["onset"])

    def scalar(self, expr: str, at: float) -> float | None:
        series = self.client.query(expr, at)
        return series[0].samples[-1][1] if series else None

    def range(self, expr: str, start: float, end: float, step: float = 15) -> dict[float, float]:
        series = self.client.query_range(expr, start, end, step)
        assert len(series) <= 1, f"{expr} returned {len(series)} series"
        return dict(series[0].samples) if series else {}

    def truth(self, name: str, ts: float) -> dict[str, Any]:
        return next(r for r in self.results[name].truth if r["ts"] == ts)

    def ended(self, name: str, start: float, end: float) -> int:
        """Executions that completed or failed in (start, end]: the -1s a gauge can apply."""
        def done(ts: float) -> int:
            return sum(o["success"] + o["failed"] for o in self.truth(name, ts)["orchestrations"].values())
        return done(end) - done(start)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    root = tmp_path_factory.mktemp("fidelity")
    data = root / "tsdb"
    results = {}
    for index, (name, options) in enumerate(RUNS.items()):
        settings = dict(options)
        scenarios = settings.pop("scenarios")
        result = simulate(scenarios, end_ts=END - index * SPACING, **settings)
        results[name] = result
        path = Path(root / f"{name}.om")
        with open(path, "w", encoding="utf-8") as handle:
            for chunk in result.openmetrics(aligned=True):
                handle.write(chunk)
        server.backfill(path, data)
    with server.running(data) as prom:
        yield Runs(Client(prom.url), results)


# -- 1. the active gauge ------------------------------------------------------------------

def _rises(values: dict[float, float]) -> list[float]:
    ordered = sorted(values)
    return [t for a, t in zip(ordered, ordered[1:]) if values[t] > values[a]]


def test_burst_gauge_does_not_rise_between_polls_and_jumps_at_the_next(runs: Runs):
    """mod.rs:714-758: the gauge is set from the store every gauge_poll_interval; the +1 for
    a new instance (orchestration.rs:668-669) never runs, so 50 creates appear only at a poll."""
    onset = runs.onset("burst")
    gauge = runs.range('duroxide_active_orchestrations{job="toygres"}', onset - 600, onset + 600)
    rises = _rises(gauge)
    assert rises, "the burst shows at a poll"
    # At most one rise per poll interval: it never climbs between polls.
    assert all(b - a >= GAUGE_POLL for a, b in zip(rises, rises[1:]))
    first = next(t for t in rises if t > onset)
    assert first - onset <= GAUGE_POLL + 15
    # The process is scraped a few seconds before each aligned instant (its scrape offset,
    # < 15 s): the sample stamped `first` is the first taken after the poll at first - 15.
    poll = first - 15
    before = gauge[poll]
    assert gauge[first] - before >= 40, "the batch of 50 appears at once at the next poll"
    # Just after the burst the true count is far above the gauge: it does not rise with it.
    assert runs.truth("burst", poll)["active"]["total"] - before >= 40
    # At the poll the gauge is the store's running count, minus completions since.
    truth = runs.truth("burst", poll)["active"]["total"]
    assert truth - runs.ended("burst", poll, first) <= gauge[first] <= truth


def test_three_replicas_each_report_the_global_count(runs: Runs):
    """Every process polls the global running count (mod.rs:714-758): after a poll a sum over
    processes reads 3 x the truth; max over processes of max_over_time(...[1m]) reads it."""
    end = runs.end("three")
    # Each process is scraped a few seconds (< 15) before each aligned instant: the samples
    # stamped t + 15 are the first taken after the poll at t, each the poll's count minus that
    # process's completions since.
    polls = [t for t in range(end - 1800, end - 15 + 1, GAUGE_POLL)]
    exact = 0
    for t in polls:
        truth = runs.truth("three", t)["active"]["total"]
        ended = runs.ended("three", t, t + 15)
        total = runs.scalar('sum(duroxide_active_orchestrations{job="toygres"})', t + 15)
        assert 3 * truth - ended <= total <= 3 * truth
        exact += total == 3 * truth
        top = runs.scalar('max(duroxide_active_orchestrations{job="toygres"})', t + 15)
        assert truth - ended <= top <= truth
        # Between polls the gauge only falls, so over the minute the max is the count of the
        # latest poll (or the one before, if the window still holds its sample), minus at
        # most the completions before the first scrape after it.
        best = runs.scalar('max(max_over_time(duroxide_active_orchestrations{job="toygres"}[1m]))', t + 15)
        previous = runs.truth("three", t - GAUGE_POLL)["active"]["total"]
        assert truth - ended <= best <= max(truth, previous)
    assert exact > len(polls) / 2, "a sum over three processes reads 3 x the truth after a poll"


def test_e1_gauge_only_falls_and_drifts_below_the_truth(runs: Runs):
    """v0.1.10-0.1.14: set from the store at start-up only, -1 on every completion; no poller."""
    end = runs.end("e1")
    gauge = runs.range('max(duroxide_active_orchestrations{job="otel-collector"})', end - 3600, end)
    assert not _rises(gauge)
    assert gauge[end] < runs.truth("e1", end)["active"]["total"] - 20


def test_e2_before_the_poller_only_falls_and_drifts_below_zero(runs: Runs):
    """v0.1.15-0.1.17 have no gauge poller: the gauge is the start-up count minus every
    completion since, so over the hour it never rises and ends far below the truth."""
    end = runs.end("e2-v0.1.17")
    gauge = runs.range('duroxide_active_orchestrations{job="toygres"}', end - 3600, end)
    assert gauge and not _rises(gauge)
    # The processes started 15 minutes before the window with an empty store: the gauge began
    # at 0 and has only fallen since (a fleet of ~30 ends a few executions every minute).
    assert gauge[end] < 0
    assert runs.truth("e2-v0.1.17", end)["active"]["total"] > 20


def test_e1_up_to_v0_1_9_counts_new_instances_and_tracks_the_truth(runs: Runs):
    """Up to v0.1.9 the +1 for a brand-new instance still ran (commit 254b970 made it dead
    code): with -1 on every completion the gauge follows the running count (lagging the 10 s
    pushes), before the fault as well as after it."""
    onset = runs.onset("e1-v0.1.9")
    gauge = runs.range('max(duroxide_active_orchestrations{job="otel-collector"})', onset - 1200, onset + 900)
    assert _rises(gauge), "new instances raise it"
    for t, value in gauge.items():
        truth = runs.truth("e1-v0.1.9", t)["active"]["total"]
        assert abs(value - truth) <= 5, (t, value, truth)


@pytest.mark.parametrize("run", ["locks", "unregistered", "burst"],
                         ids=["failed-acks", "poison", "burst-of-creates"])
def test_between_polls_the_gauge_falls_by_exactly_the_completed_and_failed(runs: Runs, run: str):
    """The gauge goes -1 on Completed / Failed only (orchestration.rs:765, 848): nothing for a
    new instance, continue-as-new, a poisoned message or a failed ack. Between two polls (every
    60 s from the processes' start, 15 minutes = 15 polls before the window), its change over a
    scrape interval is minus the increase of completions{status=~"success|failed"} recorded by
    the same process at the same scrapes."""
    end, start = runs.end(run), runs.end(run) - RUNS[run]["duration_seconds"]
    gauge = runs.range('duroxide_active_orchestrations{job="toygres"}', start, end)
    done = runs.range('sum(duroxide_orchestration_completions_total{job="toygres", status=~"success|failed"})',
                      start, end)
    checked = 0
    for t in sorted(gauge):
        previous = t - 15
        # A sample stamped t is taken a few seconds before t: the interval holds the poll at
        # t - 15 when that is a poll instant.
        if previous not in gauge or previous not in done or (previous - start) % GAUGE_POLL == 0:
            continue
        assert gauge[t] - gauge[previous] == -(done[t] - done[previous]), t
        checked += 1
    assert checked > 150


# -- 2. failed acks, poison, unregistered handlers ----------------------------------------

def test_unregistered_activity_backs_off_then_poisons_without_config_error(runs: Runs):
    """worker.rs:495-499, 700-726: abandoned with backoff, then poisoned (worker.rs:428-441);
    the orchestration fails as poison (replay_engine.rs:283-295); config_error never in E2."""
    onset, end = runs.onset("unregistered"), runs.end("unregistered")
    sel = '{job="toygres"}'
    assert runs.scalar(f'count(duroxide_activity_executions_total{{job="toygres", outcome="config_error"}})',
                       end) is None
    assert runs.scalar(f"count(duroxide_activity_configuration_errors_total{sel})", end) is None
    assert runs.scalar(f'count(duroxide_orchestration_failures_total{{job="toygres", error_type="config_error"}})',
                       end) is None
    poison = runs.range(f"sum(duroxide_activity_poison_total{sel}) or vector(0)", onset, end)
    first = min(t for t, v in poison.items() if v > 0)
    # The 10 backoffs of 1, 2, 4 ... 60 s add up to 303 s before the 11th fetch poisons.
    assert first - onset >= 300
    failures = runs.scalar('sum(duroxide_orchestration_failures_total{job="toygres", error_type="unknown", '
                           'error_category="poison", orchestration_name!=""})', end)
    activity_poison = runs.scalar(f"sum(duroxide_activity_poison_total{sel})", end)
    orchestration_poison = runs.scalar(f"sum(duroxide_orchestration_poison_total{sel})", end)
    assert activity_poison and activity_poison >= 10
    assert failures == orchestration_poison == activity_poison, "each activity poison fails its actor as poison"
    # The poison failure has no unlabelled twin (only application/infrastructure/configuration do).
    assert runs.scalar('count(duroxide_orchestration_failures_total{job="toygres", orchestration_name="", '
                       'error_type="unknown"})', end) is None
    lines = [line for line in runs.results["unregistered"].log_lines() if "Activity not registered" in line]
    assert any("abandoning with 1.0s backoff (will poison in 9 more attempts)" in line for line in lines)
    assert any("abandoning with 60.0s backoff" in line for line in lines)


def test_unregistered_activity_up_to_v0_1_9_is_a_config_error_that_fails_its_orchestration(runs: Runs):
    """duroxide <= v0.1.9 (worker.rs:497-539, observability.rs:624-688 at v0.1.9): the item is
    executed at once as a configuration error: ERROR "Activity failed (unregistered)",
    executions{outcome="config_error"} and activity_configuration_errors_total{activity_name}
    once each per execution; its ActivityFailed(Configuration) aborts the orchestration's next
    turn (replay_engine.rs:226-240), which fails as config_error / configuration with the
    labelled orchestration_configuration_errors_total (orchestration.rs:373-441,
    observability.rs:577-588). No backoff, no poison."""
    onset, end = runs.onset("e1-v0.1.9"), runs.end("e1-v0.1.9")
    sel = 'job="otel-collector", activity_name=~".*::cms-record-health-check"'
    executions = runs.scalar(f'sum(duroxide_activity_executions_total{{{sel}, outcome="config_error"}})', end)
    errors = runs.scalar(f"sum(duroxide_activity_configuration_errors_total{{{sel}}})", end)
    failures = runs.scalar('sum(duroxide_orchestration_failures_total{job="otel-collector", '
                           'orchestration_name=~".*::instance-actor", error_type="config_error", '
                           'error_category="configuration"})', end)
    orchestration_errors = runs.scalar('sum(duroxide_orchestration_configuration_errors_total{job="otel-collector", '
                                       'orchestration_name=~".*::instance-actor", error_category="configuration"})', end)
    lines = [ln for ln in runs.results["e1-v0.1.9"].log_lines() if "Activity failed (unregistered)" in ln]
    assert lines and all(" ERROR duroxide::runtime: " in ln for ln in lines)
    # Each unregistered execution is counted once everywhere: no redelivery.
    assert executions == errors == failures == orchestration_errors == len(lines)
    # The first cycle of every actor fails: within an actor cycle (30 s timer + a few seconds of
    # activities) plus a scrape of the onset, not after 300 s of backoff.
    first = runs.range(f'sum(duroxide_activity_configuration_errors_total{{{sel}}}) or vector(0)', onset, end)
    assert min(t for t, v in first.items() if v > 0) - onset <= 60
    assert not any("not registered" in ln or "marking as poison" in ln
                   for ln in runs.results["e1-v0.1.9"].log_lines())


def test_unregistered_activity_from_v0_1_10_in_e1_exports_nothing(runs: Runs):
    """From v0.1.10 (254b970) the item is abandoned with backoff and poisoned (worker.rs at
    v0.1.10:505-530); E1 exports neither poison nor config_error (atomics only), so the
    incident leaves no metric at all, only its WARN lines."""
    end = runs.end("e1-v0.1.10")
    for expr in ('count(duroxide_activity_executions_total{job="otel-collector", outcome="config_error"})',
                 'count(duroxide_activity_configuration_errors_total{job="otel-collector"})',
                 'count(duroxide_orchestration_failures_total{job="otel-collector", error_type="config_error"})',
                 'count({job="otel-collector", __name__=~"duroxide_.*poison.*"})'):
        assert runs.scalar(expr, end) is None, expr
    lines = runs.results["e1-v0.1.10"].log_lines()
    assert any("Activity not registered, abandoning with 1.0s backoff" in ln for ln in lines)
    assert any("Activity message exceeded max attempts, marking as poison" in ln for ln in lines)
    assert not any("Activity failed (unregistered)" in ln for ln in lines)


def test_unregistered_orchestration_up_to_v0_1_9_fails_new_instances_and_strands_running_ones(runs: Runs):
    """v0.1.9 orchestration.rs:621-647: the start is recorded before the handler lookup; with no
    handler an empty history gets OrchestrationStarted (version "0.0.0") and a Configuration
    failure, which the Failed branch records as config_error / configuration with the labelled
    orchestration_configuration_errors_total (orchestration.rs:373-454, observability.rs:577-588);
    a running execution's messages are acked unprocessed, so it waits forever: no backoff, no
    poison, and no actor cycle completes while the fault lasts."""
    run = "e1-v0.1.9-orchestration"
    onset = runs.onset(run)
    fault_end = onset + 1800
    actor = 'orchestration_name=~".*::instance-actor"'
    failures = runs.scalar(f'sum(duroxide_orchestration_failures_total{{job="otel-collector", {actor}, '
                           f'error_type="config_error", error_category="configuration", version="0.0.0"}})', fault_end)
    errors = runs.scalar(f'sum(duroxide_orchestration_configuration_errors_total{{job="otel-collector", {actor}, '
                         f'error_category="configuration"}})', fault_end)
    failed_lines = [ln for ln in runs.results[run].log_lines()
                    if " ERROR duroxide::runtime: Orchestration failed " in ln and "error_type=configuration" in ln]
    assert failures and failures == errors == len(failed_lines)
    # Every actor started during the fault is one of them (creates keep arriving at ~15/h).
    # Each completed actor cycle adds 1 to continue_as_new_total{execution_id=<the ending one>}
    # (one replica, no restart: the collector's sum over label sets only grows).
    def cycles(start: int, end: int) -> float:
        expr = f'sum(duroxide_orchestration_continue_as_new_total{{job="otel-collector", {actor}}})'
        return (runs.scalar(expr, end) or 0.0) - (runs.scalar(expr, start) or 0.0)

    assert cycles(onset - 600, onset) > 100, "before the fault ~30 actors cycle every ~31 s"
    assert cycles(fault_end - 600, fault_end) == 0, "running actors lost their messages, new ones failed"
    assert not any("not registered" in ln or "marking as poison" in ln for ln in runs.results[run].log_lines())
    # The stranded actors stay Running in the store: the true active count does not fall.
    truth = [runs.truth(run, t)["active"]["total"] for t in (onset, fault_end)]
    assert truth[1] >= truth[0] - 3


def test_failed_acks_fail_instances_with_unlabelled_series_only(runs: Runs):
    """orchestration.rs:954-1003: a failed ack records the unlabelled infrastructure twins
    only, commits OrchestrationFailed, and is not redelivered (no poison)."""
    onset, end = runs.onset("locks"), runs.end("locks")
    unlabelled = runs.scalar('sum(increase(duroxide_orchestration_failures_total{job="toygres", '
                             'orchestration_name="", error_type="infrastructure_error"}[20m]))', onset + 1200)
    labelled = runs.scalar('sum(increase(duroxide_orchestration_failures_total{job="toygres", '
                           'orchestration_name!="", error_type="infrastructure_error"}[20m]))', onset + 1200)
    assert unlabelled and unlabelled > 5
    assert not labelled
    assert runs.scalar('sum(duroxide_orchestration_poison_total{job="toygres"})', end) is None
    assert runs.scalar('sum(increase(duroxide_provider_errors_total{job="toygres", '
                       'operation="ack_orchestration_item", error_type="timeout"}[20m]))', onset + 1200) > 0


# -- 3. provider operations and what the durations measure ---------------------------------

def test_database_slow_leaves_orchestration_duration_flat(runs: Runs):
    """orchestration.rs:621-727: the duration times the handler only; store latency is not in
    it. The provider's own latency grows with the store's."""
    onset = runs.onset("slow")

    def mean(metric: str, at: int) -> float:
        value = runs.scalar(f'sum(rate({metric}_sum{{job="toygres"}}[10m])) / '
                            f'sum(rate({metric}_count{{job="toygres"}}[10m]))', at)
        assert value is not None
        return value

    turn_before = mean("duroxide_orchestration_duration_seconds", onset)
    turn_during = mean("duroxide_orchestration_duration_seconds", onset + 1500)
    store_before = mean("duroxide_provider_operation_duration_seconds", onset)
    store_during = mean("duroxide_provider_operation_duration_seconds", onset + 1500)
    assert store_during > 5 * store_before
    assert turn_during < 1.5 * turn_before


@pytest.mark.parametrize("fetch, ack, slots", [
    ("fetch_orchestration_item", "ack_orchestration_item", ORCH_SLOTS),
    ("fetch_work_item", "ack_work_item", WORKER_SLOTS),
], ids=["orchestration-2-slots", "worker-10-slots"])
def test_idle_slots_poll_at_most_once_per_interval_each(runs: Runs, fetch: str, ack: str, slots: int):
    """Every slot polls on its own every dispatcher_min_poll_interval when idle
    (orchestration.rs:373-514, worker.rs:188-253): the empty fetches (fetches minus acks) are
    at most one per slot per interval; on the mostly idle worker side they dominate."""
    at = runs.onset("burst")

    def rate(operation: str) -> float:
        value = runs.scalar(f'sum(rate(duroxide_provider_operation_duration_seconds_count{{job="toygres", '
                            f'operation="{operation}"}}[10m]))', at)
        assert value is not None
        return value

    fetches, acks = rate(fetch), rate(ack)
    idle = fetches - acks
    assert 0 < idle <= slots / POLL_INTERVAL
    if slots == WORKER_SLOTS:
        assert idle > acks


def test_read_happens_once_per_activity(runs: Runs):
    """IP: `read` is called once per activity, before the handler lookup (worker.rs:455-470):
    over an hour the reads match the labelled executions, give or take the activities in
    flight at either end (at most the 10 worker slots of each of the 3 processes)."""
    end = runs.end("three")
    reads = runs.scalar('sum(increase(duroxide_provider_operation_duration_seconds_count{job="toygres", '
                        'operation="read"}[30m]))', end)
    executions = runs.scalar('sum(increase(duroxide_activity_executions_total{job="toygres", '
                             'activity_name!=""}[30m]))', end)
    assert executions and executions > 500
    assert reads == pytest.approx(executions, abs=2 * 3 * WORKER_SLOTS)


def test_an_unreachable_database_is_a_connection_error_never_a_timeout(runs: Runs):
    """duroxide-pg's pool gives up with "pool timed out while waiting for an open connection":
    IP:59-71's case-sensitive substring test finds "connection" (not "timeout": the text says
    "timed out"), so every fetch error of database-down is error_type="connection"."""
    onset = runs.onset("down")
    errors = runs.client.query('sum by (operation, error_type) (increase(duroxide_provider_errors_total'
                               '{job="toygres"}[20m]))', onset + 1200)
    kinds = {(s.labels["operation"], s.labels["error_type"]) for s in errors if s.samples[-1][1] > 0}
    assert ("fetch_work_item", "connection") in kinds and ("fetch_orchestration_item", "connection") in kinds
    assert not any(error_type == "timeout" for _, error_type in kinds)


def test_database_slow_errors_are_timeouts_and_deadlocks(runs: Runs):
    """A statement timeout ("canceling statement due to statement timeout") is "timeout", a
    serialization failure ("deadlock detected") "deadlock" (IP:59-71)."""
    onset = runs.onset("slow")
    errors = runs.client.query('sum by (error_type) (increase(duroxide_provider_errors_total'
                               '{job="toygres"}[30m]))', onset + 1800)
    kinds = {s.labels["error_type"] for s in errors if s.samples[-1][1] > 0}
    assert {"timeout", "deadlock"} <= kinds and "connection" not in kinds


def test_starts_count_batches_so_a_busy_instance_takes_several_messages_per_turn(runs: Runs):
    """starts_total counts fetched batches (orchestration.rs:660-665): an instance's queued
    messages make one turn. In the burst, 50 creates each send the create-semaphore an
    "acquire" event and the semaphore answers each with its own send-external-event, whose
    completion is again a message to it; only delete-instance sends elsewhere (InstanceDeleted).
    One turn per message would take at least as many semaphore turns as those messages."""
    at = runs.onset("burst") + 600
    turns = runs.scalar('sum(increase(duroxide_orchestration_starts_total{job="toygres", '
                        'orchestration_name=~".*::create-semaphore"}[10m]))', at)
    sends = runs.scalar('sum(increase(duroxide_activity_executions_total{job="toygres", '
                        'activity_name=~".*::send-external-event"}[10m]))', at)
    deletes = runs.scalar('sum(increase(duroxide_orchestration_starts_total{job="toygres", '
                          'orchestration_name=~".*::delete-instance", version="unknown"}[10m]))', at) or 0.0
    assert turns and sends
    assert sends - deletes > 100, "the burst's creates and permits"
    assert turns < 0.8 * (sends - deletes)


def test_api_starts_are_not_counted_as_enqueues(runs: Runs):
    """An application's own Client talks to the raw store: enqueue_orchestrator counts only
    ActivityContext::get_client calls (send-external-event), never API starts."""
    end = runs.end("three")
    enqueues = runs.scalar('sum(increase(duroxide_provider_operation_duration_seconds_count{job="toygres", '
                           'operation="enqueue_orchestrator"}[1h]))', end) or 0.0
    sends = runs.scalar('sum(increase(duroxide_activity_executions_total{job="toygres", '
                        'activity_name=~".*::send-external-event"}[1h]))', end) or 0.0
    starts = runs.scalar(f'sum(increase(duroxide_orchestration_starts_total{{job="toygres", {CREATE}, '
                         f'version="unknown"}}[1h]))', end)
    assert starts and starts > 5
    assert enqueues == pytest.approx(sends, abs=2)


def test_session_maintenance_cadence(runs: Runs):
    """v0.1.18+: renew_session_lock about every 25 s, cleanup_orphaned_sessions every 300 s."""
    end = runs.end("burst")
    renew = runs.scalar('sum(increase(duroxide_provider_operation_duration_seconds_count{job="toygres", '
                        'operation="renew_session_lock"}[30m]))', end)
    cleanup = runs.scalar('sum(increase(duroxide_provider_operation_duration_seconds_count{job="toygres", '
                          'operation="cleanup_orphaned_sessions"}[30m]))', end)
    assert renew == pytest.approx(1800 / 25, abs=3)
    assert cleanup == pytest.approx(1800 / 300, abs=1)


def test_orphaned_activities_record_an_infra_twin_and_an_other_ack_error(runs: Runs):
    """An activity running when its instance ends (a user cancels a create) records its real
    outcome, then its ack fails: infra_error twin and provider_errors{ack_work_item, other};
    cancelled is never recorded for it."""
    # The burst run has cancelled creates with get-connection-strings in flight.
    end = runs.end("burst")
    other = runs.scalar('sum(duroxide_provider_errors_total{job="toygres", operation="ack_work_item", '
                        'error_type="other"})', end)
    twins = runs.scalar('sum(duroxide_activity_executions_total{job="toygres", outcome="infra_error"})', end)
    assert other and other == twins
    assert runs.scalar('count(duroxide_activity_executions_total{job="toygres", outcome="cancelled"})', end) is None
