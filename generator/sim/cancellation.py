"""What duroxide does with the activity that lost a select2 to its deadline timer (Toygres'
schedule_activity_with_retry with a per-attempt timeout, lib.rs:2943-2958 at v0.1.26): from
v0.1.8 the turn in which the timer won asks the store to delete the loser's worker-queue row
("lock stealing"), in the same ack that commits the turn. Paths are duroxide v0.1.26's
src/runtime/... unless said; PG is duroxide-pg v0.1.27 (the store Toygres runs).

- The select2 future drops the losing DurableFuture (lib.rs:3912-3924, 679-690); the replay
  engine turns the drop into a cancellation (replay_engine.rs:1469-1486, with the history event
  ActivityCancelRequested{reason: "dropped_future"} from v0.1.16), execution.rs:115-122 into a
  ScheduledActivityIdentifier, and the dispatcher passes it to ack_orchestration_item
  (dispatchers/orchestration.rs:631, 890, 939-948). duroxide-pg deletes the row in that
  transaction whether or not a worker holds its lock (PG migrations/0020_add_kv_delta.sql:240-248).
- Queued: the row is gone before any worker fetched it. The activity never runs: no fetch, no
  "Activity started", no execution metric.
- Running: nothing tells the worker at once. Its activity manager renews the lock every
  worker_lock_timeout - worker_lock_renewal_buffer (dispatchers/worker.rs:771-782; Toygres'
  300 s lock and the default 5 s buffer, mod.rs:357: 295 s) and only a failed renewal cancels
  the activity (dispatchers/worker.rs:828-847). Toygres' activities end long before 295 s, so the
  loser runs to its end, records its real outcome and its ack finds the row gone
  (WorkerDispatcher._stolen_ack). The renewal-signalled cancellation (INFO "Lock renewal failed",
  INFO "Orchestration terminated, waiting for activity grace period", outcome="cancelled" after
  up to the 10 s grace, dispatchers/worker.rs:555-600) is not modelled: `steal` refuses a loser
  that would still run at its next renewal instead of getting it wrong.
- Held by a crashed process: the row is gone, so the lock's expiry redelivers nothing.
- The orchestration sees nothing more: no completion is ever enqueued, so the loser costs no turn.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from generator.sim.errors import SimulationError
from generator.sim.options import CANCEL_REQUEST_EVENT_FIRST, SELECT_LOSER_CANCEL_FIRST

if TYPE_CHECKING:
    from generator.sim.runtime import Runtime
    from generator.sim.state import Instance, Work

# RuntimeOptions.worker_lock_renewal_buffer's default (mod.rs:357); Toygres does not set it.
WORKER_LOCK_RENEWAL_BUFFER = 5.0


def renewal_interval(lock_timeout: float, buffer: float = WORKER_LOCK_RENEWAL_BUFFER) -> float:
    """How often a running activity's lock is renewed (dispatchers/worker.rs:771-782)."""
    if lock_timeout >= 15.0:
        return max(lock_timeout - min(buffer, lock_timeout), 1.0)
    return max(math.ceil(lock_timeout * 0.5), 1.0)


def timer_won(rt: Runtime, inst: Instance, loser: Work) -> None:
    """The turn being processed resumed a race with its timer: from v0.1.8 its ack also steals
    the losing activity's row; from v0.1.16 the turn's history has one more event."""
    version = rt.options.version
    if version < SELECT_LOSER_CANCEL_FIRST:
        return  # v0.1.7 and older: the loser runs on and its result is a turn of its own
    if version >= CANCEL_REQUEST_EVENT_FIRST:
        inst.history += 1  # ActivityCancelRequested{reason: "dropped_future"}
    rt._effect(steal, rt, loser)


def steal(rt: Runtime, work: Work) -> None:
    """ack_orchestration_item committed with the loser in cancelled_activities: its row is gone."""
    if work.stolen:
        return
    work.stolen = True
    queue = rt.worker_queue
    if work in queue:
        queue.remove(work)
        if not queue:
            rt.update_work_idle()
        return
    if any(id(work) in rep.work_inflight for rep in rt.replicas):
        interval = renewal_interval(rt.worker_lock)
        next_renewal = work.fetched + interval * (math.floor((rt.engine.now - work.fetched) / interval) + 1)
        if work.ends > next_renewal:
            raise SimulationError(
                f"activity {work.name}#{work.seq} of {work.inst.iid} lost its select2 and still runs at its "
                f"next lock renewal: renewal-signalled cancellation is not modelled (generator/sim/cancellation.py)")
    # Running: its ack will fail (WorkerDispatcher._stolen_ack). Held by a crashed process, or
    # abandoned and not yet visible again: enqueue_work drops it. Already acked: nothing left.
