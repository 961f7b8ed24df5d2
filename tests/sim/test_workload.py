"""The simulated workload is Toygres' newest code as the reference describes it ("The Toygres
workload"): expectations are the reference's words and numbers, read back from the exported
metrics, the truth and the logs, never the simulator's own constants."""

from __future__ import annotations

from typing import Any

import pytest

from generator.sim import scripts
from generator.sim.workload import Ctx, Result
from tests.sim.helpers import delta, metrics, simulate

PREFIX = "toygres-orchestrations::activity::"
# The reference's newest activity list, as registered ("Activity names (newest, as registered)").
REFERENCE_NEWEST = {
    "cms-create-instance-record", "deploy-postgres", "deploy-postgres-v2", "wait-for-ready",
    "get-connection-strings", "test-connection", "cms-update-instance-state", "cms-record-instance-actor",
    "cms-free-dns-name", "cms-get-instance-by-k8s-name", "delete-postgres", "cms-delete-instance-record",
    "cms-get-instance-connection", "cms-record-health-check", "cms-update-instance-health",
    "send-external-event", "system-prune", "system-prune-2", "cms-image-ops", "cms-set-instance-runtime-image",
    "get-batch-status",
}
# Registered but not run by the newest versions: deploy-postgres (create-instance < 1.0.5),
# system-prune (system-pruner < 1.0.3); cms-set-instance-runtime-image belongs to no
# orchestration the reference describes.
NOT_RUN_BY_NEWEST = {"deploy-postgres", "system-prune", "cms-set-instance-runtime-image"}
# Names the old model used that Toygres never registered (the list).
NEVER_REGISTERED = {"prune-history", "build-image", "cms-record-image", "cms-acquire-semaphore"}
# Two hours with a batch of 50 (batch-create) and frequent image builds: every orchestration runs.
BUSY = dict(duration_seconds=7200, image_rate_per_hour=6.0, fault_start_seconds=1800)


def _activity_names(result: Any) -> set[str]:
    names = {s.labels.get("activity_name", "") for s in metrics(result, "duroxide_activity_executions_total")}
    return {n.removeprefix(PREFIX) for n in names if n}


def _mean_seconds(result: Any, short: str) -> float:
    name = PREFIX + short
    total = sum(delta([s], 0) for s in metrics(result, "duroxide_activity_duration_seconds_sum")
                if s.labels.get("activity_name") == name and s.labels.get("outcome") == "success")
    count = sum(delta([s], 0) for s in metrics(result, "duroxide_activity_duration_seconds_count")
                if s.labels.get("activity_name") == name and s.labels.get("outcome") == "success")
    assert count > 0, f"{short} never ran"
    return total / count


def test_exported_activity_names_are_the_references_newest_list() -> None:
    seen = _activity_names(simulate(["burst"], **BUSY))
    assert seen <= REFERENCE_NEWEST, seen - REFERENCE_NEWEST
    assert seen == REFERENCE_NEWEST - NOT_RUN_BY_NEWEST
    assert not seen & NEVER_REGISTERED


def test_head_runs_the_old_names() -> None:
    seen = _activity_names(simulate(toygres_version="head"))
    assert {"deploy-postgres", "wait-for-ready", "raise-event"} <= seen
    assert not seen & {"deploy-postgres-v2", "system-prune-2", "send-external-event", "get-batch-status"}


def test_get_connection_strings_is_the_slow_activity_and_wait_for_ready_sub_second() -> None:
    """Newest: wait-for-ready is ONE pod-list call; get-connection-strings sleeps inside the
    activity up to 10 x 5 s for the load balancer's IP (tens of seconds, at most ~50 s)."""
    result = simulate(**BUSY)
    assert _mean_seconds(result, "wait-for-ready") < 1.0
    slowest = max(v for s in metrics(result, "duroxide_activity_duration_seconds")
                  if s.labels.get("activity_name") == PREFIX + "wait-for-ready" and s.labels.get("quantile") == "1"
                  for _, v in s.samples)
    assert slowest < 1.0
    assert 10.0 <= _mean_seconds(result, "get-connection-strings") <= 55.0
    assert max(r["activity_latency"].get(PREFIX + "get-connection-strings", {}).get("p95", 0.0)
               for r in result.truth) >= 20.0


def test_head_wait_for_ready_is_the_slow_one() -> None:
    assert _mean_seconds(simulate(toygres_version="head"), "wait-for-ready") >= 8.0


def _drive(script: Any, replies: dict[str, list[Any]]) -> list[tuple[Any, ...]]:
    """Run a script by hand: each awaited activity gets the next reply for its name (a Result or
    "timeout"), timers and waits resume at once; returns every command it yielded."""
    seen: list[tuple[Any, ...]] = []
    value: Any = None
    try:
        while True:
            cmd = script.send(value)
            seen.append(cmd)
            kind = cmd[0]
            if kind in ("act", "race"):
                queue = replies.get(cmd[1])
                value = queue.pop(0) if queue else Result(True, "ready")
            elif kind == "select":
                value = "timer"
            elif kind == "wait":
                value = "event"
            else:
                value = None
    except StopIteration:
        return seen


def test_a_retried_call_races_a_deadline_timer_per_attempt() -> None:
    """get-connection-strings: retry 5, linear 2->10 s, 120 s per-attempt deadline."""
    pending = Result(False, error="Load balancer IP pending")
    script = scripts.BY_NAME["newest"].scripts["create-instance"](Ctx("orders1-0000abcd"))
    seen = _drive(script, {"get-connection-strings": [pending] * 4 + [Result(True)]})
    at = [i for i, c in enumerate(seen) if c[0] == "race" and c[1] == "get-connection-strings"]
    assert [seen[i][3] for i in at] == [120.0] * 5
    backoffs = [c[1] for c in seen[at[0]:at[-1]] if c[0] == "timer"]
    assert backoffs == [2.0, 4.0, 6.0, 8.0]


def test_a_deadline_that_fires_first_is_not_retried() -> None:
    script = scripts.BY_NAME["newest"].scripts["create-instance"](Ctx("orders1-0000abcd"))
    seen = _drive(script, {"test-connection": ["timeout"]})
    assert sum(1 for c in seen if c[0] == "race" and c[1] == "test-connection") == 1
    assert ("sub", "delete-instance", "orders1-0000abcd") in seen  # compensated


def test_the_losing_deadline_timer_costs_the_actor_a_turn_per_cycle() -> None:
    """instance-actor per cycle: start, connection, test (raced by its 30 s deadline), health
    record, health update, then the 30 s timer: 6 turns; the deadline timer lands ~30 s after
    the test started, just before the cycle's timer, and is a 7th (HEAD had no deadline)."""
    name = "toygres-orchestrations::orchestration::instance-actor"

    def turns_per_cycle(result: Any) -> float:
        first, last = result.truth[0]["orchestrations"][name], result.truth[-1]["orchestrations"][name]
        return (last["turns"] - first["turns"]) / (last["continuedAsNew"] - first["continuedAsNew"])

    assert turns_per_cycle(simulate()) == pytest.approx(7.0, abs=0.1)
    assert turns_per_cycle(simulate(toygres_version="head")) == pytest.approx(6.0, abs=0.1)


def test_at_most_ten_creates_run_at_once_under_1_0_8() -> None:
    """A batch of 50: create-instance 1.0.8 waits on the create-semaphore's 10 permits before
    its CMS record exists, so at most 10 instances are 'creating'; HEAD had no semaphore."""
    result = simulate(["burst"], **BUSY)
    creating = [r["instances"]["creating"] for r in result.truth]
    assert max(creating) == 10
    head = simulate(["burst"], toygres_version="head", **BUSY)
    assert max(r["instances"]["creating"] for r in head.truth) > 10


def test_batch_create_polls_get_batch_status_every_15_seconds() -> None:
    result = simulate(["burst"], **BUSY)
    (polls,) = [s for s in metrics(result, "duroxide_activity_executions_total")
                if s.labels.get("activity_name") == PREFIX + "get-batch-status" and s.labels.get("outcome") == "success"]
    # 50 creates ten at a time take tens of minutes; a poll every 15 s (+ a turn or two).
    minutes = (polls.samples[-1][1] - polls.samples[0][1]) * 15.0 / 60.0
    assert polls.samples[-1][1] - polls.samples[0][1] >= 20
    assert minutes < 90


def test_actor_survives_cms_failures_at_newest_and_fails_at_head() -> None:
    """1.0.3 warns, waits 30 s, continues as new; at HEAD an unretried CMS failure failed it."""
    name = "toygres-orchestrations::orchestration::instance-actor"
    newest = simulate(["database-down"], duration_seconds=5400)
    head = simulate(["database-down"], duration_seconds=5400, toygres_version="head")
    assert newest.truth[-1]["orchestrations"][name]["failed"] == 0
    assert head.truth[-1]["orchestrations"][name]["failed"] >= 20


@pytest.mark.parametrize("activity, attempts, deadline, backoffs", [
    # lookup: retry 3, fixed 2 s, 10 s deadline
    ("cms-get-instance-by-k8s-name", 3, 10.0, [2.0, 2.0]),
    # delete-postgres: retry 3, exponential 1 -> 10 s, 60 s deadline
    ("delete-postgres", 3, 60.0, [1.0, 2.0]),
], ids=["lookup-fixed-2s", "delete-postgres-exponential"])
def test_delete_instance_retries_its_calls_under_a_deadline(activity, attempts, deadline, backoffs) -> None:
    """delete-instance 1.0.3 (reference "delete-instance"): each call is retried 3 times, every
    attempt raced by its deadline timer; when all fail the orchestration fails."""
    failing = Result(False, error="Kubernetes API error: 503 Service Unavailable")
    script = scripts.BY_NAME["newest"].scripts["delete-instance"](Ctx("orders1-0000abcd"))
    seen = _drive(script, {activity: [failing] * attempts})
    at = [i for i, c in enumerate(seen) if c[0] == "race" and c[1] == activity]
    assert [seen[i][3] for i in at] == [deadline] * attempts
    assert [c[1] for c in seen[at[0]:at[-1]] if c[0] == "timer"] == backoffs
    # Failed: nothing after the last attempt but the end of the script.
    assert not [c for c in seen[at[-1] + 1:] if c[0] in ("act", "race")]


# The reference's newest versions ("The Toygres workload"): duroxide's Latest policy runs these.
NEWEST_VERSIONS = {"create-instance": "1.0.8", "delete-instance": "1.0.3", "instance-actor": "1.0.3",
                   "system-pruner": "1.0.5", "create-image": "1.0.2", "create-semaphore": "1.0.0",
                   "batch-create": "1.0.0"}


def test_every_orchestration_runs_its_newest_version() -> None:
    """starts_total's version is the registered version that ran (or "unknown" on a brand-new
    instance's first turn, orchestration.rs:609): only the reference's newest ones appear."""
    seen: dict[str, set[str]] = {}
    for s in metrics(simulate(["burst"], **BUSY), "duroxide_orchestration_starts_total"):
        name = s.labels["orchestration_name"].removeprefix("toygres-orchestrations::orchestration::")
        seen.setdefault(name, set()).add(s.labels["version"])
    assert {name: versions - {"unknown"} for name, versions in seen.items()} == \
        {name: {version} for name, version in NEWEST_VERSIONS.items()}
