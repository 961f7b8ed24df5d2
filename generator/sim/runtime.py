"""duroxide's runtime semantics: orchestration turns on orchestration slots, activities on
worker slots, and exactly what duroxide records (metrics, logs) at each step, and when."""

from __future__ import annotations

from collections import deque
from typing import Any

from generator.sim import cancellation, process, scripts, workload
from generator.sim.engine import Engine
from generator.sim.log_hooks import DuroxideLog
from generator.sim.options import ACTIVE_INCREMENT_LAST, CONFIG_ERROR_LAST, SimOptions

# An instance actor's cycle (one execution, then continue-as-new): ~31 s (workload.py).
ACTOR_CYCLE_SECONDS = 31.0
from generator.sim.process import Replica
from generator.sim.provider import RETRYABLE, ProviderModel, StoreHealth
from generator.sim.recorder import Recorder
from generator.sim.state import Instance, Work
from generator.sim.truth import Truth
from generator.sim.worker import MAX_ATTEMPTS, WorkerDispatcher, unregistered_backoff
from generator.sim.workload import Ctx, Faults, Result

# Lock timeouts: worker 300 s (Toygres' setting); orchestrator items are re-fetchable sooner.
WORKER_LOCK = 300.0
ORCHESTRATOR_LOCK = 30.0
# ack_orchestration_item retries on retryable errors (orchestration.rs:1149-1184).
ACK_RETRIES = 5
_STATUS = {"success": "success", "failed": "failed", "continue_as_new": "continuedAsNew"}


class Runtime(WorkerDispatcher):
    """All processes of one Toygres deployment sharing one store (queues and CMS)."""

    def __init__(self, options: SimOptions, engine: Engine, rec: Recorder, truth: Truth, logs: DuroxideLog) -> None:
        self.options = options
        self.engine = engine
        self.rec = rec
        self.truth = truth
        self.logs = logs
        self.faults = Faults()
        self.release = scripts.BY_NAME[options.toygres_version]
        self.health = StoreHealth()
        self.batch_size = options.batch_size
        self.rng_sched = process.new_runtime_rng(options.seed, "dispatch")
        self.rng_work = process.new_runtime_rng(options.seed, "activities")
        self.rng_fleet = process.new_runtime_rng(options.seed, "fleet-age")
        self.provider = ProviderModel(process.new_runtime_rng(options.seed, "provider"), self.health)
        self.orchestrator_lock = ORCHESTRATOR_LOCK
        self.worker_lock = WORKER_LOCK
        now = engine.now
        self.replicas = [Replica(i, options.orchestration_slots, options.worker_slots, now)
                         for i in range(options.replicas)]
        self.instances: dict[str, Instance] = {}
        self.cms: dict[str, str] = {}
        self.worker_queue: deque[Work] = deque()
        self.orch_depth = 0
        self.running = 0
        self.pending = 0
        self.active_by_name: dict[str, int] = {}
        self.users: Any = None
        # While a turn is processed: the side effects its ack would commit (None otherwise).
        self._effects: list[tuple[Any, tuple[Any, ...]]] | None = None
        # Per process, per dispatcher: each slot's failing fetch loop while the database is down.
        self.fetch_loops: dict[int, dict[str, list[list[Any]]]] = {}

    # -- scenario hooks (FaultTarget) ------------------------------------------------------
    def restart_replica(self, index: int, downtime: float) -> None:
        """Crash one process now; it starts again after `downtime` seconds."""
        process.crash(self, self.replicas[index % len(self.replicas)], downtime)

    def batch_create(self, count: int) -> None:
        self.users.batch_create(count)

    def set_surge(self, per_hour: float, lifetime: float) -> None:
        self.users.set_surge(per_hour, lifetime)

    def worker_capacity(self) -> int:
        return sum(r.work.size for r in self.replicas)

    # -- clients ---------------------------------------------------------------------------
    def _api_replica(self) -> Replica | None:
        alive = [r for r in self.replicas if r.alive]
        return (alive[0] if len(alive) == 1 else self.rng_sched.choice(alive)) if alive else None

    def client_start(self, short: str, ctx: Ctx) -> Instance | None:
        """The Toygres API starts an orchestration through its own Client, which talks to the
        raw store: no enqueue_orchestrator is recorded (only ActivityContext::get_client's
        store is instrumented)."""
        if self._api_replica() is None:
            return None
        return self.new_instance(short, ctx, None)

    def client_cancel(self, iid: str) -> None:
        """A user cancels an instance: the next turn fails it (app_error), in-flight work is dropped."""
        inst = self.instances.get(iid)
        rep = self._api_replica()
        if inst is None or inst.terminal or rep is None:
            return
        self.deliver(inst, ("cancel", inst.execution_id, None))

    def ensure_pruner(self) -> None:
        """Toygres starts its eternal orchestrations (the system pruner; 1.0.8's create
        semaphore) at start-up when none is running."""
        for short in workload.SINGLETONS:
            if short not in self.release.scripts:
                continue
            running = self.instances.get(workload.ID_PREFIX[short])
            if running is None or running.terminal:
                self.new_instance(short, Ctx("system"), None)

    def new_instance(self, short: str, ctx: Ctx, parent: Instance | None) -> Instance | None:
        """Create an instance (client, parent or start-up) and queue its first turn."""
        prefix = workload.ID_PREFIX[short]
        iid = prefix if short in workload.SINGLETONS else f"{prefix}-{ctx.k8s}"
        existing = self.instances.get(iid)
        if existing is not None and not existing.terminal:
            return None  # duroxide rejects a second start of a live instance id
        owner = self._api_replica() or self.replicas[0]
        inst = Instance(iid, short, workload.orchestration_name(short), self.release.versions[short],
                        ctx, owner.index, parent=parent)
        inst.gen = self.release.scripts[short](ctx)
        self.instances[iid] = inst
        self.pending += 1
        if short == "instance-actor" and self.engine.now < 0.0 and self.options.fleet_age_seconds:
            # A fleet older than the processes: each actor has cycled since its own creation.
            age = self.rng_fleet.random() * self.options.fleet_age_seconds
            inst.execution_id = 1 + int(age / ACTOR_CYCLE_SECONDS)
        self.deliver(inst, ("start", inst.execution_id, None))
        return inst

    # -- orchestrator queue and turns ------------------------------------------------------
    def deliver(self, inst: Instance, msg: tuple[Any, ...]) -> None:
        """A message for an instance's current execution; stale ones are dropped."""
        if inst.terminal or msg[1] != inst.execution_id:
            return
        inst.inbox.append(msg)
        self.orch_depth += 1
        if not inst.busy and not inst.queued:
            self.enqueue_instance(inst)

    def enqueue_instance(self, inst: Instance) -> None:
        """Queue an instance on its process (sessions keep it there) or start its turn at once."""
        rep = self.replicas[inst.owner]
        if not rep.alive:
            alive = [r for r in self.replicas if r.alive]
            if alive:
                rep = alive[0] if len(alive) == 1 else self.rng_sched.choice(alive)
                inst.owner = rep.index
        inst.queued = True
        if rep.alive and rep.orch.free and not rep.orch_queue:
            # The first of the idle slots to poll (each every dispatcher_min_poll_interval)
            # finds the new work.
            wait = self.options.dispatcher_poll_interval / (len(rep.orch.free) + 1)
            self._start_turn(rep, inst, self.rng_sched.random() * 2.0 * wait)
        else:
            rep.orch_queue.append(inst)
        rep.update_orch_idle(self.engine.now)

    def pull_orchestrations(self, rep: Replica) -> None:
        """A freed orchestration slot takes the next queued instance without waiting for a poll."""
        while rep.alive and rep.orch.free and rep.orch_queue:
            self._start_turn(rep, rep.orch_queue.popleft(), 0.0)
        rep.update_orch_idle(self.engine.now)

    def _start_turn(self, rep: Replica, inst: Instance, delay: float) -> None:
        """fetch_orchestration_item locks the instance and takes ALL its queued messages: one
        batch, one turn (so starts_total counts batches, not messages)."""
        inst.queued = False
        inst.busy = True
        slot = rep.orch.free.pop()
        batch = tuple(inst.inbox)
        inst.inbox.clear()
        self.orch_depth -= len(batch)
        fetch = self.provider.sample("fetch_orchestration_item", inst.history)
        # Replay cost grows with history: the handler time duroxide's duration measures.
        compute = 0.0008 + 0.00004 * inst.history + self.rng_sched.random() * 0.002
        acks = self._ack_attempts(inst.history)
        seconds = fetch[0] + compute + sum(a[0] for a in acks) + 0.01 * (2 ** (len(acks) - 1) - 1)
        rep.orch_inflight[id(inst)] = (inst, batch)
        self.engine.at(self.engine.now + delay + seconds, self._turn_done, rep, rep.epoch, slot, inst, batch,
                       fetch, acks, compute)

    def _ack_attempts(self, history: int) -> list[tuple[float, str, str | None]]:
        """ack_orchestration_item as duroxide calls it (orchestration.rs:1149-1184): retryable
        errors are retried 5 times (10, 20, 40, 80, 160 ms apart); a permanent one ends it."""
        attempts = [self.provider.sample("ack_orchestration_item", history)]
        while attempts[-1][2] in RETRYABLE and len(attempts) <= ACK_RETRIES:
            attempts.append(self.provider.retry_after("ack_orchestration_item", attempts[-1], history))
        return attempts

    def redeliver_turn(self, inst: Instance, batch: tuple[tuple[Any, ...], ...]) -> None:
        """The process holding the turn died: the messages are visible again (attempt + 1)."""
        inst.busy = False
        if inst.terminal:
            return
        kept = [m for m in batch if m[1] == inst.execution_id]
        inst.inbox.extendleft(reversed(kept))
        self.orch_depth += len(kept)
        inst.attempts += 1
        if inst.inbox and not inst.queued:
            self.enqueue_instance(inst)

    def _turn_done(self, rep: Replica, epoch: int, slot: int, inst: Instance, batch: tuple[tuple[Any, ...], ...],
                   fetch: tuple[float, str, str | None], acks: list[tuple[float, str, str | None]],
                   compute: float) -> None:
        if rep.epoch != epoch:
            return
        del rep.orch_inflight[id(inst)]
        r = rep.index
        now = self.engine.now
        self._record_op(r, "fetch_orchestration_item", fetch)
        worker_id = f"orch-{slot}-{rep.runtime_id}"
        if fetch[2] is not None:
            self._fetch_failed(rep, slot, inst, batch, fetch[2])
            return
        if inst.attempts > MAX_ATTEMPTS:
            self._poison_orchestration(rep, inst, worker_id)
            self._release_turn(rep, slot, inst)
            return
        # duroxide <= v0.1.9 resolved the handler after recording the start (see below).
        legacy_unregistered = bool(self.faults.unregistered_orchestrations.get(inst.short)) and \
            self.options.version <= CONFIG_ERROR_LAST
        if self.faults.unregistered_orchestrations.get(inst.short) and not legacy_unregistered:
            self._abandon_unregistered_orchestration(rep, inst, batch, worker_id)
            self._release_turn(rep, slot, inst, locked=True)
            return
        fresh_history = not inst.started or inst.new_execution
        first = not inst.started
        head = batch[0]
        if head[0] == "start":
            # A brand-new instance's first turn has no version yet (orchestration.rs:609).
            version = "unknown" if first else inst.version
            initiated = "continueAsNew" if inst.new_execution else "client"
            self.logs.turn_started(now, inst, worker_id, inst.new_execution)
        else:
            version, initiated = inst.version, "client"
        # Recorded once per batch after the handler resolves (orchestration.rs:660-665).
        self.rec.orchestration_start(r, inst.name, version, initiated)
        if first and self.options.version <= ACTIVE_INCREMENT_LAST:
            # Up to v0.1.9 the +1 for a brand-new instance still ran; from v0.1.10 the handler
            # has already appended OrchestrationStarted, so is_full_history_empty() is false.
            rep.active += 1
            self.rec.active(r, rep.active)
        if now >= 0.0:
            self.truth.turn(inst.name)
        if first:
            inst.started = True
            self.pending -= 1
            self.running += 1
            self.active_by_name[inst.name] = self.active_by_name.get(inst.name, 0) + 1
        inst.new_execution = False
        # Side effects (activities, timers, children, events, the parent's notification) are
        # in the ack: they happen only if it commits.
        self._effects = []
        terminal = None
        if legacy_unregistered:
            # v0.1.9 orchestration.rs:621-647: no handler. An empty history (a brand-new instance
            # or a new execution) gets OrchestrationStarted (version 0.0.0) and a Configuration
            # failure: the Failed branch records config_error / configuration and -1
            # (orchestration.rs:373-454). A running execution's messages are acked unprocessed:
            # they are lost and the instance stays Running with nothing left to wake it.
            batch = ()
            if fresh_history:
                inst.version = "0.0.0"
                inst.history = 1  # OrchestrationStarted; _finish counts the failure event
                self._finish(rep, inst, ("failed", "config_error", "configuration", f"unregistered:{inst.name}"),
                             compute, worker_id)
        for msg in batch:
            if msg[1] != inst.execution_id:
                continue
            inst.history += 1
            if msg[0] == "cancel":
                terminal = ("failed", "app_error", "application", "canceled: Orchestration cancelled by client")
            elif msg[0] == "act" and msg[2][1].kind == "poison":
                # A system error aborts the turn (replay_engine.rs:283-295): the orchestration
                # fails as poison whatever its code would have done.
                self.logs.system_error(now, inst, msg[2][0], msg[2][1].error)
                terminal = ("failed", "unknown", "poison", msg[2][1].error)
            elif msg[0] == "act" and msg[2][1].kind == "config_error":
                # duroxide <= v0.1.9: an unregistered activity's Configuration failure aborts the
                # turn the same way (replay_engine.rs:226-240 at v0.1.9); the orchestration fails
                # as config_error / configuration (orchestration.rs:373-441 at v0.1.9).
                self.logs.system_error(now, inst, msg[2][0], msg[2][1].error)
                terminal = ("failed", "config_error", "configuration", msg[2][1].error)
            else:
                resumed, value = self._match(inst, msg)
                if value == "timeout":
                    cancellation.timer_won(self, inst, inst.waiting[3])
                terminal = self._advance(inst, value) if resumed else None
            if terminal is not None:
                if terminal[0] == "continue_as_new":
                    # Events that arrived in the same batch carry over to the new execution.
                    inst.events.extend(m[2] for m in batch[batch.index(msg) + 1:] if m[0] == "event")
                self._finish(rep, inst, terminal, compute, worker_id)
                break
        effects, self._effects = self._effects, None
        for op in acks:
            self._record_op(r, "ack_orchestration_item", op)
        rep.orch_backoff.pop(slot, None)
        retried = [a[2] for a in acks[:-1] if a[2] is not None]
        final = acks[-1][2]
        if retried and (final is None or final not in RETRYABLE):
            # A retryable chain that ended in success or a permanent error (a chain of six
            # retryable failures is written whole by ack_failed).
            self.logs.ack_retried(now, retried, inst)
        if final is not None:
            self._fail_after_ack(rep, inst, final, worker_id)
        else:
            inst.attempts = 1
            for fn, args in effects:
                fn(*args)
        self._release_turn(rep, slot, inst)

    def _fetch_failed(self, rep: Replica, slot: int, inst: Instance, batch: tuple[tuple[Any, ...], ...],
                      error_type: str) -> None:
        """The fetch errored (its transaction rolled back: no lock, no attempt counted). The
        slot sleeps (retryable: 100 x 2^n ms up to 3 s; permanent: 100 ms,
        orchestration.rs:480-497) and polls again; the messages stay queued."""
        rep.orch_inflight.pop(id(inst), None)
        inst.inbox.extendleft(reversed(batch))
        self.orch_depth += len(batch)
        inst.busy = False
        inst.queued = True
        rep.orch_queue.appendleft(inst)
        attempt = 1
        if error_type in RETRYABLE:
            attempt = rep.orch_backoff[slot] = min(rep.orch_backoff.get(slot, 0) + 1, 5)
        sleep = self.logs.fetch_failed(self.engine.now, "orch", error_type, attempt) / 1000.0
        self.engine.after(sleep, self._slot_back, rep, rep.epoch, slot)

    def _slot_back(self, rep: Replica, epoch: int, slot: int) -> None:
        if rep.epoch != epoch:
            return
        rep.orch.free.append(slot)
        self.pull_orchestrations(rep)

    def _effect(self, fn: Any, *args: Any) -> None:
        """Run fn now, or with the ack when a turn is being processed."""
        if self._effects is None:
            fn(*args)
        else:
            self._effects.append((fn, args))

    def _fail_after_ack(self, rep: Replica, inst: Instance, error_type: str, worker_id: str) -> None:
        """The ack failed for good (orchestration.rs:954-1003): duroxide records an
        infrastructure error (the unlabelled twins only), appends OrchestrationFailed and
        commits it. The instance ends Failed: no completion, no -1 on the active gauge, no
        redelivery, and the parent is not told (the failure commit carries no messages)."""
        r = rep.index
        now = self.engine.now
        self.rec.orchestration_ack_failed(r)
        self.logs.ack_failed(now, inst, error_type)
        # The failure commit is one more ack. If it fails too, duroxide drops its abandon
        # future, so the lock simply expires; modelled as committed (simplified).
        self._record_op(r, "ack_orchestration_item", self.provider.sample("ack_orchestration_item", inst.history))
        if inst.terminal:
            return
        if now >= 0.0:
            self.truth.terminal(now, inst.name, "failed", "infrastructure_error")
        self._end(inst)

    def _poison_orchestration(self, rep: Replica, inst: Instance, worker_id: str) -> None:
        """Fetched more than max_attempts (10) times: poisoned at fetch (orchestration.rs:544,
        1273, 1398). The failure is committed (the parent is told), orchestration_poison_total
        counts it (E2); no completion, no failure series, no -1."""
        self.rec.orchestration_poison(rep.index)
        now = self.engine.now
        self.logs.orchestration_poisoned(now, inst, inst.attempts)
        self._record_op(rep.index, "ack_orchestration_item", self.provider.sample("ack_orchestration_item"))
        if now >= 0.0:
            self.truth.poison("orchestration")
            self.truth.terminal(now, inst.name, "failed", "poison")
        if not inst.started:
            inst.started = True
            self.pending -= 1
            self.running += 1
            self.active_by_name[inst.name] = self.active_by_name.get(inst.name, 0) + 1
        message = f"poison: orchestration {inst.iid} exceeded {inst.attempts} attempts (max {MAX_ATTEMPTS})"
        self._end(inst, Result(False, error=message, kind="app_error"))

    def _abandon_unregistered_orchestration(self, rep: Replica, inst: Instance, batch: tuple[tuple[Any, ...], ...],
                                            worker_id: str) -> None:
        """No handler for this name/version: the batch is abandoned with growing backoff (1, 2,
        4 ... 60 s) and no metric; after max_attempts it is poisoned at fetch."""
        backoff = unregistered_backoff(inst.attempts)
        # The batch's version (orchestration.rs:683, state_helpers.rs:430-489): a brand-new
        # instance's StartOrchestration carries none (Toygres starts without one) and prints
        # "latest"; a continue-as-new carries the ending execution's; otherwise the history's.
        brand_new = batch[0][0] == "start" and not inst.started and not inst.new_execution
        self.logs.orchestration_unregistered(self.engine.now, inst, backoff, "latest" if brand_new else inst.version)
        # Invisible until the backoff passes, then fetched again (redeliver_turn counts it).
        self.engine.after(backoff, self.redeliver_turn, inst, batch)

    def _release_turn(self, rep: Replica, slot: int, inst: Instance, locked: bool = False) -> None:
        """The slot is free again; the instance too unless its messages wait out a backoff."""
        rep.orch.free.append(slot)
        if not locked:
            inst.busy = False
            if inst.inbox and not inst.terminal:
                self.enqueue_instance(inst)
        self.pull_orchestrations(rep)

    def _match(self, inst: Instance, msg: tuple[Any, ...]) -> tuple[bool, Any]:
        """Does the message complete what the orchestration awaits? (value to resume with)"""
        kind, _, payload = msg
        waiting = inst.waiting
        if kind == "start":
            return True, None
        if waiting is None:
            return False, None
        if kind == "act" and waiting[0] in ("act", "race") and waiting[1] == payload[0]:
            return True, payload[1]
        if kind == "timer" and waiting[0] in ("timer", "select") and waiting[1] == payload:
            return True, "timer"
        if kind == "timer" and waiting[0] == "race" and waiting[2] == payload:
            return True, "timeout"
        if kind == "event":
            if waiting[0] == "select" and waiting[2] == payload:
                return True, "event"
            if waiting[0] == "recv" and isinstance(payload, tuple) and payload[0] == waiting[2]:
                return True, payload
            inst.events.append(payload)  # kept in history until someone waits for it
            return False, None
        if kind == "sub" and waiting[0] == "sub" and waiting[1] == payload[0]:
            return True, payload[1]
        if kind == "sub" and waiting[0] == "subs" and payload[0] in waiting[1]:
            results = waiting[2]
            results[waiting[1].pop(payload[0])] = payload[1]
            return (True, results) if not waiting[1] else (False, None)
        return False, None

    def _advance(self, inst: Instance, value: Any) -> tuple[Any, ...] | None:
        """Run the orchestration code until it awaits something (end of turn) or returns."""
        gen = inst.gen
        inst.waiting = None
        try:
            cmd = gen.send(value)
            while True:
                kind = cmd[0]
                if kind == "trace":
                    self.logs.trace(self.engine.now, inst, cmd[1], cmd[2])
                    cmd = gen.send(None)
                elif kind == "start":
                    self._effect(self.new_instance, cmd[1], Ctx(cmd[2]), None)
                    cmd = gen.send(None)
                elif kind == "raise":
                    self._effect(self._raise, cmd[1], cmd[2])
                    cmd = gen.send(None)
                elif kind in ("select", "wait") and cmd[-1] in inst.events:
                    inst.events.remove(cmd[-1])
                    cmd = gen.send("event")
                elif kind == "recv" and (queued := _first_on_queue(inst.events, cmd[1])) is not None:
                    inst.events.remove(queued)
                    cmd = gen.send(queued)
                else:
                    self._block(inst, cmd)
                    return None
        except StopIteration as stop:
            result: tuple[Any, ...] = stop.value
            return result

    def _block(self, inst: Instance, cmd: tuple[Any, ...]) -> None:
        kind = cmd[0]
        inst.seq += 1
        inst.history += 1
        if kind == "act":
            inst.waiting = ("act", inst.seq)
            self._effect(self.enqueue_work, Work(inst, inst.execution_id, inst.seq, cmd[1],
                                                 workload.activity_name(cmd[1]), cmd[2]))
        elif kind in ("timer", "select"):
            inst.waiting = ("timer", inst.seq) if kind == "timer" else ("select", inst.seq, cmd[2])
            self._effect(self.engine.after, cmd[1], self.deliver, inst, ("timer", inst.execution_id, inst.seq))
        elif kind == "race":
            # select2(activity, timer): two scheduled events; whichever lands first resumes the
            # orchestration. A losing timer still fires later and costs a turn of its own; a
            # losing activity is cancelled from v0.1.8 (cancellation.py), before it ran on too.
            act_seq = inst.seq
            inst.seq += 1
            inst.history += 1
            work = Work(inst, inst.execution_id, act_seq, cmd[1], workload.activity_name(cmd[1]), cmd[2])
            inst.waiting = ("race", act_seq, inst.seq, work)
            self._effect(self.enqueue_work, work)
            self._effect(self.engine.after, cmd[3], self.deliver, inst, ("timer", inst.execution_id, inst.seq))
        elif kind == "wait":
            inst.waiting = ("select", inst.seq, cmd[1])
        elif kind == "recv":
            inst.waiting = ("recv", inst.seq, cmd[1])
        elif kind == "sub":
            inst.waiting = ("sub", self._child(inst, cmd[1], cmd[2]))
        elif kind == "subs":
            pending = {self._child(inst, short, k8s): i for i, (short, k8s) in enumerate(cmd[1])}
            inst.waiting = ("subs", pending, [Result(False, error="not started")] * len(cmd[1]))

    def _raise(self, iid: str, event: Any) -> None:
        target = self.instances.get(iid)
        if target is not None and not target.terminal:
            self.deliver(target, ("event", target.execution_id, event))

    def _child(self, parent: Instance, short: str, k8s: str) -> str:
        self._effect(self._start_child, parent, short, k8s)
        return f"{workload.ID_PREFIX[short]}-{k8s}"

    def _start_child(self, parent: Instance, short: str, k8s: str) -> None:
        if self.new_instance(short, Ctx(k8s), parent) is None:
            # Already running: the parent hears of the failure at once.
            iid = f"{workload.ID_PREFIX[short]}-{k8s}"
            self.engine.after(0.0, self.deliver, parent,
                              ("sub", parent.execution_id, (iid, Result(False, error="instance already exists"))))

    def _finish(self, rep: Replica, inst: Instance, terminal: tuple[Any, ...], seconds: float, worker_id: str) -> None:
        """A terminal turn (orchestration.rs:740-873), recorded before the ack: completion (and
        failure / continue-as-new) metrics, -1 on the active gauge for Completed and Failed."""
        r = rep.index
        now = self.engine.now
        status = _STATUS[terminal[0]]
        poison = status == "failed" and terminal[2] == "poison"
        # E1 (<= v0.1.14) exports nothing for poison: its counters were atomics only.
        exported = not poison or self.rec.e2
        if exported:
            self.rec.orchestration_completion(r, inst.name, inst.version, status, seconds, inst.history + 1)
        if now >= 0.0:
            self.truth.terminal(now, inst.name, status, terminal[1] if status == "failed" else None)
        if status == "continuedAsNew":
            self.rec.continue_as_new(r, inst.name, inst.execution_id)
            self.logs.turn_ended(now, inst, worker_id, status, inst.history + 1)
            inst.execution_id += 1
            inst.history = 0
            inst.seq = 0  # activity ids are event ids within the execution's history
            carried = terminal[1] if len(terminal) > 1 else ()
            inst.ctx = Ctx(inst.ctx.k8s, inst.ctx.iteration + 1, inst.ctx.names, carried)
            inst.gen = self.release.scripts[inst.short](inst.ctx)
            inst.new_execution = True
            inst.waiting = None
            self._effect(self.deliver, inst, ("start", inst.execution_id, None))
            return
        if status == "failed":
            error_type, category, message = terminal[1], terminal[2], terminal[3]
            if poison:
                self.rec.orchestration_poison(r)
                if now >= 0.0:
                    self.truth.poison("orchestration")
            if exported:
                self.rec.orchestration_failure(r, inst.name, inst.version, error_type, category)
            self.logs.turn_ended(now, inst, worker_id, status, inst.history + 1, category, message)
        else:
            self.logs.turn_ended(now, inst, worker_id, status, inst.history + 1)
        if exported:
            rep.active -= 1
            self.rec.active(r, rep.active)
        result = Result(status == "success", error="" if status == "success" else terminal[3])
        self._end(inst, result)

    def _end(self, inst: Instance, result: Result | None = None) -> None:
        """The instance's execution is no longer Running in the store; `result` goes to the
        parent (None: the parent is not told)."""
        inst.terminal = True
        if inst.short == "create-instance" and inst.ctx.state:
            # Ended (cancelled, poisoned, failed ack) between asking for a create permit and
            # giving it back: Toygres' cleanup returns it (the reference does not say how; a
            # leaked permit would stall every create within hours, which it does not report).
            self._effect(self._raise, scripts.SEMAPHORE_ID, ("semaphore", "release", inst.iid))
        self.running -= 1
        self.active_by_name[inst.name] -= 1
        self.orch_depth -= len(inst.inbox)
        inst.inbox.clear()
        if self.instances.get(inst.iid) is inst and inst.short not in workload.SINGLETONS:
            del self.instances[inst.iid]
        parent = inst.parent
        if result is not None and parent is not None and not parent.terminal:
            self._effect(self.deliver, parent, ("sub", parent.execution_id, (inst.iid, result)))

    # -- recording helpers -----------------------------------------------------------------
    def provider_op(self, r: int, operation: str) -> None:
        """One provider operation outside a turn or activity (client enqueue, session upkeep)."""
        self._record_op(r, operation, self.provider.sample(operation))

    def _record_op(self, r: int, operation: str, op: tuple[float, str, str | None]) -> None:
        seconds, status, error_type = op
        self.rec.provider_operation(r, operation, seconds, status)
        if error_type is not None:
            self.rec.provider_error(r, operation, error_type)
        if self.engine.now >= 0.0:
            self.truth.provider(operation, seconds)
            if error_type is not None:
                self.truth.provider_error(self.engine.now, operation, error_type)


def _first_on_queue(events: list[Any], queue: str) -> Any:
    """The oldest stashed event on a dequeue_event queue, or None."""
    return next((e for e in events if isinstance(e, tuple) and e[0] == queue), None)
