"""Named, composable fault scenarios: what changes at the fault start, what an operator should
see, and the signature each must leave in the ground truth (checked by `evaluate`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol, Sequence

from generator.sim.errors import SimulationError
from generator.sim.provider import StoreHealth
from generator.sim.truth import WINDOW_SECONDS, lookup
from generator.sim.workload import Faults, activity_name, orchestration_name

# Slot-seconds of activity work one create-instance needs: in the newest workload about 27 s
# (get-connection-strings' load-balancer wait ~20 s median, deploy ~4 s, sub-second calls); 35
# keeps a margin for retries, so the surge below stays above what the slots serve.
CREATE_SLOT_SECONDS = 35.0
# Instant scenarios (a restart, a burst) are judged over this span after their start.
INSTANT_SPAN = 600.0


class FaultTarget(Protocol):
    """What a scenario may change: the runtime exposes exactly this."""

    faults: Faults
    health: StoreHealth
    batch_size: int

    def restart_replica(self, index: int, downtime: float) -> None: ...
    def batch_create(self, count: int) -> None: ...
    def set_surge(self, per_hour: float, lifetime: float) -> None: ...
    def worker_capacity(self) -> int: ...


Action = Callable[[FaultTarget], None]


def _nothing(_: FaultTarget) -> None:
    return None


@dataclass(frozen=True)
class Scenario:
    """A fault, its default duration (None: instant), and its expected truth signature."""

    name: str
    summary: str
    operator_sees: str
    start: Action = _nothing
    stop: Action = _nothing
    duration: float | None = None
    # truth path -> expectation: up | down | rises | increases | zero | x<N> | below:<X>
    expect: Mapping[str, str] = field(default_factory=dict)
    # The signature under duroxide <= v0.1.9 where it differs (None: the same).
    expect_v0_1_9: Mapping[str, str] | None = None

    def expectations(self, version: tuple[int, int, int]) -> dict[str, str]:
        """The truth signature for duroxide `version` (its config_error era differs)."""
        legacy = self.expect_v0_1_9 is not None and version <= (0, 1, 9)
        return dict(self.expect_v0_1_9 if legacy and self.expect_v0_1_9 is not None else self.expect)


# Both deploy activities: create-instance >= 1.0.5 calls deploy-postgres-v2, HEAD deploy-postgres.
_STORM = {"deploy-postgres": (0.7, "Kubernetes API error: 500 Internal Server Error"),
          "deploy-postgres-v2": (0.7, "Kubernetes API error: 500 Internal Server Error"),
          "test-connection": (0.6, "Connection test failed: connection timed out")}


def _storm_start(t: FaultTarget) -> None:
    t.faults.activity_fail.update(_STORM)


def _storm_stop(t: FaultTarget) -> None:
    for short in _STORM:
        t.faults.activity_fail.pop(short, None)


def _slow_start(t: FaultTarget) -> None:
    h = t.health
    h.latency_multiplier, h.p_timeout, h.p_deadlock = 20.0, 0.01, 0.02
    h.deadlock_repeat = 0.8
    h.p_timeout_per_history_event = 0.002
    # The CMS lives in the same Postgres (schema toygres_cms next to toygres_duroxide).
    t.faults.cms_latency_multiplier = h.latency_multiplier


def _slow_stop(t: FaultTarget) -> None:
    h = t.health
    h.latency_multiplier, h.p_timeout, h.p_deadlock, h.p_timeout_per_history_event = 1.0, 0.0, 0.0, 0.0
    h.deadlock_repeat = 0.0
    t.faults.cms_latency_multiplier = 1.0


# A maintenance transaction (VACUUM FULL, REINDEX, a bulk prune) locks duroxide's instance and
# history tables: every orchestration fetch and ack waits on the lock (median 6 s), so most hit
# the 5 s statement timeout; the worker queue's tables are not locked.
LOCKED_OPERATIONS = ("fetch_orchestration_item", "ack_orchestration_item")
LOCK_WAIT = (6.0, 0.2)


def _locks(on: bool) -> Action:
    def act(t: FaultTarget) -> None:
        for operation in LOCKED_OPERATIONS:
            if on:
                t.health.lock_wait[operation] = LOCK_WAIT
            else:
                t.health.lock_wait.pop(operation, None)
    return act


# A runaway automation loop: this many batch-creates within seconds.
RUNAWAY_BATCHES = 5


def _runaway(t: FaultTarget) -> None:
    for _ in range(RUNAWAY_BATCHES):
        t.batch_create(t.batch_size)


def _down(on: bool) -> Action:
    def act(t: FaultTarget) -> None:
        t.faults.cms_down = on
        # The store lives in the same database: idle dispatcher slots fail their fetches.
        t.health.unreachable = on
    return act


def _stuck(on: bool) -> Action:
    def act(t: FaultTarget) -> None:
        t.faults.stuck_ready = on
    return act


def _backlog_start(t: FaultTarget) -> None:
    # 1.3x what the worker slots can serve, from short-lived (CI) tenants.
    capacity_per_hour = t.worker_capacity() * 3600.0 / CREATE_SLOT_SECONDS
    t.set_surge(1.3 * capacity_per_hour, 480.0)


def _backlog_stop(t: FaultTarget) -> None:
    t.set_surge(0.0, 0.0)


def _unregistered(on: bool) -> Action:
    def act(t: FaultTarget) -> None:
        # A deploy renamed the handler's registration; the actor still schedules the old name.
        if on:
            t.faults.unregistered["cms-record-health-check"] = True
        else:
            t.faults.unregistered.pop("cms-record-health-check", None)
    return act


def _unregistered_orchestration(on: bool) -> Action:
    def act(t: FaultTarget) -> None:
        # A deploy renamed instance-actor's registration; create-instance still starts, and the
        # store still holds, the old name: no process can run any of its turns.
        if on:
            t.faults.unregistered_orchestrations["instance-actor"] = True
        else:
            t.faults.unregistered_orchestrations.pop("instance-actor", None)
    return act


def _scrape_down(on: bool) -> Action:
    def act(t: FaultTarget) -> None:
        t.faults.scrape_down = on
    return act


_CREATE = orchestration_name("create-instance")

SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario(
        "healthy", "Steady create/delete traffic, tens of live instances, every actor cycling.",
        "Flat active count (~instances + in-flight creates + the pruner), empty queues, provider "
        "p95 of a few ms dominated by idle polls, a few percent of deploy/connection failures.",
        # A user cancelling a create while one of its activities runs orphans that activity:
        # its ack fails ("other"), so even a healthy store shows an odd provider error.
        expect={"replica_restarts": "zero", "trailing.provider_errors": "below:3", "worker_queue": "below:20"}),
    Scenario(
        "activity-failure-storm", "deploy-postgres-v2 (70 %) and test-connection (60 %) start failing.",
        "Activity failure ratio jumps for those two activities; create-instance failures and "
        "compensating delete-instance runs rise; actors report unhealthy but keep cycling; "
        "WARN lines 'Activity failed (application error)'.",
        _storm_start, _storm_stop, 1800.0,
        {"trailing.activity_failure_ratio": "up",
         f"activities.{activity_name('deploy-postgres-v2')}.app_error": "increases",
         f"activities.{activity_name('test-connection')}.app_error": "increases"}),
    Scenario(
        "database-slow", "The duroxide store slows 20x, with statement timeouts and deadlocks.",
        "Provider operation p95 about 20x the baseline, provider errors (timeout, deadlock) by "
        "operation; orchestration durations do not grow (they time the handler only). A deadlocked "
        "ack is retried 5 times (WARN lines); when the conflict persists or a statement times out "
        "the instance fails with no completion line (only the unlabelled infrastructure twins); "
        "activity ack failures surface as unlabelled infra_error executions.",
        _slow_start, _slow_stop, 1800.0,
        {"provider_p95.all": "x20", "trailing.provider_errors": "up"}),
    Scenario(
        "database-down", "The CMS database pool cannot initialise: every cms-* activity fails.",
        "CMS activities fail with 'Failed to initialize global database pool' (WARN); instance "
        "actors (1.0.3) survive: each warns, waits 30 s and continues as new, so active "
        "orchestrations hold (at HEAD every actor failed within a cycle and the count fell); "
        "creates and deletes fail. The store shares the database: each idle "
        "dispatcher slot logs WARN 'Error fetching ... (retryable, attempt n): ... pool timed out', "
        "backing off 200, 400 ... 3000 ms, with no instance named: an orchestration slot about every "
        "2 minutes after duroxide-pg's three 'Retryable error, will retry' lines, a worker slot about "
        "every 30 s (duroxide-pg does not retry fetch_work_item).",
        _down(True), _down(False), 1200.0,
        {"trailing.activity_failure_ratio": "up", "active.total": "x1"}),
    Scenario(
        "stuck-orchestrations",
        "Pods never become ready: creates loop on wait-for-ready (a sub-second call, then 5 s) up to 120 x.",
        "Active create-instance orchestrations climb, instances pile up in 'creating', "
        "wait-for-ready executions and create-instance turns run at one per stuck create every "
        "~5 s while its latency stays sub-second; each create fails after ~10 minutes (120 x) "
        "and compensates (delete-instance).",
        _stuck(True), _stuck(False), 2700.0,
        {f"active.by_orchestration.{_CREATE}": "rises", "instances.creating": "rises"}),
    Scenario(
        "queue-backlog", "A surge of short-lived creates asks 1.3x what the worker slots serve.",
        "Worker queue depth climbs while the surge lasts (E2 gauges move every 60 s, E1's stay "
        "at their start-up value); actor health checks fall behind; it drains afterwards.",
        _backlog_start, _backlog_stop, 1200.0,
        {"worker_queue": "rises", "instances.creating": "rises"}),
    Scenario(
        "unregistered-activity", "A deploy renames cms-record-health-check's registration.",
        "No execution is recorded for cms-record-health-check (no config_error anywhere): WARN "
        "'Activity not registered, abandoning with 1.0s backoff (will poison in 9 more attempts)' "
        "lines from the first cycle on; about 5 minutes later (backoff 1, 2, 4 ... 60 s over 10 "
        "fetches) each item is poisoned (activity_poison_total), its actor fails as poison "
        "(orchestration_poison_total, failures_total{error_type=\"unknown\", "
        "error_category=\"poison\"}) and active orchestrations fall.",
        _unregistered(True), _unregistered(False), 1800.0,
        {"poisoned.activity": "increases", "poisoned.orchestration": "increases", "active.total": "down"},
        # Up to v0.1.9 each execution failed at once as config_error and failed its actor.
        {f"activities.{activity_name('cms-record-health-check')}.config_error": "increases",
         f"orchestrations.{orchestration_name('instance-actor')}.failures.config_error": "increases",
         "active.total": "down"}),
    Scenario(
        "exporter-down", "Prometheus cannot scrape Toygres for 20 minutes; the processes keep running.",
        "Every Toygres series stops (a gap in every panel), then continues where it left off: "
        "counters carry on without a reset because the processes never stopped.",
        _scrape_down(True), _scrape_down(False), 1200.0,
        {"targets_scraped": "down"}),
    Scenario(
        "store-lock-contention",
        "A maintenance transaction locks the store's history tables: orchestration statements "
        "wait into the 5 s timeout.",
        "fetch_orchestration_item and ack_orchestration_item at the 5 s statement timeout, provider "
        "timeouts; turns are starved, so the orchestrator queue holds most live instances while the "
        "worker side stays fast; acks failing 10 times poison orchestrations (infrastructure_error) "
        "and actors die; it drains after the locks are released.",
        _locks(True), _locks(False), 1200.0,
        {"orchestrator_queue": "rises", "provider_p95.by_operation.ack_orchestration_item": "up"}),
    Scenario(
        "runaway-client",
        "An automation loop batch-creates 5 x --batch-size (250) instances within seconds.",
        "Active orchestrations jump by ~250 at once; create-instance 1.0.8 waits on the "
        "10-permit create-semaphore, so at most 10 instances are 'creating' and the worker "
        "queue stays short (the semaphore's permit signals queue in it) while the creates "
        "drain ten at a time over ~30 minutes; the fleet stays far larger than normal.",
        _runaway,
        expect={"active.total": "rises", "instances.creating": "below:11"}),
    Scenario(
        "replica-restart", "Replica toygres-0 restarts (down 30 s).",
        "Its counters reset (rate() handles it; raw counters drop), its gauges re-initialise "
        "from the store (so the sum of the active gauge over replicas overcounts), a 30 s gap "
        "and in-flight work redelivered when its locks expire.",
        lambda t: t.restart_replica(0, 30.0),
        expect={"replica_restarts": "increases"}),
    Scenario(
        "burst", "A user batch-creates 50 instances at once.",
        "Active create-instance orchestrations jump by the batch size; batch-create polls "
        "get-batch-status every 15 s; the 10-permit create-semaphore lets ten creates run at a "
        "time (instances in 'creating' rise to 10, not 50); the live fleet is larger afterwards.",
        lambda t: t.batch_create(t.batch_size),
        expect={"instances.creating": "rises", f"active.by_orchestration.{_CREATE}": "rises"}),
    Scenario(
        "unregistered-orchestration", "A deploy renames instance-actor's registration.",
        "No start, completion or failure is recorded for instance-actor (duroxide records no metric "
        "for an unregistered orchestration): WARN duroxide::runtime 'Orchestration not registered, "
        "abandoning with 1.0s backoff (will poison in 9 more attempts)' with instance= on every "
        "fetch of an actor's messages; after 10 abandons (backoff 1, 2, 4 ... 60 s, about 5 "
        "minutes) the next fetch poisons it (WARN 'Orchestration message exceeded max attempts, "
        "marking as poison', orchestration_poison_total, no failure line, no failures_total) and "
        "active orchestrations fall as the actors end.",
        _unregistered_orchestration(True), _unregistered_orchestration(False), 1800.0,
        {"poisoned.orchestration": "increases", "active.total": "down"},
        # Up to v0.1.9 a new actor fails at once as config_error; running ones lose their
        # messages and stay Running (no poison, active.total does not fall).
        {f"orchestrations.{orchestration_name('instance-actor')}.failures.config_error": "increases"}),
)}


def resolve(names: Sequence[str]) -> tuple[Scenario, ...]:
    """Scenarios by name (order kept, duplicates dropped); unknown names are an error."""
    out: list[Scenario] = []
    for name in names:
        if name not in SCENARIOS:
            raise SimulationError(f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})")
        if SCENARIOS[name] not in out:
            out.append(SCENARIOS[name])
    return tuple(out) or (SCENARIOS["healthy"],)


@dataclass(frozen=True)
class Check:
    """One expectation evaluated against the truth."""

    scenario: str
    path: str
    expectation: str
    ok: bool
    detail: str


def evaluate(header: Mapping[str, Any], samples: Sequence[Mapping[str, Any]]) -> list[Check]:
    """Does the truth carry each scenario's signature? Windows: warm-up = (start+5m, onset],
    fault = (fault start, fault end] (instant faults: 10 minutes)."""
    checks: list[Check] = []
    faults = {f["scenario"]: f for f in header.get("faults", [])}
    start = header["start"]
    for name, expect in header.get("expect", {}).items():
        fault = faults.get(name)
        for path, expectation in expect.items():
            ok, detail = _judge(expectation, path, samples, start, fault)
            checks.append(Check(name, path, expectation, ok, detail))
    return checks


def _series(samples: Sequence[Mapping[str, Any]], path: str, lo: float, hi: float) -> list[float]:
    out = []
    for s in samples:
        if lo < s["ts"] <= hi:
            v = lookup(s, path)
            out.append(float(v) if isinstance(v, (int, float)) else 0.0)
    return out


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _judge(expectation: str, path: str, samples: Sequence[Mapping[str, Any]], start: int,
           fault: Mapping[str, Any] | None) -> tuple[bool, str]:
    end = samples[-1]["ts"] if samples else start
    if expectation == "zero" or expectation.startswith("below:"):
        values = _series(samples, path, start - 1, end)
        limit = 0.0 if expectation == "zero" else float(expectation.split(":", 1)[1])
        return max(values, default=0.0) <= limit, f"max {max(values, default=0.0):g} (limit {limit:g})"
    if fault is None:
        return False, "no fault window to judge against"
    onset = fault["start"]
    stop = min(end, fault["end"] if fault["end"] > onset else onset + INSTANT_SPAN)
    warm = _series(samples, path, start + WINDOW_SECONDS, onset)
    # Trailing-window fields need a full window inside the fault to show it.
    settle = WINDOW_SECONDS if (path.startswith("trailing.") or path.startswith("provider_p95")) \
        and stop - onset > 2 * WINDOW_SECONDS else 0.0
    during = _series(samples, path, onset + settle, stop)
    # The last sample before the fault (a fault starting at a scrape instant shows in it).
    prior = _series(samples, path, start - 1, onset - 1)
    before = prior[-1] if prior else 0.0
    base, peak, mean = _mean(warm), max(during, default=0.0), _mean(during)
    if expectation == "up":
        return mean > max(2.0 * base, base + 1e-9), f"mean {mean:g} during vs {base:g} before"
    if expectation == "down":
        return mean <= 0.5 * base and base > 0, f"mean {mean:g} during vs {base:g} before"
    if expectation == "rises":
        return peak >= before + max(3.0, 0.5 * before), f"peak {peak:g} vs {before:g} at onset"
    if expectation == "increases":
        last = during[-1] if during else before
        return last > before, f"{before:g} at onset -> {last:g}"
    if expectation.startswith("x"):
        factor = float(expectation[1:])
        ratio = mean / base if base else float("inf")
        return factor / 2 <= ratio <= factor * 2, f"ratio {ratio:.3g} (expected ~{factor:g})"
    return False, f"unknown expectation {expectation!r}"
