"""duroxide's worker dispatcher: activity work items on bounded worker slots, and what is
recorded per execution (labelled outcome before the ack, E2's duplicate after it, an
unlabelled infra_error when the ack fails). Like duroxide's dispatchers/worker.rs, these are
methods of the runtime, kept in their own module."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from generator.sim import workload
from generator.sim.engine import Engine
from generator.sim.log_hooks import DuroxideLog
from generator.sim.options import CONFIG_ERROR_LAST
from generator.sim.process import Replica
from generator.sim.provider import ProviderModel, error_type_of
from generator.sim.recorder import Recorder
from generator.sim.state import Instance, Work
from generator.sim.truth import Truth
from generator.sim.workload import Faults, Result

if TYPE_CHECKING:
    import random

# A message is redelivered this many times before duroxide poisons it.
MAX_ATTEMPTS = 10
# duroxide >= 0.1.10 (UnregisteredBackoffConfig defaults): an unregistered activity is
# abandoned with a visibility delay of 1 s doubling per attempt, exponent capped at 6, at
# most 60 s: 1, 2, 4, 8, 16, 32, 60, 60, 60, 60 s, so the 11th fetch poisons it ~5 min later.
UNREGISTERED_BACKOFF_BASE = 1.0
UNREGISTERED_BACKOFF_MAX = 60.0
# What duroxide-pg's ack_worker says when the row was deleted under the worker by lock stealing
# (PG provider.rs:1018-1029; no known substring: "other").
ROW_GONE = "Worker queue item not found or already processed"


def unregistered_backoff(attempt: int) -> float:
    """The abandon delay after fetch number `attempt` (1-based) of an unregistered activity."""
    return min(UNREGISTERED_BACKOFF_BASE * 2.0 ** min(attempt - 1, 6), UNREGISTERED_BACKOFF_MAX)


class WorkerDispatcher:
    """Activity dispatch for Runtime (which provides the state declared here)."""

    engine: Engine
    options: Any
    rec: Recorder
    truth: Truth
    logs: DuroxideLog
    faults: Faults
    provider: ProviderModel
    rng_sched: random.Random
    rng_work: random.Random
    replicas: list[Replica]
    worker_queue: deque[Work]
    cms: dict[str, str]
    users: Any
    release: Any
    instances: dict[str, Instance]

    if TYPE_CHECKING:
        def deliver(self, inst: Instance, msg: tuple[Any, ...]) -> None: ...
        def provider_op(self, r: int, operation: str) -> None: ...
        def _raise(self, iid: str, event: Any) -> None: ...
        def _record_op(self, r: int, operation: str, op: tuple[float, str, str | None]) -> None: ...

    def _live(self, iid: str) -> bool:
        inst = self.instances.get(iid)
        return inst is not None and not inst.terminal

    def enqueue_work(self, work: Work) -> None:
        """Queue an activity, or hand it to a free worker slot at its next poll (each idle slot
        polls every dispatcher_min_poll_interval; the first of them finds it). A stolen row
        (cancellation.steal) is never visible again."""
        if work.stolen:
            return
        if not self.worker_queue:
            free = [r for r in self.replicas if r.alive and r.work.free]
            if free:
                rep = free[0] if len(free) == 1 else self.rng_sched.choice(free)
                idle = sum(len(r.work.free) for r in free)
                wait = self.options.dispatcher_poll_interval / (idle + 1)
                self._start_activity(rep, work, self.rng_sched.random() * 2.0 * wait)
                return
        self.worker_queue.append(work)
        if len(self.worker_queue) == 1:
            self.update_work_idle()

    def redeliver_work(self, work: Work) -> None:
        """The worker lock expired after a crash: the item is visible again (attempt + 1)."""
        work.attempts += 1
        self.enqueue_work(work)

    def pull_work(self, rep: Replica) -> None:
        """A freed worker slot takes the next queued item at once."""
        queue = self.worker_queue
        while rep.alive and rep.work.free and queue:
            self._start_activity(rep, queue.popleft(), 0.0)
        if not queue:
            self.update_work_idle()

    def update_work_idle(self) -> None:
        """The worker queue is global, so its emptiness decides every process's idle polling."""
        now = self.engine.now
        empty = not self.worker_queue
        for rep in self.replicas:
            if rep.alive:
                rep.work.set_idle(empty and bool(rep.work.free), now)

    def _start_activity(self, rep: Replica, work: Work, delay: float) -> None:
        slot = rep.work.free.pop()
        rep.work.set_idle(not self.worker_queue, self.engine.now)
        inst = work.inst
        if work.attempts > MAX_ATTEMPTS:
            self.engine.after(delay, self._poison_work, rep, rep.epoch, slot, work)
            return
        if self.faults.unregistered.get(work.short) and self.options.version <= CONFIG_ERROR_LAST:
            self._config_error(rep, slot, work, delay)
            return
        if self.faults.unregistered.get(work.short):
            # fetch, then read (the orchestration descriptor, before the handler lookup).
            ops = (self.provider.sample("fetch_work_item"), self.provider.sample("read"))
            self.engine.after(delay + ops[0][0] + ops[1][0], self._abandon_unregistered, rep, rep.epoch, slot,
                              work, ops)
            return
        seconds, outcome, value, error = workload.outcome(work.short, inst.ctx.k8s, self.faults, self.rng_work,
                                                          self.cms, self.release.name)
        if work.short == "get-batch-status" and outcome == "success":
            # Done when no create of the batch is still running.
            value = "running" if any(self._live(f"create-{name}") for name in work.effect[1]) else "done"
        provider = self.provider
        ops = (provider.sample("fetch_work_item"), provider.sample("read"), provider.sample("ack_work_item"))
        work.started = self.engine.now
        work.fetched = self.engine.now + delay + ops[0][0]
        work.ends = work.fetched + ops[1][0] + seconds
        # duroxide logs "Activity started" after the fetch and the read, before the handler runs.
        self.logs.activity_started(work.fetched + ops[1][0], work,
                                   f"work-{slot}-{rep.runtime_id}")
        rep.work_inflight[id(work)] = work
        done = self.engine.now + delay + ops[0][0] + ops[1][0] + seconds + ops[2][0]
        self.engine.at(done, self._activity_done, rep, rep.epoch, slot, work, seconds, outcome, value, error, ops)

    def _config_error(self, rep: Replica, slot: int, work: Work, delay: float) -> None:
        """duroxide <= v0.1.9 (worker.rs:497-539 at v0.1.9): no handler is a configuration
        error, executed at once: ERROR "Activity failed (unregistered)", outcome="config_error"
        with its (zero-millisecond) duration and activity_configuration_errors_total
        {activity_name} (observability.rs:624-688), then an ack carrying ActivityFailed
        (Configuration) that aborts the orchestration's next turn (replay_engine.rs:226-240)."""
        ops = (self.provider.sample("fetch_work_item"), self.provider.sample("read"),
               self.provider.sample("ack_work_item"))
        work.started = self.engine.now
        self.logs.activity_started(work.fetched + ops[1][0], work,
                                   f"work-{slot}-{rep.runtime_id}")
        rep.work_inflight[id(work)] = work
        done = self.engine.now + delay + ops[0][0] + ops[1][0] + ops[2][0]
        # ErrorDetails::Configuration{UnregisteredActivity}.display_message() (lib.rs:625 at v0.1.9).
        self.engine.at(done, self._activity_done, rep, rep.epoch, slot, work, 0.0, "config_error", "",
                       f"unregistered:{work.name}", ops)

    def _activity_done(self, rep: Replica, epoch: int, slot: int, work: Work, seconds: float, outcome: str,
                       value: str, error: str, ops: tuple[tuple[float, str, str | None], ...]) -> None:
        if rep.epoch != epoch:
            return
        del rep.work_inflight[id(work)]
        if work.stolen:
            self._stolen_ack(rep, slot, work, seconds, outcome, value, error, ops)
            rep.work.free.append(slot)
            self.pull_work(rep)
            return
        r = rep.index
        now = self.engine.now
        for operation, op in zip(("fetch_work_item", "read", "ack_work_item"), ops):
            self._record_op(r, operation, op)
        inst = work.inst
        self.rec.activity_execution(r, work.name, outcome, seconds)
        self._log_activity(rep, slot, work, outcome, seconds, error, value)
        if inst.terminal or inst.execution_id != work.execution_id:
            self._orphaned_ack(rep, slot, work, outcome, seconds)
        elif ops[2][2] is None:
            self.rec.activity_acked(r, outcome)
            if now >= 0.0:
                self.truth.activity(now, work.name, outcome, seconds)
            if outcome != "cancelled":
                if outcome == "success" and work.effect:
                    self._apply(r, work.effect)
                result = Result(outcome == "success", value, error, outcome)
                self.deliver(inst, ("act", work.execution_id, (work.seq, result)))
        else:
            self.rec.activity_infra_error(r)
            self.logs.activity_ack_failed(now, work, f"work-{slot}-{rep.runtime_id}", ops[2][2])
            if now >= 0.0:
                self.truth.activity(now, work.name, outcome, seconds, lost=True)
            work.attempts += 1
            self.engine.after(0.1, self.enqueue_work, work)
        rep.work.free.append(slot)
        self.pull_work(rep)

    def _orphaned_ack(self, rep: Replica, slot: int, work: Work, outcome: str, seconds: float) -> None:
        """The instance ended or continued as new while the activity ran: its terminal ack stole
        the row (dispatchers/orchestration.rs:884-929), so, as for a select2 loser
        (_stolen_ack), the real outcome is already recorded and the ack finds no row (duroxide-pg's
        ERROR, "other"); duroxide records the infra_error twin and abandons it (worker.rs:746-758)."""
        r = rep.index
        now = self.engine.now
        ack = self.provider.sample("ack_work_item")[0]
        self._record_op(r, "ack_work_item", (ack, "error", error_type_of(ROW_GONE)))
        self.rec.activity_infra_error(r)
        if now >= 0.0:
            # Like any failed ack: the execution ran, its result was lost.
            self.truth.activity(now, work.name, outcome, seconds, lost=True)
        self.logs.activity_row_gone(now, work, f"work-{slot}-{rep.runtime_id}", f"ack_worker: {ROW_GONE}", outcome)

    def _stolen_ack(self, rep: Replica, slot: int, work: Work, seconds: float, outcome: str, value: str,
                    error: str, ops: tuple[tuple[float, str, str | None], ...]) -> None:
        """A select2 loser that was running when its row was stolen (cancellation.py) ran to its
        end: its real outcome and line are recorded before the ack (dispatchers/worker.rs:616-633,
        658-675), then ack_work_item fails. duroxide-pg's ack_worker deletes nothing and raises
        (PG migrations/0015_add_custom_status.sql:257-266): an ERROR line and the permanent
        "ack_worker: Worker queue item not found or already processed" (PG provider.rs:1017-1033),
        classified "other" (providers/instrumented.rs:59-71, 216-231); duroxide WARNs, abandons
        (the abandon fails silently: no row) and records the infra_error twin
        (dispatchers/worker.rs:745-758). No completion reaches the orchestration; nothing is
        redelivered. A store error on that ack is reported as itself, with the same ending."""
        r = rep.index
        now = self.engine.now
        worker_id = f"work-{slot}-{rep.runtime_id}"
        self._record_op(r, "fetch_work_item", ops[0])
        self._record_op(r, "read", ops[1])
        self.rec.activity_execution(r, work.name, outcome, seconds)
        self._log_activity(rep, slot, work, outcome, seconds, error, value)
        store_error = ops[2][2]
        self._record_op(r, "ack_work_item", (ops[2][0], "error", store_error or error_type_of(ROW_GONE)))
        if store_error is None:
            self.logs.activity_row_gone(now, work, worker_id, f"ack_worker: {ROW_GONE}", outcome)
        else:
            self.logs.activity_ack_failed(now, work, worker_id, store_error)
        self.rec.activity_infra_error(r)
        if now >= 0.0:
            self.truth.activity(now, work.name, outcome, seconds, lost=True)

    def _abandon_unregistered(self, rep: Replica, epoch: int, slot: int, work: Work,
                              ops: tuple[tuple[float, str, str | None], ...]) -> None:
        """No handler (worker.rs:495-499, 700-726): no execution is recorded; the item is
        abandoned with a visibility delay (WARN) and fetched again later, until poison handling
        ends it (v0.1.10+; up to v0.1.9 see _config_error)."""
        if rep.epoch != epoch:
            return
        self._record_op(rep.index, "fetch_work_item", ops[0])
        self._record_op(rep.index, "read", ops[1])
        backoff = unregistered_backoff(work.attempts)
        self.logs.activity_started(self.engine.now, work, f"work-{slot}-{rep.runtime_id}")
        self.logs.activity_unregistered(self.engine.now, work, f"work-{slot}-{rep.runtime_id}", backoff)
        work.attempts += 1
        self.engine.after(backoff, self.enqueue_work, work)
        rep.work.free.append(slot)
        self.pull_work(rep)

    def _poison_work(self, rep: Replica, epoch: int, slot: int, work: Work) -> None:
        """Fetched more than max_attempts times (worker.rs:400-441): acked with a poison
        ActivityFailed, activity_poison_total (E2); the orchestration's next turn fails."""
        if rep.epoch != epoch:
            return
        self.provider_op(rep.index, "fetch_work_item")
        self.provider_op(rep.index, "ack_work_item")
        self.rec.activity_poison(rep.index)
        if self.engine.now >= 0.0:
            self.truth.poison("activity")
        self.logs.activity_poisoned(self.engine.now, work)
        message = (f"poison: activity {work.name}#{work.seq} exceeded {work.attempts} attempts "
                   f"(max {MAX_ATTEMPTS})")
        self.deliver(work.inst, ("act", work.execution_id, (work.seq, Result(False, error=message, kind="poison"))))
        rep.work.free.append(slot)
        self.pull_work(rep)

    def _apply(self, r: int, effect: tuple[str, ...]) -> None:
        """Toygres' side effects of a successful activity (CMS states, raised events)."""
        kind, k8s = effect[0], effect[1]
        if kind == "batch_status":
            return
        if kind == "raise":
            # ActivityContext::get_client's store is the instrumented one: enqueue_orchestrator.
            self.provider_op(r, "enqueue_orchestrator")
            self._raise(effect[1], effect[2])
        elif kind == "create_record":
            self.cms[k8s] = "creating"
        elif kind == "delete_record":
            self.cms.pop(k8s, None)
        elif k8s in self.cms:
            self.cms[k8s] = effect[2]
            if effect[2] == "running" and self.users is not None:
                self.users.on_running(k8s)

    def _log_activity(self, rep: Replica, slot: int, work: Work, outcome: str, seconds: float,
                      error: str, value: str) -> None:
        now = self.engine.now
        worker_id = f"work-{slot}-{rep.runtime_id}"
        if outcome == "success" and work.short in ("deploy-postgres", "deploy-postgres-v2"):
            self.logs.activity_trace(now, work, worker_id, "INFO", f"Deployed PostgreSQL for {work.inst.ctx.k8s}")
        self.logs.activity_ended(now, work, worker_id, outcome, seconds, value, error)
