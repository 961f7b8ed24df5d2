"""Every scenario leaves its documented signature in the ground truth (and in the metrics)."""

from __future__ import annotations

import pytest

from generator.sim import SCENARIOS, SimulationError
from generator.sim.scenarios import resolve
from tests.sim.helpers import END, metrics, select, simulate

# 80 minutes: a 20-minute healthy warm-up, the fault, and some recovery.
WINDOW = {"duration_seconds": 4800, "fault_start_seconds": 1200}


@pytest.mark.parametrize("name", list(SCENARIOS), ids=list(SCENARIOS))
def test_scenario_signature_in_truth(name):
    result = simulate([name], **WINDOW)
    checks = result.evaluate()
    assert checks, f"{name} declares no expectations"
    assert [c for c in checks if not c.ok] == []
    if name != "healthy":
        assert result.header["onset"] == END - 4800 + 1200
        onset_record = next(r for r in result.truth if r["ts"] == result.header["onset"])
        assert name in onset_record["faults"]


def test_scenarios_compose():
    # Not database-slow + burst any more: a failed ack under the slow store fails the one
    # create-semaphore instance (as it fails any orchestration), and every create of the batch
    # then waits for a permit forever (docs/simulator.md, "What is simplified").
    result = simulate(["activity-failure-storm", "burst"], **WINDOW)
    assert {c.scenario for c in result.evaluate()} == {"activity-failure-storm", "burst"}
    assert all(c.ok for c in result.evaluate())


def test_fault_does_not_change_the_warm_up():
    healthy, faulty = simulate(**WINDOW), simulate(["database-down"], **WINDOW)
    onset = faulty.header["onset"]
    before = [r for r in healthy.truth if r["ts"] < onset]
    assert before == [r for r in faulty.truth if r["ts"] < onset]


def test_database_slow_multiplies_provider_p95_by_about_20():
    result = simulate(["database-slow"], **WINDOW)
    onset, end = result.header["faults"][0]["start"], result.header["faults"][0]["end"]
    base = [r["provider_p95"]["all"] for r in result.truth if END - 4800 + 300 < r["ts"] <= onset]
    slow = [r["provider_p95"]["all"] for r in result.truth if onset + 300 < r["ts"] <= end]
    ratio = (sum(slow) / len(slow)) / (sum(base) / len(base))
    assert 10 < ratio < 40
    errors = result.truth[-1]["provider_errors"]
    assert {"timeout", "deadlock"} <= {t for per_op in errors.values() for t in per_op}


def test_replica_restart_resets_counters_and_leaves_a_gap():
    result = simulate(["replica-restart"], replicas=2, **WINDOW)
    onset = result.header["onset"]
    starts = select(metrics(result, "duroxide_orchestration_starts_total"), instance="toygres-0:8080",
                    initiated_by="continueAsNew")
    (actor,) = [s for s in starts if s.labels["orchestration_name"].endswith("instance-actor")]
    before = [v for t, v in actor.samples if t < onset]
    after = [v for t, v in actor.samples if t > onset]
    assert after[0] < before[-1]  # a counter reset, which rate() and increase() handle
    stamps = [t for t, _ in actor.samples]
    # Down for 30 s from the onset; each scrape happens a few seconds (< 15) before the instant
    # it is stamped with, so the scrapes stamped onset + 15 and onset + 30 find it down.
    assert (onset + 15) not in stamps and (onset + 30) not in stamps
    survivor = select(metrics(result, "duroxide_orchestration_starts_total"), instance="toygres-1:8080")
    assert all(s.samples == sorted(s.samples) for s in survivor)


def test_replica_restart_reinitialises_the_gauge_from_the_store():
    result = simulate(["replica-restart"], replicas=2, **WINDOW)
    onset = result.header["onset"]
    gauges = metrics(result, "duroxide_active_orchestrations")
    after = next(r for r in result.truth if r["ts"] > onset + 60)
    total = sum(s.at(after["ts"]) for s in gauges)
    # The restarted process starts from the store's global running count: the sum overcounts.
    assert total > after["active"]["total"] * 1.3


def test_stuck_orchestrations_loop_on_a_sub_second_wait_for_ready():
    """Newest: wait-for-ready is one pod-list call (sub-second), then a 5 s timer, up to 120 x:
    a stuck create calls it about every 5 s and fails after ~10 minutes."""
    result = simulate(["stuck-orchestrations"], **WINDOW)
    fault = result.header["faults"][0]
    record = next(r for r in result.truth if r["ts"] == fault["end"])
    latency = record["activity_latency"]["toygres-orchestrations::activity::wait-for-ready"]
    assert latency["p95"] < 1.0
    calls = [r["activities"]["toygres-orchestrations::activity::wait-for-ready"]["success"]
             for r in result.truth if r["ts"] in (fault["start"], fault["end"])]
    stuck_minutes = (fault["end"] - fault["start"]) / 60
    assert calls[1] - calls[0] >= 12 * stuck_minutes  # >= one stuck create calling every 5 s
    failed = result.truth[-1]["orchestrations"]["toygres-orchestrations::orchestration::create-instance"]["failed"]
    assert failed >= 2


def test_unknown_scenario_lists_the_known_ones():
    with pytest.raises(SimulationError, match=r"unknown scenario 'nope' \(known: healthy, activity-failure-storm"):
        resolve(["nope"])
