"""duroxide's recording semantics, proven on the simulator's output against its ground truth
(the ones checked through PromQL in a real Prometheus are in test_semantics_promql.py)."""

from __future__ import annotations

import pytest

from tests.sim.helpers import delta, metrics, select, simulate, truth_delta

ACTOR = "toygres-orchestrations::orchestration::instance-actor"
STARTS = "duroxide_orchestration_starts_total"
COMPLETIONS = "duroxide_orchestration_completions_total"


@pytest.fixture(scope="module")
def healthy():
    return simulate()


def _start(result):
    return result.truth[0]["ts"]


def test_version_unknown_only_on_a_new_instances_first_turn(healthy):
    series = metrics(healthy, STARTS)
    unknown = select(series, version="unknown")
    new_instances = truth_delta(healthy, lambda r: r["active"]["total"] + sum(
        o["success"] + o["failed"] for o in r["orchestrations"].values()))
    assert delta(unknown, _start(healthy)) == new_instances
    assert {s.labels["initiated_by"] for s in unknown} == {"client"}
    assert all(s.labels["version"] != "unknown" for s in select(series, initiated_by="continueAsNew"))


@pytest.mark.parametrize("name", [ACTOR, "toygres-orchestrations::orchestration::system-pruner"],
                         ids=["instance-actor", "system-pruner"])
def test_continue_as_new_marks_the_first_turn_of_the_next_execution(healthy, name):
    first_turns = delta(select(metrics(healthy, STARTS), orchestration_name=name, initiated_by="continueAsNew"),
                        _start(healthy))
    continued = delta(select(metrics(healthy, COMPLETIONS), orchestration_name=name, status="continuedAsNew"),
                      _start(healthy))
    # The next execution's first turn follows within ~100 ms; a scrape may fall in between.
    assert continued > 0
    assert abs(first_turns - continued) <= 2


def test_only_eternal_orchestrations_continue_as_new(healthy):
    names = {s.labels["orchestration_name"] for s in select(metrics(healthy, STARTS), initiated_by="continueAsNew")}
    assert names == {ACTOR, "toygres-orchestrations::orchestration::system-pruner",
                     "toygres-orchestrations::orchestration::create-semaphore"}


def test_duration_histogram_times_terminal_turns_only(healthy):
    counts = {(s.labels["orchestration_name"], s.labels["version"], s.labels["status"]): s.last
              for s in metrics(healthy, "duroxide_orchestration_duration_seconds_count")}
    completions = {(s.labels["orchestration_name"], s.labels["version"], s.labels["status"]): s.last
                   for s in metrics(healthy, COMPLETIONS)}
    assert counts == completions
    # One turn takes milliseconds, not the ~31 s of an actor cycle.
    sums = {(s.labels["orchestration_name"], s.labels["status"]): s.last
            for s in metrics(healthy, "duroxide_orchestration_duration_seconds_sum")}
    actor_sum = sums[(ACTOR, "continuedAsNew")]
    assert actor_sum / completions[(ACTOR, "1.0.3", "continuedAsNew")] < 0.5


def test_continue_as_new_is_labelled_by_ending_execution_id(healthy):
    series = select(metrics(healthy, "duroxide_orchestration_continue_as_new_total"), orchestration_name=ACTOR)
    completions = select(metrics(healthy, COMPLETIONS), orchestration_name=ACTOR, status="continuedAsNew")
    ids = {int(s.labels["execution_id"]) for s in series}
    assert sum(s.last for s in series) == sum(s.last for s in completions)
    # One new series per actor cycle: ~(15 min warm-up + 60 min) / 31 s.
    assert len(ids) > 120 and min(ids) == 1


def _poll_instants(result):
    """duroxide polls the gauge every gauge_poll_interval (60 s) from process start-up."""
    boot = result.truth[0]["ts"] - result.options.prewarm_seconds
    return {r["ts"] for r in result.truth if (r["ts"] - boot) % 60 == 0}


def _ended(record):
    return sum(o["success"] + o["failed"] for o in record["orchestrations"].values())


# Each process is scraped a few seconds (< 15) before the instant its sample is stamped with
# (aligned export): the sample stamped poll + 15 is the first taken after a poll, and holds the
# poll's count minus that process's completions since.
def test_active_gauge_is_exact_at_polls_and_only_falls_between(healthy):
    (gauge,) = metrics(healthy, "duroxide_active_orchestrations")
    records = {r["ts"]: r for r in healthy.truth}
    values = dict(gauge.samples)
    polls = _poll_instants(healthy)
    checked = 0
    for ts in polls:
        if ts + 15 in values:
            truth = records[ts]["active"]["total"]
            assert truth - (_ended(records[ts + 15]) - _ended(records[ts])) <= values[ts + 15] <= truth
            checked += 1
    assert checked > 30
    for (_, before), (ts, after) in zip(gauge.samples, gauge.samples[1:]):
        assert after <= before or ts - 15 in polls, "between polls only -1 on completion"
    # Between polls it lags the truth by the instances started since the poll, never more.
    assert any(v < records[ts]["active"]["total"] for ts, v in gauge.samples)
    assert len(gauge.samples) == len(healthy.truth)


def test_active_gauge_reports_the_global_count_in_every_process():
    result = simulate(replicas=3)
    gauges = metrics(result, "duroxide_active_orchestrations")
    assert sorted(s.labels["instance"] for s in gauges) == ["toygres-0:8080", "toygres-1:8080", "toygres-2:8080"]
    records = {r["ts"]: r for r in result.truth}
    polls = _poll_instants(result)
    exact = checked = 0
    for ts in polls:
        if ts + 15 not in records:
            continue
        # Each process polls the store's global count: a sum reads 3x the truth.
        truth = records[ts]["active"]["total"]
        ended = _ended(records[ts + 15]) - _ended(records[ts])
        values = [s.at(ts + 15) for s in gauges]
        assert all(truth - ended <= v <= truth for v in values)
        checked += 1
        exact += values == [truth] * 3
    assert checked > 30 and exact > checked / 2


def test_infra_errors_are_recorded_without_activity_name():
    result = simulate(["database-slow"])
    series = metrics(result, "duroxide_activity_executions_total", "duroxide_activity_infrastructure_errors_total")
    infra = select(series, outcome="infra_error")
    assert infra and all("activity_name" not in s.labels for s in infra)
    totals = [s for s in series if s.name == "duroxide_activity_infrastructure_errors_total"]
    assert totals and all("activity_name" not in s.labels for s in totals)
    true_infra = sum(v["infra_error"] for v in result.truth[-1]["activities"].values())
    assert true_infra > 0 and delta(infra, _start(result)) == true_infra
