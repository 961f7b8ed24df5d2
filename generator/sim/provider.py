"""The provider (duroxide's Postgres store) as a latency and error model per operation,
including the idle dispatcher polls that dominate the operation rate."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from statistics import NormalDist


# Median latency (seconds) and log-normal sigma per operation on a healthy store. An idle
# fetch is an indexed "nothing visible" query; a fetch that returns work also locks the
# instance and loads its history; acks write history and enqueue messages in one transaction.
IDLE_FETCH = (0.0015, 0.45)
OPERATION_LATENCY: dict[str, tuple[float, float]] = {
    "fetch_orchestration_item": (0.004, 0.5),
    "ack_orchestration_item": (0.006, 0.5),
    "read": (0.002, 0.5),
    "fetch_work_item": (0.0035, 0.5),
    "ack_work_item": (0.0045, 0.5),
    "enqueue_orchestrator": (0.003, 0.5),
    "renew_session_lock": (0.002, 0.4),
    "cleanup_orphaned_sessions": (0.012, 0.6),
}
# Writes can deadlock; every statement can time out. The statement timeout bounds latency.
WRITE_OPERATIONS = frozenset({"ack_orchestration_item", "ack_work_item", "enqueue_orchestrator"})
STATEMENT_TIMEOUT = 5.0
# E2 session maintenance (v0.1.18+), one manager task per process (worker.rs session manager):
# renew_session_lock about every 25 s, cleanup_orphaned_sessions every 300 s.
SESSION_RENEW_EVERY = 25.0
SESSION_CLEANUP_EVERY = 300.0
# The error text decides provider_errors_total{error_type} by a case-sensitive substring test
# (providers/instrumented.rs:59-71): "deadlock", "timeout", "connection", else "other".
# duroxide-pg's texts per failure, and whether duroxide retries them (ProviderError::retryable):
ERROR_TEXT = {
    "deadlock": "deadlock detected (40P01)",
    "timeout": "canceling statement due to statement timeout",
    "connection": "Connection pool error: pool timed out while waiting for an open connection",
    "other": "I/O error: Connection reset by peer (os error 104)",
}
RETRYABLE = frozenset({"deadlock", "connection", "other"})


def error_type_of(text: str) -> str:
    """duroxide's classification of a provider error by its text (instrumented.rs:59-71)."""
    for needle in ("deadlock", "timeout", "connection"):
        if needle in text:
            return needle
    return "other"
# Quantile table size for bulk sampling: 4096 quantiles of the unit log-normal.
_TABLE_SIZE = 4096


@dataclass
class StoreHealth:
    """The store's current condition; scenarios change it at fault start and end."""

    latency_multiplier: float = 1.0
    p_timeout: float = 0.0
    p_deadlock: float = 0.0
    p_connection: float = 0.0
    # I/O errors talking to the database (connection reset): classified "other".
    p_io: float = 0.0
    # Under a slow store, long histories (big fetch/ack payloads) time out more often.
    p_timeout_per_history_event: float = 0.0
    # Row/table lock waits (median seconds, log-normal sigma) added to these operations, e.g.
    # while a maintenance transaction holds locks on duroxide's instance and history tables.
    lock_wait: dict[str, tuple[float, float]] = field(default_factory=dict)
    # The database cannot be reached: no connection can be opened (generator.sim.fetch_loop).
    unreachable: bool = False
    # The chance that a write retried 10-160 ms after a deadlock meets the same conflict again:
    # the transactions it collided with still hold the hot rows (a modelling choice, not read
    # from duroxide: under a slow store they run 20x longer than the retry's backoff).
    deadlock_repeat: float = 0.0


def _normal_quantiles(n: int) -> list[float]:
    """Standard-normal quantiles at the mid-points of n equal-probability cells."""
    unit = NormalDist()
    return [unit.inv_cdf((i + 0.5) / n) for i in range(n)]


_Z = _normal_quantiles(_TABLE_SIZE)


class ProviderModel:
    """Samples provider operation latencies and outcomes from a seeded stream."""

    def __init__(self, rng: random.Random, health: StoreHealth) -> None:
        self.rng = rng
        self.health = health
        idle_median, idle_sigma = IDLE_FETCH
        # A quantile table makes bulk idle-poll sampling cheap and still exact per sample.
        self._idle_table = [idle_median * math.exp(idle_sigma * z) for z in _Z]

    def sample(self, operation: str, history_events: int = 0) -> tuple[float, str, str | None]:
        """(seconds, status, error_type or None) for one operation that did work."""
        median, sigma = OPERATION_LATENCY[operation]
        health = self.health
        rng = self.rng
        seconds = median * health.latency_multiplier * math.exp(sigma * rng.gauss(0.0, 1.0))
        if health.latency_multiplier == 1.0 and health.p_timeout == 0.0 and health.p_deadlock == 0.0 \
                and health.p_connection == 0.0 and health.p_io == 0.0 and not health.lock_wait:
            return seconds, "success", None
        wait = health.lock_wait.get(operation)
        if wait is not None:
            seconds += wait[0] * math.exp(wait[1] * rng.gauss(0.0, 1.0))
        return self._faulty(operation, seconds, history_events)

    def retry_after(self, operation: str, previous: tuple[float, str, str | None],
                    history_events: int = 0) -> tuple[float, str, str | None]:
        """The next attempt of a retried write: after a deadlock it meets the same conflict with
        the health's deadlock_repeat chance, else it is sampled afresh."""
        if previous[2] == "deadlock" and self.rng.random() < self.health.deadlock_repeat:
            median, sigma = OPERATION_LATENCY[operation]
            seconds = median * self.health.latency_multiplier * math.exp(sigma * self.rng.gauss(0.0, 1.0))
            return 1.0 + seconds, "error", "deadlock"
        return self.sample(operation, history_events)

    def _faulty(self, operation: str, seconds: float, history_events: int) -> tuple[float, str, str | None]:
        health = self.health
        rng = self.rng
        p_timeout = health.p_timeout + health.p_timeout_per_history_event * history_events
        roll = rng.random()
        if roll < p_timeout or seconds >= STATEMENT_TIMEOUT:
            return STATEMENT_TIMEOUT + rng.random() * 0.05, "error", error_type_of(ERROR_TEXT["timeout"])
        roll -= p_timeout
        if operation in WRITE_OPERATIONS and roll < health.p_deadlock:
            # Postgres detects a deadlock after deadlock_timeout (1 s) and aborts one side.
            return 1.0 + seconds, "error", error_type_of(ERROR_TEXT["deadlock"])
        roll -= health.p_deadlock if operation in WRITE_OPERATIONS else 0.0
        if roll < health.p_connection:
            return seconds, "error", error_type_of(ERROR_TEXT["connection"])
        roll -= health.p_connection
        if roll < health.p_io:
            return seconds, "error", error_type_of(ERROR_TEXT["other"])
        return seconds, "success", None

    def idle_polls(self, count: int) -> tuple[list[float], dict[str, list[float]]]:
        """Latencies of `count` empty fetches: successes, and errors by error_type (a statement
        timeout, the pool timing out, an I/O error)."""
        if count <= 0:
            return [], {}
        health = self.health
        rng = self.rng
        samples = rng.choices(self._idle_table, k=count)
        mult = health.latency_multiplier
        if mult != 1.0:
            samples = [s * mult for s in samples]
        p_timeout, p_connection, p_io = health.p_timeout, health.p_connection, health.p_io
        if p_timeout <= 0.0 and p_connection <= 0.0 and p_io <= 0.0 and mult * IDLE_FETCH[0] * 20 < STATEMENT_TIMEOUT:
            return samples, {}
        random_ = rng.random
        ok: list[float] = []
        errors: dict[str, list[float]] = {}
        for s in samples:
            roll = random_()
            if roll < p_timeout or s >= STATEMENT_TIMEOUT:
                errors.setdefault("timeout", []).append(STATEMENT_TIMEOUT + random_() * 0.05)
            elif roll < p_timeout + p_connection:
                errors.setdefault("connection", []).append(s)
            elif roll < p_timeout + p_connection + p_io:
                errors.setdefault("other", []).append(s)
            else:
                ok.append(s)
        return ok, errors
