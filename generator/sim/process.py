"""One Toygres process (replica): its duroxide runtime's slot pools and queues, its lifecycle
(start, crash, restart) and what duroxide records about it outside turns and activities:
gauge initialisation and polling, idle dispatcher polls and E2 session maintenance."""

from __future__ import annotations

import random
from collections import deque
from typing import TYPE_CHECKING, Any, Protocol

from generator.sim import fetch_loop
from generator.sim.engine import Engine, SlotPool
from generator.sim.provider import (POLLS_PER_SECOND, SESSION_CLEANUP_EVERY, SESSION_RENEW_EVERY, ProviderModel)
from generator.sim.state import Instance, Work

if TYPE_CHECKING:
    from generator.sim.options import SimOptions
    from generator.sim.recorder import Recorder
    from generator.sim.truth import Truth

# duroxide's gauge poller interval (>= 0.1.17, E2): queue depths re-read from the store.
GAUGE_POLL_SECONDS = 60.0


class Replica:
    """A process: orchestration and worker slot pools, its share of the orchestrator queue
    (instances stick to the process holding their session), and in-flight work."""

    def __init__(self, index: int, orchestration_slots: int, worker_slots: int, now: float) -> None:
        self.index = index
        self.label = f"toygres-{index}:8080"
        self.alive = False
        # Bumped on every crash: events of a dead process find a stale epoch and are dropped.
        self.epoch = 0
        self.runtime_id = "0000"
        self.orch = SlotPool(orchestration_slots, now)
        self.work = SlotPool(worker_slots, now)
        self.orch_queue: deque[Instance] = deque()
        self.orch_inflight: dict[int, tuple[Instance, tuple[Any, ...]]] = {}
        self.work_inflight: dict[int, Work] = {}
        # The per-process duroxide_active_orchestrations value.
        self.active = 0
        self.session_carry = [0.0, 0.0]

    def update_orch_idle(self, now: float) -> None:
        self.orch.set_idle(bool(self.orch.free) and not self.orch_queue, now)


class Runtime(Protocol):
    """What a process needs of the runtime that hosts it (generator.sim.runtime.Runtime): the
    shared store's state and the dispatchers' entry points. Declared here so this module does
    not import the runtime, which imports it."""

    engine: Engine
    options: SimOptions
    rec: Recorder
    truth: Truth
    provider: ProviderModel
    rng_sched: random.Random
    replicas: list[Replica]
    worker_queue: deque[Work]
    running: int
    orch_depth: int
    orchestrator_lock: float
    worker_lock: float

    def ensure_pruner(self) -> None: ...
    def enqueue_instance(self, inst: Instance) -> None: ...
    def pull_orchestrations(self, rep: Replica) -> None: ...
    def pull_work(self, rep: Replica) -> None: ...
    def update_work_idle(self) -> None: ...
    def redeliver_turn(self, inst: Instance, msg: tuple[Any, ...]) -> None: ...
    def redeliver_work(self, work: Work) -> None: ...
    def provider_op(self, r: int, operation: str) -> None: ...


def start_process(rt: Runtime, rep: Replica) -> None:
    """Runtime::start: initialize_gauges reads running instances and queue depths from the
    store (a global count, in every process), then the dispatchers start."""
    now = rt.engine.now
    rep.alive = True
    rep.runtime_id = f"{rt.rng_sched.getrandbits(16):04x}"
    rep.orch.reset(now)
    rep.work.reset(now)
    rep.session_carry = [0.0, 0.0]
    rep.active = rt.running
    rt.rec.active(rep.index, rep.active)
    rt.logs.process_started(now)
    rt.rec.queue_depths(rep.index, rt.orch_depth, len(rt.worker_queue))
    if rt.options.era == "E2":
        rt.engine.after(GAUGE_POLL_SECONDS, poll_gauges, rt, rep, rep.epoch)
    rt.ensure_pruner()
    rt.pull_orchestrations(rep)
    rt.pull_work(rep)
    rep.update_orch_idle(now)
    rt.update_work_idle()


def poll_gauges(rt: Runtime, rep: Replica, epoch: int) -> None:
    """E2's gauge poller: queue depths from the store every 60 s; E1 never refreshes them."""
    if rep.epoch != epoch or not rep.alive:
        return
    rt.rec.queue_depths(rep.index, rt.orch_depth, len(rt.worker_queue))
    if rt.options.active_repoll:
        rep.active = rt.running
        rt.rec.active(rep.index, rep.active)
    rt.engine.after(GAUGE_POLL_SECONDS, poll_gauges, rt, rep, epoch)


def crash(rt: Runtime, rep: Replica, downtime: float) -> None:
    """The process dies: metrics vanish (counters reset), locked work is redelivered when its
    lock expires, queued instances move to live processes; it starts again after downtime."""
    if not rep.alive:
        return
    now = rt.engine.now
    rep.alive = False
    rep.epoch += 1
    rt.rec.replicas[rep.index].reset()
    fetch_loop.recovered(rt, rep)
    if now >= 0.0:
        rt.truth.replica_restarts += 1
    rep.orch.set_idle(False, now)
    rep.work.set_idle(False, now)
    rep.orch.idle_acc = rep.work.idle_acc = 0.0
    for inst, msg in rep.orch_inflight.values():
        rt.engine.after(rt.orchestrator_lock, rt.redeliver_turn, inst, msg)
    for work in rep.work_inflight.values():
        rt.engine.at(work.started + rt.worker_lock, rt.redeliver_work, work)
    rep.orch_inflight.clear()
    rep.work_inflight.clear()
    queued = list(rep.orch_queue)
    rep.orch_queue.clear()
    for inst in queued:
        inst.queued = False
        rt.enqueue_instance(inst)
    rt.update_work_idle()
    rt.engine.after(downtime, start_process, rt, rep)


def account_interval(rt: Runtime, now: float, interval: float, only: Replica | None = None) -> None:
    """Everything recorded per process but not worth an event each: idle polls (every
    ~100 ms per idle dispatcher) and, in E2, session lock renewals and orphan sweeps.
    `only`: account that process alone (each is accounted just before its own scrape)."""
    provider = rt.provider
    rec = rt.rec
    in_window = now >= 0.0
    for rep in rt.replicas:
        if not rep.alive or (only is not None and rep is not only):
            continue
        if rt.health.unreachable:
            fetch_loop.outage_interval(rt, rep, now)
            _session_upkeep(rt, rep, interval, failing=True)
            continue
        fetch_loop.recovered(rt, rep)
        for pool, operation in ((rep.orch, "fetch_orchestration_item"), (rep.work, "fetch_work_item")):
            polls = pool.take_idle_seconds(now) * POLLS_PER_SECOND + pool.poll_carry
            count = int(polls)
            pool.poll_carry = polls - count
            ok, errors = provider.idle_polls(count)
            rec.provider_operations(rep.index, operation, "success", ok)
            if errors:
                rec.provider_operations(rep.index, operation, "error", errors)
                rec.provider_error(rep.index, operation, "timeout", len(errors))
                fetch_loop.idle_poll_errors(rt, rep, operation, now, interval, len(errors))
            if in_window:
                rt.truth.provider_many(operation, ok)
                if errors:
                    rt.truth.provider_many(operation, errors)
                    rt.truth.provider_error(now, operation, "timeout", len(errors))
        _session_upkeep(rt, rep, interval, failing=False)


def _session_upkeep(rt: Runtime, rep: Replica, interval: float, failing: bool) -> None:
    """E2 session maintenance; with the database down each attempt fails with a WARN."""
    if rt.options.era != "E2":
        return
    now = rt.engine.now
    for i, (operation, every) in enumerate((("renew_session_lock", SESSION_RENEW_EVERY),
                                            ("cleanup_orphaned_sessions", SESSION_CLEANUP_EVERY))):
        due = interval / every + rep.session_carry[i]
        count = int(due)
        rep.session_carry[i] = due - count
        for k in range(count):
            if not failing:
                rt.provider_op(rep.index, operation)
                continue
            seconds = fetch_loop.ACQUIRE_TIMEOUT
            rt.rec.provider_operation(rep.index, operation, seconds, "error")
            rt.rec.provider_error(rep.index, operation, "connection")
            if now >= 0.0:
                rt.truth.provider(operation, seconds)
                rt.truth.provider_error(now, operation, "connection")
            rt.logs.session_op_failed(now - interval * (count - k - 0.5) / count, operation, "connection")


def new_runtime_rng(seed: int, stream: str) -> random.Random:
    """An independent, seeded stream per concern, so a fault does not shift the others."""
    return random.Random(f"{seed}/{stream}")
