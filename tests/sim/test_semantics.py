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
    assert names == {ACTOR, "toygres-orchestrations::orchestration::system-pruner"}


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


def test_active_gauge_is_per_process_and_sums_over_replicas():
    result = simulate(replicas=3)
    gauges = metrics(result, "duroxide_active_orchestrations")
    assert sorted(s.labels["instance"] for s in gauges) == ["toygres-0:8080", "toygres-1:8080", "toygres-2:8080"]
    for before, record in zip(result.truth, result.truth[1:]):
        # Each process is scraped a few seconds before ts: the sum may miss the instances that
        # started or ended since (the in-flight count's rise plus the instances that ended).
        ended = sum(o["success"] + o["failed"] for o in record["orchestrations"].values()) - \
            sum(o["success"] + o["failed"] for o in before["orchestrations"].values())
        moved = abs(record["active"]["total"] - before["active"]["total"]) + 2 * ended
        values = [s.at(record["ts"]) for s in gauges]
        assert abs(sum(values) - record["active"]["total"]) <= moved
    # No single process knows the total: max() or one replica's value would be wrong.
    last = result.truth[-1]["active"]["total"]
    assert all(s.last < last for s in gauges)


def test_infra_errors_are_recorded_without_activity_name():
    result = simulate(["database-slow"])
    series = metrics(result, "duroxide_activity_executions_total", "duroxide_activity_infrastructure_errors_total")
    infra = select(series, outcome="infra_error")
    assert infra and all("activity_name" not in s.labels for s in infra)
    totals = [s for s in series if s.name == "duroxide_activity_infrastructure_errors_total"]
    assert totals and all("activity_name" not in s.labels for s in totals)
    true_infra = sum(v["infra_error"] for v in result.truth[-1]["activities"].values())
    assert true_infra > 0 and delta(infra, _start(result)) == true_infra
