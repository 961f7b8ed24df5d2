"""Dispatcher fetch loops while the database is unreachable: each slot of each dispatcher
fails its fetch, writes a WARN and backs off, on its own (duroxide v0.1.26
dispatchers/orchestration.rs:373-514, dispatchers/worker.rs:188-253).

With the database down, duroxide-pg cannot open a connection: sqlx waits its acquire timeout
(30 s, duroxide-pg provider.rs:135) and reports "pool timed out while waiting for an open
connection" (retryable). duroxide-pg retries fetch_orchestration_item 3 times, 50 and 100
and 150 ms apart (MAX_RETRIES 3, RETRY_DELAY_MS 50, provider.rs:229-301), with a WARN
"Retryable error, will retry" each, so one failed orchestration fetch takes about 120 s;
fetch_work_item has no retry loop (provider.rs:846-893): one acquire, 30 s. duroxide then
backs off min(100 * 2^n, 3000) ms, n the slot's consecutive errors: 200, 400, 800, 1600,
3000 ms ... Each orchestration slot therefore writes three duroxide-pg lines and one "Error
fetching ... (retryable, attempt n)" line about every 2 minutes while the outage lasts, each
worker slot one line about every 30 s; the counter resets when a fetch succeeds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.sim.log_hooks import pg_retry_times

if TYPE_CHECKING:
    from generator.sim.process import Replica
    from generator.sim.runtime import Runtime

ACQUIRE_TIMEOUT = 30.0
PG_RETRIES = 3
PG_RETRY_DELAY = 0.05
# One orchestration fetch through duroxide-pg with the database unreachable: 4 acquires, 3
# retry sleeps; a work-item fetch: one acquire.
FAILED_FETCH_SECONDS = (PG_RETRIES + 1) * ACQUIRE_TIMEOUT + PG_RETRY_DELAY * (1 + 2 + 3)
FAILED_WORK_FETCH_SECONDS = ACQUIRE_TIMEOUT
DISPATCHERS = (("orch", "fetch_orchestration_item"), ("worker", "fetch_work_item"))
FAILED_SECONDS = {"orch": FAILED_FETCH_SECONDS, "worker": FAILED_WORK_FETCH_SECONDS}


def outage_interval(rt: Runtime, rep: Replica, now: float) -> None:
    """Advance every slot's failing fetch loop of one process up to `now` (database down):
    the failed fetches are recorded as provider operations and errors, one WARN each."""
    loops = rt.fetch_loops.setdefault(rep.index, {})
    for dispatcher, operation in DISPATCHERS:
        pool = rep.orch if dispatcher == "orch" else rep.work
        # Idle polls do not happen: every slot is stuck in its failing fetch.
        pool.take_idle_seconds(now)
        pool.poll_carry = 0.0
        slots = loops.setdefault(dispatcher, [])
        seconds = FAILED_SECONDS[dispatcher]
        if not slots:
            # Each slot's first fetch after the outage began (slots poll out of step); the loop's
            # start bounds the duroxide-pg retry lines of that first fetch.
            jitter = rt.rng_sched.random
            slots.extend([now + seconds * jitter(), 1, now] for _ in range(pool.size))
        failed = []
        for slot in slots:
            while slot[0] <= now:
                at, attempt, since = slot
                retries = None
                if dispatcher == "orch":
                    retries = [t for t in pg_retry_times(at, ACQUIRE_TIMEOUT) if t >= since]
                backoff_ms = rt.logs.fetch_failed(at, dispatcher, "connection", attempt, retries)
                failed.append(seconds)
                slot[0] = at + backoff_ms / 1000.0 + seconds
                slot[1] = attempt + 1
        if failed:
            rt.rec.provider_operations(rep.index, operation, "error", failed)
            rt.rec.provider_error(rep.index, operation, "connection", len(failed))
            if now >= 0.0:
                rt.truth.provider_many(operation, failed)
                rt.truth.provider_error(now, operation, "connection", len(failed))


def idle_poll_errors(rt: Runtime, rep: Replica, operation: str, now: float, interval: float, count: int,
                     error_type: str = "timeout") -> None:
    """Idle polls that failed (a statement timeout is permanent: the slot sleeps 100 ms; a
    retryable error backs off): one WARN each, spread over the interval."""
    dispatcher = "orch" if operation == "fetch_orchestration_item" else "worker"
    random = rt.rng_sched.random
    for _ in range(count):
        rt.logs.fetch_failed(now - interval * random(), dispatcher, error_type, 1)


def recovered(rt: Runtime, rep: Replica) -> None:
    """The store answers again: every slot's error counter resets at its next fetch."""
    rt.fetch_loops.pop(rep.index, None)


__all__ = ["outage_interval", "idle_poll_errors", "recovered", "FAILED_FETCH_SECONDS"]
