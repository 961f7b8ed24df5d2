"""Toygres' orchestrations as turn-by-turn scripts, per Toygres release: "newest" (the
reference's newest commits, the default) and "head" (main at 2f64720). Each await ends a turn;
the numbers (retries, backoffs, deadlines, loop bounds) are the reference's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generator, Mapping

from generator.catalogue import ORCHESTRATION_VERSIONS
from generator.sim.workload import CONTINUE_AS_NEW, SUCCESS, Command, Ctx, Result, Script

RELEASES = ("newest", "head")
# create-semaphore (1.0.0): 10 permits; continue-as-new every 50 events (reference).
CREATE_PERMITS = 10
SEMAPHORE_EVENTS_PER_EXECUTION = 50
SEMAPHORE_ID = "create-semaphore"
# batch-create (1.0.0): get-batch-status every 15 s, continue-as-new every 100 polls.
BATCH_POLL_SECONDS = 15.0
BATCH_POLLS_PER_EXECUTION = 100
# instance-actor 1.0.3: a CMS failure is a WARN and this wait, then continue-as-new.
ACTOR_CMS_RETRY_SECONDS = 30.0


def _act(short: str, effect: tuple[Any, ...] = ()) -> Command:
    return ("act", short, effect)


def _failed(result: Result, message: str | None = None) -> tuple[str, str, str, str]:
    # Toygres maps every awaited error to a String, so the orchestration fails with an
    # application error whatever the activity's own error kind was.
    return ("failed", "app_error", "application", message or result.error)


def _retry(short: str, attempts: int, backoff: Callable[[int], float],
           deadline: float | None = None) -> Generator[Command, Any, Result]:
    """duroxide's schedule_activity_with_retry (lib.rs:2931-2985): each attempt is a separate
    execution (retry_attempt stays "0"), each wait a timer. With a per-attempt timeout every
    attempt is select2(activity, timer): one timer per attempt, a turn for whichever lands
    first, another when a losing timer fires (a losing activity is cancelled: cancellation.py);
    a timeout returns at once (timeouts are not retried)."""
    result = Result(False)
    for attempt in range(attempts):
        if deadline is None:
            result = yield _act(short)
        else:
            won = yield ("race", short, (), deadline)
            if won == "timeout":
                return Result(False, error="timeout: activity timed out")
            result = won
        if result.ok or result.kind == "poison":
            return result
        if attempt < attempts - 1:
            yield ("trace", "WARN", f"Activity '{short}' attempt {attempt + 1}/{attempts} failed: "
                                    f"{result.error}. Retrying...")
            yield ("timer", backoff(attempt))
    return result


def _linear(step: float, cap: float) -> Callable[[int], float]:
    return lambda attempt: min(step * (attempt + 1), cap)


def _exponential(first: float, cap: float) -> Callable[[int], float]:
    return lambda attempt: min(first * 2.0 ** attempt, cap)


@dataclass(frozen=True)
class Release:
    """One Toygres release: what its create-instance does and which versions run."""

    name: str
    deploy: str
    ready_attempts: int
    semaphore: bool
    actor_survives_cms: bool
    signal: str
    versions: Mapping[str, str]
    scripts: Mapping[str, Callable[[Ctx], Script]]


def create_instance(rel: Release) -> Callable[[Ctx], Script]:
    def script(c: Ctx) -> Script:
        """Record, deploy, wait until ready, connection strings, test, mark running (~1 min)."""
        yield ("trace", "INFO", f"Starting instance creation for {c.k8s}")
        if rel.semaphore:
            # 1.0.8: ask the create-semaphore for one of its 10 permits and wait for it. While
            # state is set, an instance that ends early (cancelled, poisoned) gives it back.
            c.state = ("asked",)
            yield _act("send-external-event", ("raise", SEMAPHORE_ID, ("semaphore", "acquire", f"create-{c.k8s}")))
            yield ("wait", "permit")
            yield ("trace", "INFO", f"Acquired create permit for {c.k8s}")
        result = yield from _create_steps(rel, c)
        if rel.semaphore:
            yield _act("send-external-event", ("raise", SEMAPHORE_ID, ("semaphore", "release", f"create-{c.k8s}")))
            c.state = ()
            yield ("trace", "INFO", f"Released create permit for {c.k8s}")
        return result
    return script


def _create_steps(rel: Release, c: Ctx) -> Generator[Command, Any, tuple[Any, ...]]:
    r = yield _act("cms-create-instance-record", ("create_record", c.k8s))
    if not r.ok:
        return _failed(r, f"Failed to create CMS record: {r.error}")
    r = yield _act(rel.deploy)
    if not r.ok:
        return (yield from _compensate(c, r))
    for _ in range(rel.ready_attempts):
        r = yield _act("wait-for-ready")
        if not r.ok:
            return (yield from _compensate(c, r))
        if r.value == "ready":
            break
        yield ("timer", 5.0)
    else:
        message = f"Instance did not become ready after {rel.ready_attempts} attempts"
        return (yield from _compensate(c, Result(False, error=message)))
    deadlines = rel.name != "head"
    r = yield from _retry("get-connection-strings", 5, _linear(2.0, 10.0), 120.0 if deadlines else None)
    if not r.ok:
        return (yield from _compensate(c, r))
    r = yield from _retry("test-connection", 5, _exponential(2.0, 30.0), 60.0 if deadlines else None)
    if not r.ok:
        return (yield from _compensate(c, r))
    r = yield _act("cms-update-instance-state", ("state", c.k8s, "running"))
    if not r.ok:
        return (yield from _compensate(c, r))
    yield ("start", "instance-actor", c.k8s)
    r = yield _act("cms-record-instance-actor")
    if not r.ok:
        return _failed(r)
    yield ("trace", "INFO", f"Instance {c.k8s} created successfully")
    return SUCCESS


def _compensate(c: Ctx, cause: Result) -> Generator[Command, Any, tuple[str, str, str, str]]:
    """On failure: state failed, free the DNS name, delete-instance as a sub-orchestration, with
    Toygres' own traces (create_instance.rs:72-80, cleanup_on_failure :235-252 at 2f64720)."""
    yield ("trace", "ERROR", f"Failed to create instance: {cause.error}")
    yield _act("cms-update-instance-state", ("state", c.k8s, "failed"))
    yield _act("cms-free-dns-name")
    yield ("trace", "INFO", "Cleaning up partial deployment")
    r = yield ("sub", "delete-instance", c.k8s)
    if isinstance(r, Result) and not r.ok:
        yield ("trace", "WARN", f"Cleanup failed: Cleanup sub-orchestration failed: {r.error}")
    else:
        yield ("trace", "INFO", "Cleanup complete, system restored to original state")
    return _failed(cause)


def delete_instance(rel: Release) -> Callable[[Ctx], Script]:
    def script(c: Ctx) -> Script:
        """Look up, mark deleting, signal the actor, delete the deployment, mark deleted, drop
        the record, free the DNS name (1.0.3; ~5-10 s)."""
        yield ("trace", "INFO", f"Deleting instance {c.k8s}")
        newest = rel.name != "head"
        if newest:
            r = yield from _retry("cms-get-instance-by-k8s-name", 3, lambda a: 2.0, 10.0)
        else:
            r = yield _act("cms-get-instance-by-k8s-name")
        if not r.ok:
            return _failed(r)
        if r.value == "gone":
            return SUCCESS
        r = yield _act("cms-update-instance-state", ("state", c.k8s, "deleting"))
        if not r.ok:
            return _failed(r)
        # 1.0.3 raises InstanceDeleted through ActivityContext::get_client before deleting.
        yield _act(rel.signal, ("raise", f"actor-{c.k8s}", "InstanceDeleted"))
        if newest:
            # "not found" counts as deleted: a failure here is only a retried Kubernetes error.
            r = yield from _retry("delete-postgres", 3, _exponential(1.0, 10.0), 60.0)
        else:
            r = yield _act("delete-postgres")
        if not r.ok:
            return _failed(r)
        for step in (("cms-update-instance-state", ("state", c.k8s, "deleted")),
                     ("cms-delete-instance-record", ("delete_record", c.k8s))):
            r = yield _act(*step)
            if not r.ok:
                return _failed(r)
        yield _act("cms-free-dns-name")
        yield ("trace", "INFO", f"Instance {c.k8s} deleted")
        return SUCCESS
    return script


def instance_actor(rel: Release) -> Callable[[Ctx], Script]:
    def script(c: Ctx) -> Script:
        """One cycle (~31 s) per execution, then continue-as-new, forever."""
        r = yield from _retry("cms-get-instance-connection", 3, _exponential(2.0, 10.0))
        if not r.ok:
            if rel.actor_survives_cms:
                return (yield from _survive(f"Failed to get instance connection: {r.error}"))
            return _failed(r, f"Failed to get instance connection after 3 retries: {r.error}")
        if r.value == "gone":
            yield ("trace", "INFO", "Instance no longer exists in CMS, stopping instance actor")
            return SUCCESS
        # A failed connection test means "unhealthy", not a failed actor; 1.0.3 tests it itself
        # (3 tries, 30 s per-attempt deadline).
        deadline = 30.0 if rel.actor_survives_cms else None
        t = yield from _retry("test-connection", 3, _linear(1.0, 5.0), deadline)
        if t.ok:
            yield ("trace", "INFO", "Health check complete, status: healthy")
        else:
            yield ("trace", "WARN", f"Health check failed: {t.error}")
        for short in ("cms-record-health-check", "cms-update-instance-health"):
            r = yield _act(short)
            if not r.ok:
                what = short.removeprefix("cms-").replace("-", " ")
                if rel.actor_survives_cms:
                    return (yield from _survive(f"Failed to {what}: {r.error}"))
                return _failed(r, f"Failed to {what}: {r.error}")
        # 1.0.3 also listens on a "query" queue (select3); nothing sends to it in this model.
        won = yield ("select", 30.0, "InstanceDeleted")
        if won == "event":
            yield ("trace", "INFO", "Received InstanceDeleted signal, stopping instance actor gracefully")
            return SUCCESS
        return CONTINUE_AS_NEW
    return script


def _survive(message: str) -> Generator[Command, Any, tuple[Any, ...]]:
    """instance-actor 1.0.3 on a CMS failure: warn, wait 30 s, continue as new."""
    yield ("trace", "WARN", f"{message}; retrying in {ACTOR_CMS_RETRY_SECONDS:g}s")
    yield ("timer", ACTOR_CMS_RETRY_SECONDS)
    return CONTINUE_AS_NEW


def system_pruner(rel: Release) -> Callable[[Ctx], Script]:
    def script(c: Ctx) -> Script:
        """1.0.5: system-prune-2 (keeps 3 executions), a 60 s timer, continue-as-new."""
        yield ("trace", "INFO", f"System pruner starting iteration {c.iteration}")
        r = yield _act("system-prune-2")
        if not r.ok:
            return _failed(r, f"System prune activity failed: {r.error}")
        yield ("timer", 60.0)
        return CONTINUE_AS_NEW
    return script


def create_semaphore(rel: Release) -> Callable[[Ctx], Script]:
    def script(c: Ctx) -> Script:
        """1.0.0, eternal: grants CREATE_PERMITS permits in request order; continue-as-new
        every 50 events carrying holders and waiters. Requests and releases arrive on its
        "semaphore" queue (dequeue_event); a grant is a send-external-event "permit" to the
        requester. (How Toygres passes requests is not in the reference: the signalling
        activity it registers is this model's choice.)"""
        holders: list[str] = list(c.state[0]) if c.state else []
        waiters: list[str] = list(c.state[1]) if c.state else []
        for _ in range(SEMAPHORE_EVENTS_PER_EXECUTION):
            _, kind, requester = yield ("recv", "semaphore")
            grant = None
            if kind == "acquire" and requester not in holders and requester not in waiters:
                if len(holders) < CREATE_PERMITS:
                    holders.append(requester)
                    grant = requester
                else:
                    waiters.append(requester)
            elif kind == "release":
                if requester in holders:
                    holders.remove(requester)
                elif requester in waiters:
                    waiters.remove(requester)
                if waiters and len(holders) < CREATE_PERMITS:
                    grant = waiters.pop(0)
                    holders.append(grant)
            if grant is not None:
                yield _act("send-external-event", ("raise", grant, "permit"))
        return ("continue_as_new", (tuple(holders), tuple(waiters)))
    return script


def batch_create(rel: Release) -> Callable[[Ctx], Script]:
    def script(c: Ctx) -> Script:
        """1.0.0: starts the creates detached, then polls get-batch-status every 15 s until
        none is running; continue-as-new every 100 polls (the children are started once)."""
        if c.iteration == 0:
            yield ("trace", "INFO", f"Batch creating {len(c.names)} instances")
            for name in c.names:
                yield ("start", "create-instance", name)
        for _ in range(BATCH_POLLS_PER_EXECUTION):
            r = yield _act("get-batch-status", ("batch_status", c.names))
            if r.ok and r.value == "done":
                yield ("trace", "INFO", f"Batch create finished: {len(c.names)} instances")
                return SUCCESS
            yield ("timer", BATCH_POLL_SECONDS)
        return CONTINUE_AS_NEW
    return script


def create_image(rel: Release) -> Callable[[Ctx], Script]:
    def script(c: Ctx) -> Script:
        """1.0.2: records the image through cms-image-ops, then marks it ready. The backup job
        steps between (password and storage lookups, run-backup-job, wait-for-job every 10 s up
        to 1 h, delete-job) are not modelled: their registered names are not confirmed, and a
        guessed label value would teach dashboards a name Toygres never exports."""
        r = yield _act("cms-image-ops")
        if not r.ok:
            return _failed(r)
        r = yield _act("cms-image-ops")
        return SUCCESS if r.ok else _failed(r)
    return script


def _release(name: str, **fields: Any) -> Release:
    builders = {"create-instance": create_instance, "delete-instance": delete_instance,
                "instance-actor": instance_actor, "system-pruner": system_pruner,
                "batch-create": batch_create, "create-image": create_image,
                "create-semaphore": create_semaphore}
    versions = fields.pop("versions")
    rel = Release(name=name, versions=versions, scripts={}, **fields)
    scripts = {short: builders[short](rel) for short in versions}
    object.__setattr__(rel, "scripts", scripts)
    return rel


_NEWEST_VERSIONS = {short: versions[-1] for short, versions in ORCHESTRATION_VERSIONS.items()}
BY_NAME: Mapping[str, Release] = {
    "newest": _release("newest", deploy="deploy-postgres-v2", ready_attempts=120, semaphore=True,
                       actor_survives_cms=True, signal="send-external-event", versions=_NEWEST_VERSIONS),
    # main at 2f64720: register_typed without versions (1.0.0), three orchestrations only.
    "head": _release("head", deploy="deploy-postgres", ready_attempts=60, semaphore=False,
                     actor_survives_cms=False, signal="raise-event",
                     versions={"create-instance": "1.0.0", "delete-instance": "1.0.0",
                               "instance-actor": "1.0.0"}),
}
# The worker/orchestration slots each release configures (toygres-server main.rs).
SLOTS = {"newest": (2, 10), "head": (10, 10)}
assert all(set(r.versions) <= set(ORCHESTRATION_VERSIONS) for r in BY_NAME.values())
