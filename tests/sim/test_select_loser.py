"""The activity that loses a select2 to its deadline timer (Toygres' schedule_activity_with_retry
with a per-attempt timeout, duroxide lib.rs:2943-2958) is what duroxide does with it, per
version. Expectations come from duroxide's and duroxide-pg's source (v0.1.26 and v0.1.27 unless
said; W = src/runtime/dispatchers/worker.rs, PG = duroxide-pg), never from the simulator's
constants. Each run is a direct set-up: no traffic, one worker slot, and orchestrations whose
one raced activity runs longer than its deadline, so the timer really wins."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import pytest

from generator.config import Config
from generator.log_catalogue import parse_line
from generator.sim import SimResult, SimulationError, workload
from generator.sim.model import Simulation, advance, first_instant, result_of
from generator.sim.options import build_options
from generator.sim.workload import SUCCESS, Ctx
from tests.sim.helpers import END, metrics, select

RACED = "delete-postgres"
ACTIVITY = workload.activity_name(RACED)
ORCHESTRATION = workload.orchestration_name("delete-instance")
DEADLINE = 10.0
RUNS_FOR = 50.0
LAST_TIMER = 120.0
EXECUTIONS = "duroxide_activity_executions_total"


def _one_race(ctx: Ctx) -> Any:
    """select2(activity, 10 s timer) whose timer wins, then one timer, then success."""
    won = yield ("race", RACED, (), DEADLINE)
    assert won == "timeout"
    yield ("timer", LAST_TIMER)
    return SUCCESS


def _run(monkeypatch: pytest.MonkeyPatch, version: str, k8s_names: tuple[str, ...] = ("a", "b"),
         runs_for: float = RUNS_FOR, setup: Callable[[Simulation], None] | None = None) -> SimResult:
    """Start one orchestration per name 30 s (and 1 s apart) into a 10-minute window; the raced
    activity takes `runs_for` seconds. With one worker slot the first loser runs when its timer
    fires and the second is still queued."""
    original = workload.outcome

    def outcome(short: str, *args: Any, **kwargs: Any) -> tuple[float, str, str, str]:
        return (runs_for, "success", "", "") if short == RACED else original(short, *args, **kwargs)

    monkeypatch.setattr(workload, "outcome", outcome)
    era = "E2" if tuple(int(p) for p in version.split(".")) >= (0, 1, 15) else "E1"
    options = build_options(Config(), era=era, duroxide_version=version, instances=0, create_rate_per_hour=0.0,
                            image_rate_per_hour=0.0, worker_slots=1, duration_seconds=600, end_ts=END,
                            prewarm_seconds=60)
    sim = Simulation(options)
    rt = sim.runtime
    rt.release = dataclasses.replace(rt.release, scripts={**rt.release.scripts, "delete-instance": _one_race})
    for i, k8s in enumerate(k8s_names):
        sim.engine.at(30.0 + i, rt.new_instance, "delete-instance", Ctx(k8s), None)
    if setup is not None:
        setup(sim)
    advance(sim, first_instant(options), options.duration_seconds + 1)
    return result_of(sim)


def _last(result: SimResult, name: str, **labels: str | None) -> float:
    return sum(s.last for s in select(metrics(result, name), **labels))


def _truth(result: SimResult) -> tuple[dict[str, int], int]:
    last = result.truth[-1]
    return last["activities"][ACTIVITY], last["orchestrations"][ORCHESTRATION]["turns"]


def _events(result: SimResult, key: str) -> list[Any]:
    """The lines of event `key` about the raced activity (or, without that field, all of them)."""
    return [r for r in result.logs.ordered()
            if r.event == key and dict(r.fields).get("activity_name", ACTIVITY) == ACTIVITY]


def test_v0_1_26_never_runs_a_queued_loser_and_a_running_one_ends_in_a_failed_ack(monkeypatch):
    """From v0.1.8 the turn whose timer won passes the loser to ack_orchestration_item
    (execution.rs:115-122, dispatchers/orchestration.rs:890, 939-948), which deletes its row
    (PG migrations/0020_add_kv_delta.sql:240-248). The queued loser is never fetched: one
    execution in all. The running one is not told: the lock renewal that would cancel it comes
    295 s after its fetch (W:771-782, 828-847; mod.rs:357), so it ends, records its real outcome
    (W:633), and its ack finds no row: ack_worker raises (PG 0015_add_custom_status.sql:257-266),
    duroxide-pg logs ERROR (PG provider.rs:1019-1025), the error counts as "other"
    (instrumented.rs:59-71, 216-231), duroxide WARNs and records the infra_error twin instead of
    the success twin (W:739-758). Neither loser's result reaches its orchestration: two turns
    each besides the start."""
    result = _run(monkeypatch, "0.1.26")
    success = select(metrics(result, EXECUTIONS), activity_name=ACTIVITY)
    assert [(s.labels["outcome"], s.last) for s in success] == [("success", 1.0)]
    # The other activities (the pruner's) have their success twins; the loser has none.
    labelled = sum(s.last for s in select(metrics(result, EXECUTIONS), outcome="success") if "activity_name" in s.labels)
    assert _last(result, EXECUTIONS, activity_name=None, outcome="success") == labelled - 1.0
    assert _last(result, EXECUTIONS, activity_name=None, outcome="infra_error") == 1.0
    assert _last(result, "duroxide_activity_infrastructure_errors_total") == 1.0
    assert _last(result, "duroxide_provider_errors_total", operation="ack_work_item", error_type="other") == 1.0
    assert _last(result, "duroxide_provider_operation_duration_seconds_count", operation="ack_work_item",
                 status="error") == 1.0
    # outcome="cancelled" only follows a failed lock renewal (W:588), which never came.
    assert not select(metrics(result, EXECUTIONS), outcome="cancelled")
    duration = select(metrics(result, "duroxide_activity_duration_seconds_sum"), activity_name=ACTIVITY)
    assert [s.last for s in duration] == [pytest.approx(RUNS_FOR, abs=0.01)]
    activities, turns = _truth(result)
    assert (activities["success"], activities["infra_error"]) == (1, 1)
    assert turns == 2 * 3
    assert result.truth[-1]["worker_queue"] == 0
    assert len(_events(result, "activity.started")) == 1


def test_v0_1_26_logs_the_running_losers_failed_ack(monkeypatch):
    """The running loser writes its own "Activity completed" (W:619-631), then duroxide-pg's
    ERROR inside ack_work_item's #[instrument] span (PG provider.rs:940, 1019-1025; written with
    `target = ...`, a field, so the target is the module path duroxide_pg::provider), then
    duroxide's WARN with the error's Display, `operation: message` (error.rs:92-95, W:746-753).
    No lock-renewal or grace-period line (W:560, W:840): no renewal happened."""
    result = _run(monkeypatch, "0.1.26")
    lines = {record.event: line for record, line in zip(result.logs.ordered(), result.log_lines())}
    pg = parse_line(lines["pg.ack_worker_not_found"])
    assert pg is not None and pg.level == "ERROR" and pg.event.target == "duroxide_pg::provider"
    assert " ERROR ack_work_item{completion=Some(ActivityCompleted " in lines["pg.ack_worker_not_found"]
    assert dict(pg.fields)["operation"] == '"ack_worker"'
    failed = dict(_events(result, "worker.ack_failed")[0].fields)
    assert failed["error"] == "ack_worker: Worker queue item not found or already processed"
    ours = [r for r in result.logs.ordered() if r.event in ("activity.completed", "pg.ack_worker_not_found",
                                                           "worker.ack_failed")
            and dict(r.fields).get("activity_name", ACTIVITY) == ACTIVITY]
    assert [r.event for r in ours] == ["activity.completed", "pg.ack_worker_not_found", "worker.ack_failed"]
    assert ours[0].t == ours[1].t == ours[2].t
    assert not _events(result, "worker.lock_renewal_failed") and not _events(result, "activity.grace")


@pytest.mark.parametrize("version, extra_events", [("0.1.26", 1), ("0.1.16", 1), ("0.1.15", 0)])
def test_the_timer_winning_turn_records_activity_cancel_requested_from_v0_1_16(monkeypatch, version, extra_events):
    """From v0.1.16 the replay engine appends ActivityCancelRequested{reason: "dropped_future"}
    to the turn that dropped the loser (replay_engine.rs:1469-1486 at v0.1.26; no such event
    kind at v0.1.15), so the completed instance's history holds one more event."""
    def history_events(v: str) -> list[int]:
        records = _events(_run(monkeypatch, v), "orch.completed")
        return sorted(int(dict(r.fields)["history_events"]) for r in records)

    base, now = history_events("0.1.15"), history_events(version)
    assert len(base) == 2 and [n - b for n, b in zip(now, base)] == [extra_events] * 2


def test_v0_1_7_lets_both_losers_run_and_land_as_turns(monkeypatch):
    """Before lock stealing (commit a1c9c84, v0.1.8) nothing cancelled a select loser: both
    run (one after the other on the one slot) and each completion is one more turn that resumes
    nothing (v0.1.7 = 6fdf257 has no cancelled_activities at all)."""
    result = _run(monkeypatch, "0.1.7")
    activities, turns = _truth(result)
    assert (activities["success"], activities["infra_error"]) == (2, 0)
    assert turns == 2 * 3 + 2


def test_a_loser_held_by_a_crashed_process_is_not_redelivered(monkeypatch):
    """The row of a loser whose worker died is deleted all the same (the DELETE does not look at
    the lock, PG 0020_add_kv_delta.sql:240-248), so the lock's expiry redelivers nothing: the
    activity never completes anywhere. The process dies 5 s into the activity and is back 30 s
    later; the orchestration's timer turn runs then."""
    result = _run(monkeypatch, "0.1.26", ("a",),
                  setup=lambda sim: sim.engine.at(36.0, sim.runtime.restart_replica, 0, 30.0))
    activities, _ = _truth(result)
    assert activities["success"] == 0
    assert len(_events(result, "activity.started")) == 1
    assert _events(result, "orch.completed")


def test_a_loser_still_running_at_its_lock_renewal_is_refused(monkeypatch):
    """A loser still running 295 s after its fetch would be cancelled by the failed renewal
    (W:555-600: INFO lines, outcome="cancelled"): that path is not modelled, so the run says so
    instead of writing something duroxide would not."""
    with pytest.raises(SimulationError, match="renewal-signalled cancellation is not modelled"):
        _run(monkeypatch, "0.1.26", ("a",), runs_for=400.0)
