"""Era labelling (E1 through the OTel collector, E2 scraped directly) and per-era quirks."""

from __future__ import annotations

import pytest

from generator.catalogue import BY_NAME, E2_SUMMARY_QUANTILES, PROVIDER_OPERATIONS_E1
from generator.sim.recorder import Recorder, format_le
from tests.sim.helpers import metrics, select, simulate

# Reference, "The E1 era in detail": through the collector every series carries the collector's
# scrape labels, the resource's service.name / service.version and the scope name; no process.
E1_TARGET = {"job": "otel-collector", "exported_job": "toygres", "service_name": "toygres",
             "service_version": "0.1.0", "otel_scope_name": "duroxide", "service": "toygres",
             "instance": "otel-collector:8889"}
E2_TARGET = {"job": "toygres", "instance": "toygres-0:8080"}


@pytest.fixture(scope="module")
def e1():
    return simulate(era="E1")


@pytest.fixture(scope="module")
def e2():
    return simulate(era="E2")


@pytest.mark.parametrize("era, target, absent", [
    ("E1", E1_TARGET, {"tag"}),
    ("E2", E2_TARGET, {"exported_job", "service_name", "state"}),
], ids=["E1-collector-labels", "E2-direct-labels"])
def test_every_series_carries_the_eras_target_labels(era, target, absent):
    series = [s for s in metrics(simulate(era=era)) if s.name != "up"]
    assert len(series) > 300
    for s in series:
        assert {k: s.labels.get(k) for k in target} == target, s
        assert not absent & set(s.labels), s


def test_e1_selector_job_toygres_matches_nothing(e1):
    assert not select(metrics(e1), job="toygres")


def test_e1_has_no_duplicate_series_tag_or_poison(e1):
    executions = metrics(e1, "duroxide_activity_executions_total")
    failures = metrics(e1, "duroxide_orchestration_failures_total")
    assert executions and all("activity_name" in s.labels for s in executions)
    assert all("orchestration_name" in s.labels for s in failures)
    assert not metrics(e1, "duroxide_orchestration_poison_total", "duroxide_activity_poison_total")


def test_e1_active_gauge_has_state_all(e1):
    (gauge,) = metrics(e1, "duroxide_active_orchestrations")
    assert gauge.labels["state"] == "all"


def test_e2_duplicates_exist_and_double_a_naive_sum(e2):
    executions = metrics(e2, "duroxide_activity_executions_total")
    duplicates = select(executions, activity_name=None)
    named = [s for s in executions if "activity_name" in s.labels]
    assert {s.labels["outcome"] for s in duplicates} >= {"success"}
    assert all(set(s.labels) == {"job", "instance", "outcome"} for s in duplicates)
    assert {s.labels["tag"] for s in named} == {"default"}
    naive, guarded = sum(s.last for s in executions), sum(s.last for s in named)
    assert naive == pytest.approx(2 * guarded, rel=0.01)


def test_e2_failure_duplicate_has_no_orchestration_name():
    result = simulate(["activity-failure-storm"])
    failures = metrics(result, "duroxide_orchestration_failures_total")
    duplicate = select(failures, orchestration_name=None)
    assert duplicate and all(set(s.labels) == {"job", "instance", "error_type"} for s in duplicate)
    assert sum(s.last for s in duplicate) == sum(s.last for s in failures if "orchestration_name" in s.labels)


@pytest.mark.parametrize("family", ["duroxide_provider_operation_duration_seconds",
                                    "duroxide_activity_duration_seconds", "duroxide_orchestration_history_size"],
                         ids=["provider", "activity", "history-size"])
def test_e1_histograms_use_the_catalogue_buckets(e1, family):
    series = metrics(e1, family + "_bucket")
    assert {s.labels["le"] for s in series} == {format_le(b) for b in BY_NAME[family].buckets} | {"+Inf"}


@pytest.mark.parametrize("family", ["duroxide_provider_operation_duration_seconds",
                                    "duroxide_activity_duration_seconds", "duroxide_orchestration_turns"],
                         ids=["provider", "activity", "turns"])
def test_e2_histograms_are_summaries_without_buckets(e2, family):
    assert not metrics(e2, family + "_bucket")
    quantiles = metrics(e2, family)
    assert quantiles and {s.labels["quantile"] for s in quantiles} == set(E2_SUMMARY_QUANTILES)
    assert metrics(e2, family + "_count") and metrics(e2, family + "_sum")


def test_e2_summary_quantiles_cover_the_last_minute_only(e2):
    """A 60 s rolling window per process: a rarely-run activity's quantiles fall back to 0
    between runs, while _count keeps counting (the exporter renders an empty window as 0)."""
    name = "toygres-orchestrations::activity::cms-create-instance-record"
    (p95,) = select(metrics(e2, "duroxide_activity_duration_seconds"), activity_name=name, quantile="0.95")
    (count,) = select(metrics(e2, "duroxide_activity_duration_seconds_count"), activity_name=name)
    values = [v for _, v in p95.samples]
    assert 0.0 in values and max(values) > 0.0
    assert count.last > count.first


def test_e2_summary_quantiles_match_true_latency_where_busy(e2):
    name = "toygres-orchestrations::activity::test-connection"
    (p50,) = select(metrics(e2, "duroxide_activity_duration_seconds"), activity_name=name, quantile="0.5",
                    outcome="success")
    true = e2.truth[-1]["activity_latency"][name]["p50"]
    # ~30 actors test their connection every 31 s: the last minute's median is the true median.
    assert p50.last == pytest.approx(true, rel=0.1)


@pytest.mark.parametrize("era, operations", [
    ("E1", set(PROVIDER_OPERATIONS_E1)),
    ("E2", set(PROVIDER_OPERATIONS_E1) | {"renew_session_lock", "cleanup_orphaned_sessions"}),
], ids=["E1", "E2-adds-session-operations"])
def test_provider_operations_by_era(era, operations):
    series = metrics(simulate(era=era), "duroxide_provider_operation_duration_seconds_count")
    assert {s.labels["operation"] for s in series} == operations


def test_idle_polls_dominate_worker_fetches(e2):
    counts = {s.labels["operation"]: s.last for s in metrics(e2, "duroxide_provider_operation_duration_seconds_count")}
    acks = counts["ack_work_item"]
    # Every activity fetches once; each of the 10 worker slots polls every second while idle.
    assert counts["fetch_work_item"] > 2 * acks


@pytest.mark.parametrize("era, exists", [("E1", False), ("E2", True)], ids=["E1-none", "E2-recorded"])
def test_poison_counters_only_in_e2(era, exists):
    recorder = Recorder(era, [(("instance", "toygres-0:8080"),)])
    recorder.orchestration_poison(0)
    recorder.activity_poison(0)
    families = set(recorder.replicas[0].families)
    assert ({"duroxide_orchestration_poison_total", "duroxide_activity_poison_total"} <= families) is exists


def test_recorder_rejects_names_outside_the_catalogue():
    recorder = Recorder("E2", [()])
    with pytest.raises(ValueError, match="not a recorded E2 metric"):
        recorder.replicas[0].inc("duroxide_activity_retries_total", ())
    with pytest.raises(ValueError, match="not in the catalogue"):
        recorder.replicas[0].inc("duroxide_orchestration_starts_total", (("pod", "x"),))


@pytest.mark.parametrize("era, moves", [("E1", False), ("E2", True)], ids=["E1-stale-at-start-up", "E2-re-polled"])
def test_queue_depth_gauges(era, moves):
    result = simulate(["queue-backlog"], era=era)
    (worker,) = metrics(result, "duroxide_worker_queue_depth")
    true_peak = max(r["worker_queue"] for r in result.truth)
    # create-instance 1.0.8's semaphore lets 10 creates run at once: the surge waits there, so
    # the worker queue builds to tens, not hundreds.
    assert true_peak > 10
    values = {v for _, v in worker.samples}
    if moves:
        # Re-polled every 60 s: it follows the truth, a minute late at most.
        assert max(values) > 0.5 * true_peak
    else:
        assert values == {0.0}


def _continue_as_new_series(era: str, executions: range, restart_after: int | None = None) -> dict[tuple, int]:
    recorder = Recorder(era, [()])
    for n in executions:
        if n == restart_after:
            recorder.replicas[0].reset()
        recorder.continue_as_new(0, "actor", n)
    m = recorder.replicas[0]
    return {s.labels: m.vals[s.slot] for s in m.families["duroxide_orchestration_continue_as_new_total"]
            if m.vals[s.slot] is not None}


# Reference, "The E1 era in detail": at most 2000 label sets per instrument, later ones go to
# {otel_metric_overflow="true"} without other labels; E2's exporter has no such limit.
@pytest.mark.parametrize("era, executions, restart_after, own, overflow", [
    ("E1", range(1, 2001), None, 2000, None),
    ("E1", range(1, 2006), None, 2000, 5),
    ("E2", range(1, 2006), None, 2005, None),
    # A restart is a fresh SDK: 2000 new label sets are admitted again.
    ("E1", range(1, 2506), 2001, 505, None),
], ids=["E1-at-the-limit", "E1-past-the-limit", "E2-unlimited", "E1-restart-starts-afresh"])
def test_label_sets_past_the_sdk_limit_share_the_overflow_series(era, executions, restart_after, own, overflow):
    series = _continue_as_new_series(era, executions, restart_after)
    overflowed = series.pop((("otel_metric_overflow", "true"),), None)
    assert len(series) == own
    assert overflowed == overflow


@pytest.mark.parametrize("era, outcome, seconds, recorded", [
    ("E1", "success", 1.23456, 1.234),
    ("E1", "app_error", 0.0009, 0.0),
    ("E1", "cancelled", 1.23456, 1.23456),
    ("E2", "success", 1.23456, 1.234),
    ("E2", "app_error", 0.0009, 0.0),
    ("E2", "cancelled", 1.23456, 1.23456),
], ids=["E1-success-whole-ms", "E1-app-error-whole-ms", "E1-cancelled-exact", "E2-success-whole-ms",
        "E2-app-error-whole-ms", "E2-cancelled-exact"])
def test_activity_duration_resolution(era, outcome, seconds, recorded):
    """Success and app_error durations are `as_millis() as f64 / 1000.0`, cancelled uses
    as_secs_f64: duroxide v0.1.14 worker.rs:448-449, 489-490, 419; v0.1.26 worker.rs:616-617,
    658-659, 587."""
    recorder = Recorder(era, [()])
    recorder.activity_execution(0, "a", outcome, seconds)
    (series,) = recorder.replicas[0].families["duroxide_activity_duration_seconds"]
    assert recorder.replicas[0].vals[series.slot + len(series.prefixes) - (2 if era == "E1" else 1)] == \
        pytest.approx(recorded, abs=1e-12)
