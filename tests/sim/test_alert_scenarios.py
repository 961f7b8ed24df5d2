"""The scenarios added for the alert proofs behave as documented: exporter-down, the backoff-
then-poison path of an unregistered activity, store lock contention, the runaway client, and the CMS
sharing the slow store's Postgres."""

from __future__ import annotations

from generator.sim.worker import MAX_ATTEMPTS, unregistered_backoff
from tests.sim.helpers import END, HOUR_WINDOW, RUNAWAY_WINDOW, metrics, select, simulate

# Every fault here lasts at most 30 minutes: the hour the log tests simulate holds it whole.
WINDOW = HOUR_WINDOW
HEALTH_CHECK = "toygres-orchestrations::activity::cms-record-health-check"


def test_exporter_down_leaves_a_gap_and_counters_carry_on():
    result = simulate(["exporter-down"], **WINDOW)
    fault = result.header["faults"][0]
    step = result.header["scrape_interval"]
    (queue,) = metrics(result, "duroxide_orchestrator_queue_depth")
    stamps = {t for t, _ in queue.samples}
    # The process is scraped a few seconds before each aligned instant (its scrape offset), so
    # the scrape stamped `start` still happens and the one stamped `end` does not.
    assert stamps == set(range(END - WINDOW["duration_seconds"], END + 1, step)) - set(range(fault["start"] + step, fault["end"] + 1, step))
    assert fault["end"] - fault["start"] == 1200
    for series in metrics(result, "duroxide_orchestration_starts_total"):
        values = [v for _, v in series.samples]
        assert values == sorted(values), "no counter reset: the process kept running"
    record = next(r for r in result.truth if r["ts"] == fault["start"] + 60)
    assert record["targets_scraped"] == 0 and record["replicas_up"] == 1


def test_unregistered_activity_backs_off_then_poisons():
    result = simulate(["unregistered-activity"], **WINDOW)
    onset = result.header["onset"]
    assert sum(unregistered_backoff(a) for a in range(1, MAX_ATTEMPTS + 1)) == 303
    before = next(r for r in result.truth if r["ts"] == onset)["activities"][HEALTH_CHECK]
    end = result.header["faults"][0]["end"]
    after = next(r for r in result.truth if r["ts"] == end)["activities"][HEALTH_CHECK]
    # Items fetched before the onset still ran; nothing fetched after it was executed.
    assert sum(after.values()) - sum(before.values()) <= 10, "no execution of the unregistered activity"
    poisoned = [r["ts"] - onset for r in result.truth if r["poisoned"]["activity"] > 0]
    assert 303 <= poisoned[0] <= 303 + 120, "first poison after the 10 backoffs (plus an actor cycle)"
    (poison,) = metrics(result, "duroxide_activity_poison_total")
    assert poison.last == result.truth[-1]["poisoned"]["activity"] > 10
    lines = [line for line in result.log_lines() if "Activity not registered, abandoning with" in line]
    assert any("abandoning with 1.0s backoff (will poison in 9 more attempts)" in line for line in lines)
    assert all(" WARN " in line for line in lines)


def test_store_lock_contention_starves_orchestration_turns():
    result = simulate(["store-lock-contention"], **WINDOW)
    fault = result.header["faults"][0]
    during = [r for r in result.truth if fault["start"] + 60 <= r["ts"] <= fault["start"] + 300]
    assert min(r["orchestrator_queue"] for r in during) >= 10
    assert max(r["worker_queue"] for r in during) <= 2, "the worker side is not locked"
    settled = [r for r in result.truth if fault["start"] + 300 <= r["ts"] <= fault["start"] + 600]
    acks = [r["provider_p95"]["by_operation"]["ack_orchestration_item"] for r in settled]
    assert min(acks) >= 5.0, "most acks wait into the 5 s statement timeout (trailing 5 min p95)"
    # A statement timeout is permanent: the instance fails at once (no redelivery, no poison).
    assert result.truth[-1]["poisoned"]["orchestration"] == 0
    failed = sum(o["failures"].get("infrastructure_error", 0) for o in result.truth[-1]["orchestrations"].values())
    assert failed > 0


def test_runaway_client_starts_250_creates_at_once():
    result = simulate(["runaway-client"], **RUNAWAY_WINDOW)
    onset = result.header["onset"]
    at = {r["ts"]: r for r in result.truth}
    assert at[onset + 60]["active"]["total"] - at[onset - 15]["active"]["total"] >= 250
    # create-instance 1.0.8 takes one of the create-semaphore's 10 permits before its CMS record
    # exists (reference): the 250 wait, never more than 10 are 'creating' at once.
    assert max(r["instances"]["creating"] for r in result.truth) <= 10
    assert at[onset + 600]["active"]["by_orchestration"]["toygres-orchestrations::orchestration::create-instance"] > 100
    (gauge,) = select(metrics(result, "duroxide_active_orchestrations"), instance="toygres-0:8080")
    assert max(v for _, v in gauge.samples) > 250


def test_database_slow_slows_the_cms_queries_too():
    """Toygres keeps its CMS schema in the store's Postgres: the 20x applies to cms-* activities."""
    healthy, slow = simulate(**WINDOW), simulate(["database-slow"], **WINDOW)
    fault = slow.header["faults"][0]
    ts = fault["start"] + 600
    name = "toygres-orchestrations::activity::cms-get-instance-connection"
    base = next(r for r in healthy.truth if r["ts"] == ts)["activity_latency"][name]["p50"]
    during = next(r for r in slow.truth if r["ts"] == ts)["activity_latency"][name]["p50"]
    assert 10 < during / base < 40


ACTOR = "toygres-orchestrations::orchestration::instance-actor"


def test_unregistered_orchestration_records_no_start_and_ends_in_poison_only():
    """reference (duroxide-metrics.md, Poison): no start is recorded for unregistered turns; a
    message fetched more than max_attempts times is poisoned at fetch: orchestration_poison_total,
    no completion, no failure (so no error_category="poison" either)."""
    result = simulate(["unregistered-orchestration"], **WINDOW)
    fault = result.header["faults"][0]
    starts = select(metrics(result, "duroxide_orchestration_starts_total"), orchestration_name=ACTOR)
    settled, end = fault["start"] + 60, fault["end"]
    assert starts and sum(s.at(settled) or 0.0 for s in starts) == sum(s.at(end) or 0.0 for s in starts), \
        "no instance-actor start recorded once the turns in flight at the onset have ended"
    (poison,) = metrics(result, "duroxide_orchestration_poison_total")
    assert poison.last == result.truth[-1]["poisoned"]["orchestration"] >= 5
    assert all(s.last == 0 for s in metrics(result, "duroxide_activity_poison_total"))
    failures = metrics(result, "duroxide_orchestration_failures_total")
    assert not [s for s in failures if s.labels.get("error_category") == "poison"]
    first = next(r["ts"] for r in result.truth if r["poisoned"]["orchestration"] > 0)
    # 10 abandons with backoff 1, 2, 4 ... 60 s (303 s) before the 11th fetch poisons.
    assert first - fault["start"] >= sum(unregistered_backoff(a) for a in range(1, MAX_ATTEMPTS + 1))
