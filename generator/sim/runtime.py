"""duroxide's runtime semantics: orchestration turns on orchestration slots, activities on
worker slots, and exactly what duroxide records (metrics, logs) at each step, and when."""

from __future__ import annotations

from collections import deque
from typing import Any

from generator.sim import process, workload
from generator.sim.engine import Engine
from generator.sim.log_hooks import DuroxideLog
from generator.sim.options import SimOptions
from generator.sim.process import Replica
from generator.sim.provider import ProviderModel, StoreHealth
from generator.sim.recorder import Recorder
from generator.sim.state import Instance, Work
from generator.sim.truth import Truth
from generator.sim.worker import MAX_ATTEMPTS, WorkerDispatcher
from generator.sim.workload import Ctx, Faults, Result

# Lock timeouts: worker 300 s (Toygres' setting); orchestrator items are re-fetchable sooner.
WORKER_LOCK = 300.0
ORCHESTRATOR_LOCK = 30.0
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
        self.health = StoreHealth()
        self.batch_size = options.batch_size
        self.rng_sched = process.new_runtime_rng(options.seed, "dispatch")
        self.rng_work = process.new_runtime_rng(options.seed, "activities")
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
        """The Toygres API starts an orchestration: one enqueue_orchestrator on its process."""
        rep = self._api_replica()
        if rep is None:
            return None
        self.provider_op(rep.index, "enqueue_orchestrator")
        return self.new_instance(short, ctx, None)

    def client_cancel(self, iid: str) -> None:
        """A user cancels an instance: the next turn fails it (app_error), in-flight work is dropped."""
        inst = self.instances.get(iid)
        rep = self._api_replica()
        if inst is None or inst.terminal or rep is None:
            return
        self.provider_op(rep.index, "enqueue_orchestrator")
        self.deliver(inst, ("cancel", inst.execution_id, None))

    def ensure_pruner(self) -> None:
        """Toygres starts the system pruner at start-up when none is running."""
        pruner = self.instances.get("system-pruner")
        if pruner is None or pruner.terminal:
            self.new_instance("system-pruner", Ctx("system"), None)

    def new_instance(self, short: str, ctx: Ctx, parent: Instance | None) -> Instance | None:
        """Create an instance (client, parent or start-up) and queue its first turn."""
        prefix = workload.ID_PREFIX[short]
        iid = prefix if short == "system-pruner" else f"{prefix}-{ctx.k8s}"
        existing = self.instances.get(iid)
        if existing is not None and not existing.terminal:
            return None  # duroxide rejects a second start of a live instance id
        owner = self._api_replica() or self.replicas[0]
        inst = Instance(iid, short, workload.orchestration_name(short), workload.current_version(short),
                        ctx, owner.index, parent=parent)
        inst.gen = workload.SCRIPTS[short](ctx)
        self.instances[iid] = inst
        self.pending += 1
        self.deliver(inst, ("start", 1, None))
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
            # An idle dispatcher notices new work at its next poll (every ~100 ms).
            self._start_turn(rep, inst, self.rng_sched.random() * 0.1)
        else:
            rep.orch_queue.append(inst)
        rep.update_orch_idle(self.engine.now)

    def pull_orchestrations(self, rep: Replica) -> None:
        """A freed orchestration slot takes the next queued instance without waiting for a poll."""
        while rep.alive and rep.orch.free and rep.orch_queue:
            self._start_turn(rep, rep.orch_queue.popleft(), 0.0)
        rep.update_orch_idle(self.engine.now)

    def _start_turn(self, rep: Replica, inst: Instance, delay: float) -> None:
        inst.queued = False
        inst.busy = True
        slot = rep.orch.free.pop()
        msg = inst.inbox.popleft()
        self.orch_depth -= 1
        provider = self.provider
        fetch = provider.sample("fetch_orchestration_item", inst.history)
        ack = provider.sample("ack_orchestration_item", inst.history)
        # Replay cost grows with history; the rest is the two store round trips.
        compute = 0.0008 + 0.00004 * inst.history + self.rng_sched.random() * 0.002
        seconds = fetch[0] + compute + ack[0]
        rep.orch_inflight[id(inst)] = (inst, msg)
        self.engine.at(self.engine.now + delay + seconds, self._turn_done, rep, rep.epoch, slot, inst, msg,
                       fetch, ack, seconds)

    def redeliver_turn(self, inst: Instance, msg: tuple[Any, ...]) -> None:
        """The process holding the turn died: the message is visible again (attempt + 1)."""
        inst.busy = False
        if inst.terminal or msg[1] != inst.execution_id:
            return
        inst.inbox.appendleft(msg)
        self.orch_depth += 1
        inst.attempts += 1
        if not inst.queued:
            self.enqueue_instance(inst)

    def _turn_done(self, rep: Replica, epoch: int, slot: int, inst: Instance, msg: tuple[Any, ...],
                   fetch: tuple[float, str, str | None], ack: tuple[float, str, str | None], seconds: float) -> None:
        if rep.epoch != epoch:
            return
        del rep.orch_inflight[id(inst)]
        r = rep.index
        now = self.engine.now
        self._record_op(r, "fetch_orchestration_item", fetch)
        self._record_op(r, "ack_orchestration_item", ack)
        worker_id = f"orch-{slot}-{rep.runtime_id}"
        # duroxide records the start (and +1 active for a brand-new instance) before the
        # turn runs; a failed ack leaves history empty, so the retry counts both again.
        first = not inst.started
        if msg[0] == "start":
            version = "unknown" if first else inst.version
            initiated = "continueAsNew" if inst.new_execution else "client"
            self.logs.turn_started(now, inst, worker_id, inst.new_execution)
        else:
            version, initiated = inst.version, "client"
        self.rec.orchestration_start(r, inst.name, version, initiated)
        if ack[2] is not None:
            self._turn_ack_failed(rep, slot, inst, msg, ack[2], worker_id)
            return
        if first:
            # Stop-gap until the fidelity model (duroxide's polled gauge) lands: count a new
            # instance once, when its first turn commits, so a failed ack does not count it twice.
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
        inst.attempts = 1
        inst.history += 1
        if msg[0] == "cancel":
            terminal = ("failed", "app_error", "application", "Orchestration cancelled by client")
        else:
            if msg[0] == "act" and msg[2][1].kind == "poison":
                self.logs.system_error(now, inst, msg[2][0], msg[2][1].error)
            resumed, value = self._match(inst, msg)
            terminal = self._advance(inst, value) if resumed else None
        if terminal is not None:
            self._finish(rep, inst, terminal, seconds, worker_id)
        self._release_turn(rep, slot, inst)

    def _turn_ack_failed(self, rep: Replica, slot: int, inst: Instance, msg: tuple[Any, ...],
                         error_type: str, worker_id: str) -> None:
        self.logs.ack_failed(self.engine.now, inst, error_type)
        inst.attempts += 1
        if inst.attempts > MAX_ATTEMPTS:
            self.rec.orchestration_poison(rep.index)
            self.logs.orchestration_poisoned(self.engine.now, inst, inst.attempts)
            if self.engine.now >= 0.0:
                self.truth.poison("orchestration")
            if not inst.started:
                inst.started = True
                rep.active += 1  # the -1 in _finish below pairs with it
                self.pending -= 1
                self.running += 1
                self.active_by_name[inst.name] = self.active_by_name.get(inst.name, 0) + 1
            self._finish(rep, inst, ("failed", "infrastructure_error", "infrastructure",
                                     f"poison message: exceeded {MAX_ATTEMPTS} attempts"), 0.0, worker_id)
        else:
            inst.inbox.appendleft(msg)
            self.orch_depth += 1
        self._release_turn(rep, slot, inst)

    def _release_turn(self, rep: Replica, slot: int, inst: Instance) -> None:
        rep.orch.free.append(slot)
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
        if kind == "act" and waiting[0] == "act" and waiting[1] == payload[0]:
            return True, payload[1]
        if kind == "timer" and waiting[0] in ("timer", "select") and waiting[1] == payload:
            return True, "timer"
        if kind == "event":
            if waiting[0] == "select" and waiting[2] == payload:
                return True, "event"
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
                    self.new_instance(cmd[1], Ctx(cmd[2]), None)
                    cmd = gen.send(None)
                elif kind == "raise":
                    target = self.instances.get(cmd[1])
                    if target is not None and not target.terminal:
                        self.deliver(target, ("event", target.execution_id, cmd[2]))
                    cmd = gen.send(None)
                elif kind == "select" and cmd[2] in inst.events:
                    inst.events.remove(cmd[2])
                    cmd = gen.send("event")
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
            self.enqueue_work(Work(inst, inst.execution_id, inst.seq, cmd[1], workload.activity_name(cmd[1]), cmd[2]))
        elif kind in ("timer", "select"):
            inst.waiting = ("timer", inst.seq) if kind == "timer" else ("select", inst.seq, cmd[2])
            self.engine.after(cmd[1], self.deliver, inst, ("timer", inst.execution_id, inst.seq))
        elif kind == "sub":
            inst.waiting = ("sub", self._child(inst, cmd[1], cmd[2]))
        elif kind == "subs":
            pending = {self._child(inst, short, k8s): i for i, (short, k8s) in enumerate(cmd[1])}
            inst.waiting = ("subs", pending, [Result(False, error="not started")] * len(cmd[1]))

    def _child(self, parent: Instance, short: str, k8s: str) -> str:
        child = self.new_instance(short, Ctx(k8s), parent)
        iid = f"{workload.ID_PREFIX[short]}-{k8s}"
        if child is None:  # already running: report failure to the parent right away
            self.engine.after(0.0, self.deliver, parent,
                              ("sub", parent.execution_id, (iid, Result(False, error="instance already exists"))))
        return iid

    def _finish(self, rep: Replica, inst: Instance, terminal: tuple[Any, ...], seconds: float, worker_id: str) -> None:
        """A terminal turn: completion (and failure / continue-as-new) metrics, gauge, parent."""
        r = rep.index
        now = self.engine.now
        status = _STATUS[terminal[0]]
        self.rec.orchestration_completion(r, inst.name, inst.version, status, seconds, inst.history + 1)
        if now >= 0.0:
            self.truth.terminal(now, inst.name, status, terminal[1] if status == "failed" else None)
        if status == "continuedAsNew":
            self.rec.continue_as_new(r, inst.name, inst.execution_id)
            self.logs.turn_ended(now, inst, worker_id, status, inst.history + 1)
            inst.execution_id += 1
            inst.history = 0
            inst.seq = 0  # activity ids are event ids within the execution's history
            inst.ctx = Ctx(inst.ctx.k8s, inst.ctx.iteration + 1, inst.ctx.names)
            inst.gen = workload.SCRIPTS[inst.short](inst.ctx)
            inst.new_execution = True
            inst.waiting = None
            self.deliver(inst, ("start", inst.execution_id, None))
            return
        if status == "failed":
            error_type, category, message = terminal[1], terminal[2], terminal[3]
            self.rec.orchestration_failure(r, inst.name, inst.version, error_type, category)
            self.logs.turn_ended(now, inst, worker_id, status, inst.history + 1, category, message)
        else:
            self.logs.turn_ended(now, inst, worker_id, status, inst.history + 1)
        rep.active -= 1
        self.rec.active(r, rep.active)
        inst.terminal = True
        self.running -= 1
        self.active_by_name[inst.name] -= 1
        self.orch_depth -= len(inst.inbox)
        inst.inbox.clear()
        if self.instances.get(inst.iid) is inst and inst.short != "system-pruner":
            del self.instances[inst.iid]
        parent = inst.parent
        if parent is not None and not parent.terminal:
            result = Result(status == "success", error="" if status == "success" else terminal[3])
            self.deliver(parent, ("sub", parent.execution_id, (inst.iid, result)))

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
