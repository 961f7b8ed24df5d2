"""What duroxide writes at each point the simulator models: one method per behaviour, called by
the runtime, worker and process models where the behaviour happens. Each method writes the
catalogue events duroxide v0.1.26 writes there, in its order and with its retry/backoff timing.

The store's error texts are duroxide-pg v0.1.27's (sqlx_to_provider_error, provider.rs:111-140)
over sqlx's Display: pool exhaustion and deadlocks are retryable, a statement timeout is a
permanent "Database error", an I/O failure retryable.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING, Any

from generator.log_catalogue import PG_PROVIDER
from generator.sim.logs import LogBook, provider_error_debug, startup_line

if TYPE_CHECKING:
    from generator.sim.runtime import Instance
    from generator.sim.worker import Work

ERROR_TEXT = {
    "connection": ("Connection pool error: pool timed out while waiting for an open connection", True),
    "deadlock": ("Deadlock detected: error returned from database: deadlock detected", True),
    "timeout": ("Database error: error returned from database: canceling statement due to statement timeout", False),
    "other": ("I/O error: error communicating with database: Connection reset by peer (os error 104)", True),
}
# The orchestration ack's retry loop (orchestration.rs:1160-1195): 5 retries, 10 ms doubling.
ACK_RETRIES = 5
MAX_ATTEMPTS = 10
# Fetch loops (orchestration.rs:484-497, worker.rs:228-244): retryable errors back off
# min(100 * 2^n, 3000) ms (n = consecutive errors), permanent ones sleep 100 ms.
FETCH_BACKOFF_CAP_MS = 3000


# duroxide-pg v0.1.27 retries fetch_orchestration_item and ack_orchestration_item itself
# (provider.rs:229-301, 434-624): MAX_RETRIES 3, sleeping RETRY_DELAY_MS 50 x attempt, with a
# WARN "Retryable error, will retry" per retry; the 4th failure is returned to duroxide.
PG_RETRIES = 3
PG_RETRY_DELAY = 0.05
PG_RETRIED = frozenset({"fetch_orchestration_item", "ack_orchestration_item"})
# The #[instrument] span of fetch_orchestration_item: skip(self), so its arguments are recorded
# with Debug: Toygres keeps duroxide's orchestrator_lock_timeout (5 s) and
# dispatcher_long_poll_timeout (30 s) (runtime/mod.rs:351-354, toygres-server duroxide.rs:39-42)
# and the dispatcher passes the default capability filter (>=0.0.0, <=0.1.26,
# dispatchers/orchestration.rs:345-351; semver's Debug omits empty pre/build).
FETCH_SPAN = ("fetch_orchestration_item{lock_timeout=5s _poll_timeout=30s filter=Some(DispatcherCapabilityFilter "
              "{ supported_duroxide_versions: [SemverRange { min: Version { major: 0, minor: 0, patch: 0 }, "
              "max: Version { major: 0, minor: 1, patch: 26 } }] })}")


def ack_span(iid: str, execution_id: int, salt: float) -> str:
    """ack_orchestration_item's span: its Debug-printed arguments (history delta, work items,
    metadata) are abbreviated `[..]`/`{ .. }` here; then the custom fields lock_token (duroxide-pg's
    'lock_' || gen_random_uuid()) and execution_id."""
    token = uuid.UUID(bytes=hashlib.md5(f"{iid}/{execution_id}/{salt}".encode()).digest(), version=4)
    return (f"ack_orchestration_item{{history_delta=[..] worker_items=[..] orchestrator_items=[..] "
            f"metadata=ExecutionMetadata {{ .. }} cancelled_activities=[] lock_token=lock_{token} "
            f"execution_id={execution_id}}}")


def fetch_backoff_ms(attempt: int) -> int:
    return min(100 * 2 ** attempt, FETCH_BACKOFF_CAP_MS)


# One duroxide-pg call that fails 4 times sleeps 50 + 100 + 150 ms between its attempts.
PG_CALL_MS = int(sum(PG_RETRY_DELAY * 1000 * k for k in range(1, PG_RETRIES + 1)))


def pg_retry_times(end: float, attempt_seconds: float = 0.0) -> list[float]:
    """When attempts 1-3 of a duroxide-pg call failed, given its 4th failed at `end` and each
    attempt took `attempt_seconds` (the retry sleeps are 50, 100, 150 ms)."""
    times, at = [], end
    for k in range(PG_RETRIES, 0, -1):
        at -= PG_RETRY_DELAY * k + attempt_seconds
        times.append(at)
    return times[::-1]


def provider_error(operation: str, error_type: str) -> tuple[str, bool]:
    """(Display text `operation: message`, retryable) of the store error of this type."""
    message, retryable = ERROR_TEXT[error_type]
    return f"{operation}: {message}", retryable


class DuroxideLog(LogBook):
    """The log book plus the runtime's emission points."""

    # -- process ---------------------------------------------------------------------------
    def process_started(self, t: float) -> None:
        startup_line(self, t)

    # -- dispatcher fetch loops --------------------------------------------------------------
    def provider_retried(self, times: list[float], operation: str, error_type: str, span: str) -> None:
        """duroxide-pg's own retries of one call that failed 4 times (`times`: when each of
        attempts 1-3 failed)."""
        error = provider_error(operation, error_type)[0]
        for attempt, at in enumerate(times, start=1):
            self.emit(at, "pg.retryable", (PG_PROVIDER, operation, attempt, error), span=span)

    def fetch_failed(self, t: float, dispatcher: str, error_type: str, attempt: int,
                     pg_attempts: list[float] | None = None) -> int:
        """One failed fetch of one slot (`attempt` consecutive retryable errors so far, 1-based);
        returns the milliseconds the slot sleeps before its next fetch. A retryable error of
        fetch_orchestration_item was retried by duroxide-pg first: `pg_attempts` are the times
        its attempts 1-3 failed (default: its retry sleeps alone, just before t)."""
        operation = "fetch_orchestration_item" if dispatcher == "orch" else "fetch_work_item"
        message, retryable = ERROR_TEXT[error_type]
        debug = provider_error_debug(operation, message, retryable)
        if retryable and operation in PG_RETRIED:
            if pg_attempts is None:
                pg_attempts = pg_retry_times(t)
            self.provider_retried(pg_attempts, operation, error_type, FETCH_SPAN)
        if retryable:
            backoff = fetch_backoff_ms(attempt)
            self.emit(t, f"{dispatcher if dispatcher == 'orch' else 'worker'}.fetch_retryable",
                      args={"attempt": attempt, "error": debug, "backoff_ms": backoff})
            return backoff
        self.emit(t, f"{dispatcher if dispatcher == 'orch' else 'worker'}.fetch_permanent", args={"error": debug})
        return 100

    # -- orchestration turns -----------------------------------------------------------------
    def turn_started(self, t: float, inst: Instance, worker_id: str, continue_as_new: bool) -> None:
        if self.wants_event("orch.started"):
            self.emit(t, "orch.started", (*_orch(inst), worker_id, continue_as_new))

    def turn_ended(self, t: float, inst: Instance, worker_id: str, status: str, history_events: int,
                   category: str = "", error: str = "") -> None:
        """A terminal turn: completed, continued as new, or failed (three variants by category)."""
        key = {"success": "orch.completed", "continuedAsNew": "orch.continued_as_new"}.get(status)
        if key is None:
            key = {"infrastructure": "orch.failed", "configuration": "orch.failed",
                   "application": "orch.failed_app"}.get(category, "orch.failed_unknown")
            if self.wants_event(key):
                self.emit(t, key, (*_orch(inst), worker_id, history_events, category, error))
        elif self.wants_event(key):
            self.emit(t, key, (*_orch(inst), worker_id, history_events))

    def _ack_provider_retries(self, at: float, span: str, error_type: str) -> None:
        """duroxide-pg's 3 retries inside one ack call that failed with a retryable error at `at`."""
        self.provider_retried(pg_retry_times(at), "ack_orchestration_item", error_type, span)

    def ack_retried(self, t: float, error_types: list[str], inst: Instance) -> None:
        """Retryable ack errors the retry loop got past (orchestration.rs:1176-1183): per failed
        call duroxide-pg's 3 retries (300 ms of sleeps), then one 'retrying' line, 10 ms doubling
        apart, the last retry ending at t."""
        at = t - sum(10 * 2 ** i + PG_CALL_MS for i in range(len(error_types))) / 1000.0
        span = ack_span(inst.iid, inst.execution_id, t)  # one lock token for the turn's acks
        for attempt, error_type in enumerate(error_types):
            backoff = 10 * 2 ** attempt
            at += PG_CALL_MS / 1000.0
            self._ack_provider_retries(at, span, error_type)
            self.emit(at, "orch.ack_retry", (attempt, backoff, provider_error("ack_orchestration_item", error_type)[0]))
            at += backoff / 1000.0

    def ack_failed(self, t: float, inst: Instance, error_type: str) -> float:
        """A failed orchestration ack: the retry loop's lines, then duroxide fails the instance
        (orchestration.rs:964-1000). The failure commit goes through the same loop; after max
        retries the lock was already abandoned, so that commit fails too. Each retryable failure
        of the call was retried 3 times by duroxide-pg first. Returns the seconds the retries took."""
        error, retryable = provider_error("ack_orchestration_item", error_type)
        at = t
        span = ack_span(inst.iid, inst.execution_id, t)  # one lock token for the turn's acks
        if retryable:
            for attempt in range(ACK_RETRIES):
                backoff = 10 * 2 ** attempt
                self._ack_provider_retries(at, span, error_type)
                self.emit(at, "orch.ack_retry", (attempt, backoff, error))
                at += backoff / 1000.0 + PG_CALL_MS / 1000.0
            self._ack_provider_retries(at, span, error_type)
            self.emit(at, "orch.ack_max_retries", (ACK_RETRIES, error))
        else:
            self.emit(at, "orch.ack_permanent", (error,))
        self.emit(at, "orch.ack_failed", (inst.iid, error))
        if retryable:
            lost = "ack_orchestration_item: Invalid lock token"
            self.emit(at, "orch.ack_permanent", (lost,))
            self.emit(at, "orch.failure_commit_failed", (inst.iid, lost))
        else:
            self.emit(at, "orch.failure_committed", (inst.iid,))
        return at - t

    def orchestration_poisoned(self, t: float, inst: Instance, attempt_count: int) -> None:
        self.emit(t, "orch.poison", (inst.iid, attempt_count, MAX_ATTEMPTS))

    def orchestration_unregistered(self, t: float, inst: Instance, backoff: float, version: str) -> None:
        """No handler for the name/version: abandoned with backoff (orchestration.rs:679-692).
        `version` is the batch's: the start message's (None prints "latest") or the history's."""
        remaining = max(MAX_ATTEMPTS - inst.attempts, 0)
        self.emit(t, "orch.unregistered", (inst.iid, inst.name, version, inst.attempts, MAX_ATTEMPTS,
                                           remaining, float(backoff)),
                  args={"backoff": backoff, "remaining": remaining})

    def trace(self, t: float, inst: Instance, level: str, text: str) -> None:
        """ctx.trace_* from orchestration code (never during replay)."""
        self.emit(t, "app.orchestration", _orch(inst), args={"text": text}, level=level)

    # -- activities --------------------------------------------------------------------------
    def activity_started(self, t: float, work: Work, worker_id: str) -> None:
        if self.wants_event("activity.started"):
            self.emit(t, "activity.started", _activity(work, worker_id))

    def activity_ended(self, t: float, work: Work, worker_id: str, outcome: str, seconds: float,
                       value: str = "", error: str = "") -> None:
        """Activity completed (DEBUG) or failed (application error, WARN); a cancelled activity
        writes nothing of its own (the grace-period line belongs to lock loss)."""
        millis = int(seconds * 1000)
        if outcome == "success" and self.wants_event("activity.completed"):
            self.emit(t, "activity.completed", (*_activity(work, worker_id), "success", millis, len(value) + 2))
        elif outcome == "app_error":
            self.emit(t, "activity.failed", (*_activity(work, worker_id), "app_error", millis, error))
        elif outcome == "config_error":
            # duroxide <= v0.1.9 only (worker.rs:506-517 at v0.1.9); no activity_tag field then.
            inst = work.inst
            self.emit(t, "activity.failed_unregistered", (inst.iid, work.execution_id, work.name, work.seq, worker_id,
                                                          "system_error", "unregistered", millis))

    def activity_trace(self, t: float, work: Work, worker_id: str, level: str, text: str) -> None:
        inst = work.inst
        self.emit(t, "app.activity", (inst.iid, work.execution_id, inst.name, inst.version, work.name,
                                      work.seq, worker_id), args={"text": text}, level=level)

    def activity_ack_failed(self, t: float, work: Work, worker_id: str, error_type: str) -> None:
        error, _ = provider_error("ack_work_item", error_type)
        self.emit(t, "worker.ack_failed", (work.inst.iid, work.execution_id, work.seq, worker_id, error))

    def activity_row_gone(self, t: float, work: Work, worker_id: str, error: str, outcome: str) -> None:
        """An activity's ack after its row was stolen: duroxide-pg's ERROR inside its
        #[instrument]ed ack_work_item, then duroxide's WARN with the error it returned."""
        self.emit(t, "pg.ack_worker_not_found", (PG_PROVIDER, "ack_worker", "worker_item_not_found",
                                                 _lock_token(work)), span=_work_ack_span(work, outcome))
        self.emit(t, "worker.ack_failed", (work.inst.iid, work.execution_id, work.seq, worker_id, error))

    def activity_unregistered(self, t: float, work: Work, worker_id: str, backoff: float) -> None:
        remaining = max(MAX_ATTEMPTS - work.attempts, 0)
        self.emit(t, "activity.unregistered",
                  (*_activity(work, worker_id), work.attempts, MAX_ATTEMPTS, remaining, float(backoff)),
                  args={"backoff": backoff, "remaining": remaining})

    def activity_poisoned(self, t: float, work: Work) -> None:
        self.emit(t, "worker.poison", (work.inst.iid, work.name, work.seq, work.attempts, MAX_ATTEMPTS))

    def system_error(self, t: float, inst: Instance, activity_id: int, error: str) -> None:
        """The next turn of an orchestration whose activity failed with a system error."""
        self.emit(t, "replay.system_error", (inst.iid, activity_id, error))

    # -- session upkeep ----------------------------------------------------------------------
    def session_op_failed(self, t: float, operation: str, error_type: str) -> None:
        error, _ = provider_error(operation, error_type)
        key = "worker.session_renewal_failed" if operation == "renew_session_lock" else "worker.session_cleanup_failed"
        self.emit(t, key, (error,))


def _lock_token(work: Work) -> str:
    """The work item's lock token ('lock_' || gen_random_uuid(), PG migrations/0016_add_activity_tags.sql:123),
    one per fetch."""
    seed = f"{work.inst.iid}/{work.execution_id}/{work.seq}/{work.attempts}"
    return f"lock_{uuid.UUID(bytes=hashlib.md5(seed.encode()).digest(), version=4)}"


def _work_ack_span(work: Work, outcome: str) -> str:
    """ack_work_item's span (#[instrument(skip(self), fields(token = %token))], PG provider.rs:940):
    the `completion` argument Debug-printed (abbreviated `{ .. }` here), then the custom `token`
    field, which replaces the argument of the same name."""
    kind = "ActivityCompleted" if outcome == "success" else "ActivityFailed"
    return f"ack_work_item{{completion=Some({kind} {{ .. }}) token={_lock_token(work)}}}"


def _orch(inst: Instance) -> tuple[Any, ...]:
    return (inst.iid, inst.execution_id, inst.name, inst.version)


def _activity(work: Work, worker_id: str) -> tuple[Any, ...]:
    return (work.inst.iid, work.execution_id, work.name, work.seq, worker_id, None)
