"""Toygres' orchestrations as turn-by-turn scripts, and its activities as latency/failure
profiles, following the reference's description of the workload (names from the catalogue)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Generator

from generator.catalogue import ACTIVITIES, ACTIVITY_PREFIX, ORCHESTRATION_PREFIX, ORCHESTRATION_VERSIONS

# A script yields commands; blocking ones end the turn, the rest run within it:
#   ("act", short, effect)  ("timer", s)  ("select", s, event)  ("sub", short, k8s)
#   ("subs", [(short, k8s), ...])  ("start", short, k8s)  ("raise", instance_id, event)
#   ("trace", level, message)
# and returns ("success",) | ("failed", error_type, category, message) | ("continue_as_new",).
Command = tuple[Any, ...]
Script = Generator[Command, Any, tuple[Any, ...]]
SUCCESS = ("success",)
CONTINUE_AS_NEW = ("continue_as_new",)

POOL_ERROR = "Failed to initialize global database pool"


def orchestration_name(short: str) -> str:
    return ORCHESTRATION_PREFIX + short


def activity_name(short: str) -> str:
    return ACTIVITY_PREFIX + short


def current_version(short: str) -> str:
    """The version new executions run: the newest registered one."""
    return ORCHESTRATION_VERSIONS[short][-1]


@dataclass(slots=True)
class Result:
    """What an awaited activity or sub-orchestration delivered to the orchestration."""

    ok: bool
    value: str = ""
    error: str = ""
    # app_error or poison (only meaningful when not ok)
    kind: str = "app_error"


@dataclass(frozen=True)
class Profile:
    """Latency (log-normal: median, sigma, clipped to [lo, hi]) and failure behaviour."""

    median: float
    sigma: float
    lo: float
    hi: float
    p_fail: float = 0.001
    errors: tuple[str, ...] = ("query failed: connection reset by peer",)
    fail_median: float | None = None


# Observed (5 actors): cms-get-instance-connection avg 53 ms / max 301 ms, test-connection
# avg 443 / max 542 ms, cms-record-health-check 46 / 115 ms, cms-update-instance-health 42 / 100.
# Documented: deploy-postgres < 5 s (p95 ~8 s), wait-for-ready 10-60 s (p95 ~45 s).
# Transient CMS errors are rare: an actor dies on any unretried CMS failure (Toygres' `?`).
_CMS = Profile(0.045, 0.45, 0.008, 0.5, 0.0001)
PROFILES: dict[str, Profile] = {
    "cms-create-instance-record": _CMS,
    "cms-update-instance-state": _CMS,
    "cms-record-instance-actor": _CMS,
    "cms-free-dns-name": _CMS,
    "cms-get-instance-by-k8s-name": _CMS,
    "cms-delete-instance-record": _CMS,
    "cms-get-instance-connection": Profile(0.044, 0.5, 0.012, 0.30, 0.0001),
    "cms-record-health-check": Profile(0.043, 0.3, 0.015, 0.115, 0.00001),
    "cms-update-instance-health": Profile(0.039, 0.3, 0.012, 0.100, 0.00001),
    "cms-record-image": _CMS,
    "cms-acquire-semaphore": _CMS,
    "send-external-event": Profile(0.006, 0.4, 0.002, 0.05, 0.0),
    "deploy-postgres": Profile(3.6, 0.5, 0.8, 30.0, 0.02,
                               ("Kubernetes API error: 503 Service Unavailable",
                                "DNS name conflict: {k8s} is already in use"), 2.0),
    "wait-for-ready": Profile(22.0, 0.45, 8.0, 60.0, 0.005, ("Kubernetes API error: pod watch failed",)),
    "get-connection-strings": Profile(0.15, 0.5, 0.03, 2.0, 0.12, ("Load balancer IP pending",)),
    "test-connection": Profile(0.44, 0.07, 0.30, 0.95, 0.01,
                               ("Connection test failed: connection refused",), 3.0),
    "delete-postgres": Profile(3.0, 0.5, 0.5, 30.0, 0.01, ("Kubernetes API error: 409 Conflict",), 1.5),
    "prune-history": Profile(0.25, 0.8, 0.02, 20.0, 0.0005, ("prune failed: lock timeout",)),
    "build-image": Profile(60.0, 0.4, 20.0, 300.0, 0.02, ("image build failed: registry unavailable",)),
}
assert set(PROFILES) <= set(ACTIVITIES), "activity profiles must use catalogue names"
# wait-for-ready finds the pod ready on a call with this probability (else: 5 s timer, retry).
P_READY = 0.85
WAIT_TIMEOUT = 60.0


@dataclass
class Faults:
    """Workload-side faults; scenarios switch them on and off at their start and end."""

    activity_fail: dict[str, tuple[float, str]] = field(default_factory=dict)
    cms_down: bool = False
    stuck_ready: bool = False
    # Activities / orchestrations whose registration is missing: abandoned with backoff, then
    # poisoned (duroxide v0.1.8+; only v0.1.7 recorded config_error).
    unregistered: dict[str, bool] = field(default_factory=dict)
    unregistered_orchestrations: dict[str, bool] = field(default_factory=dict)
    # Prometheus cannot scrape the processes (they keep running): no samples at all.
    scrape_down: bool = False
    # Toygres keeps its CMS schema (toygres_cms) in the same Postgres database as the duroxide
    # store (toygres_duroxide), so a slow store slows every cms-* query by the same factor.
    cms_latency_multiplier: float = 1.0


@dataclass(slots=True)
class Ctx:
    """An orchestration's input."""

    k8s: str
    iteration: int = 0
    # batch-create: the k8s names of the instances to create
    names: tuple[str, ...] = ()


def outcome(short: str, k8s: str, faults: Faults, rng: random.Random,
            cms: dict[str, str]) -> tuple[float, str, str, str]:
    """(true duration, outcome, value, error) of one execution of activity `short`."""
    profile = PROFILES[short]
    if short.startswith("cms-") and faults.cms_down:
        # The observed failure: the pool initialisation fails after a connect attempt.
        return _lognormal(rng, 0.2, 0.5, 0.01, 2.0), "app_error", "", POOL_ERROR
    p_fail, message = faults.activity_fail.get(short, (profile.p_fail, ""))
    if rng.random() < p_fail:
        error = message or rng.choice(profile.errors).format(k8s=k8s)
        # Failures have their own timing (a connect timeout is slower than a success).
        median = profile.fail_median or profile.median
        return _lognormal(rng, median, profile.sigma, profile.lo, max(profile.hi, 4 * median)), "app_error", "", error
    seconds = _lognormal(rng, profile.median, profile.sigma, profile.lo, profile.hi)
    if short.startswith("cms-"):
        seconds *= faults.cms_latency_multiplier
    value = ""
    if short == "wait-for-ready":
        if faults.stuck_ready:
            # The pod never becomes ready: the watch runs to its 60 s timeout every time.
            return WAIT_TIMEOUT + rng.random() * 0.5, "success", "not_ready", ""
        value = "ready" if rng.random() < P_READY else "not_ready"
    elif short in ("cms-get-instance-connection", "cms-get-instance-by-k8s-name"):
        value = "found" if k8s in cms else "gone"
    return seconds, "success", value, ""


def _lognormal(rng: random.Random, median: float, sigma: float, lo: float, hi: float) -> float:
    value = median * math.exp(sigma * rng.gauss(0.0, 1.0))
    return lo if value < lo else hi if value > hi else value


def _act(short: str, effect: tuple[str, ...] = ()) -> Command:
    return ("act", short, effect)


def _failed(result: Result, message: str | None = None) -> tuple[str, str, str, str]:
    # Toygres maps every awaited error to a String, so the orchestration fails with an
    # application error whatever the activity's own error kind was.
    return ("failed", "app_error", "application", message or result.error)


def _retry(short: str, attempts: int, backoff: Callable[[int], float]) -> Generator[Command, Any, Result]:
    """duroxide's schedule_activity_with_retry: each attempt is a separate execution
    (retry_attempt stays "0"), each wait a timer, so every attempt costs turns."""
    result = Result(False)
    for attempt in range(attempts):
        result = yield _act(short)
        if result.ok or result.kind == "poison":
            return result
        if attempt < attempts - 1:
            yield ("timer", backoff(attempt))
    return result


def create_instance(c: Ctx) -> Script:
    """~30-60 s: record, deploy, wait until ready, connection strings, test, mark running."""
    yield ("trace", "INFO", f"Starting instance creation for {c.k8s}")
    r = yield _act("cms-create-instance-record", ("create_record", c.k8s))
    if not r.ok:
        return _failed(r, f"Failed to create CMS record: {r.error}")
    r = yield _act("deploy-postgres")
    if not r.ok:
        return (yield from _compensate(c, r))
    for _ in range(60):
        r = yield _act("wait-for-ready")
        if not r.ok:
            return (yield from _compensate(c, r))
        if r.value == "ready":
            break
        yield ("timer", 5.0)
    else:
        return (yield from _compensate(c, Result(False, error="Instance did not become ready after 60 attempts")))
    r = yield from _retry("get-connection-strings", 5, lambda a: min(2.0 * (a + 1), 10.0))
    if not r.ok:
        return (yield from _compensate(c, r))
    r = yield from _retry("test-connection", 5, lambda a: min(2.0 * 2.0 ** a, 30.0))
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
    """On failure: state failed, free the DNS name, delete-instance as a sub-orchestration."""
    yield ("trace", "WARN", f"Instance creation failed: {cause.error}; cleaning up")
    yield _act("cms-update-instance-state", ("state", c.k8s, "failed"))
    yield _act("cms-free-dns-name")
    yield ("sub", "delete-instance", c.k8s)
    return _failed(cause)


def delete_instance(c: Ctx) -> Script:
    """~10 s: look up, mark deleting, delete the deployment, mark deleted, drop the record."""
    yield ("trace", "INFO", f"Deleting instance {c.k8s}")
    r = yield _act("cms-get-instance-by-k8s-name")
    if not r.ok:
        return _failed(r)
    if r.value == "gone":
        return SUCCESS
    for step in (("cms-update-instance-state", ("state", c.k8s, "deleting")), ("delete-postgres", ()),
                 ("cms-update-instance-state", ("state", c.k8s, "deleted"))):
        r = yield _act(*step)
        if not r.ok:
            return _failed(r)
    # 1.0.3: the send-external-event activity raises InstanceDeleted through get_client.
    yield _act("send-external-event", ("raise", f"actor-{c.k8s}", "InstanceDeleted"))
    r = yield _act("cms-delete-instance-record", ("delete_record", c.k8s))
    if not r.ok:
        return _failed(r)
    yield _act("cms-free-dns-name")
    yield ("trace", "INFO", f"Instance {c.k8s} deleted")
    return SUCCESS


def instance_actor(c: Ctx) -> Script:
    """One cycle (~31 s, ~6 turns) per execution, then continue-as-new, forever."""
    r = yield from _retry("cms-get-instance-connection", 3, lambda a: min(2.0 * 2.0 ** a, 10.0))
    if not r.ok:
        return _failed(r, f"Failed to get instance connection after 3 retries: {r.error}")
    if r.value == "gone":
        yield ("trace", "INFO", "Instance no longer exists in CMS, stopping instance actor")
        return SUCCESS
    # A failed connection test means "unhealthy", not a failed actor.
    t = yield from _retry("test-connection", 3, lambda a: min(1.0 * (a + 1), 5.0))
    if t.ok:
        yield ("trace", "INFO", "Health check complete, status: healthy")
    else:
        yield ("trace", "WARN", f"Health check failed: {t.error}")
    for short in ("cms-record-health-check", "cms-update-instance-health"):
        r = yield _act(short)
        if not r.ok:
            return _failed(r, f"Failed to {short.removeprefix('cms-').replace('-', ' ')}: {r.error}")
    won = yield ("select", 30.0, "InstanceDeleted")
    if won == "event":
        yield ("trace", "INFO", "Received InstanceDeleted signal, stopping instance actor gracefully")
        return SUCCESS
    return CONTINUE_AS_NEW


def system_pruner(c: Ctx) -> Script:
    """Prunes old executions, waits 1 minute (v1.0.0), continues as new."""
    yield ("trace", "INFO", f"System pruner starting iteration {c.iteration}")
    r = yield _act("prune-history")
    if not r.ok:
        return _failed(r, f"System prune activity failed: {r.error}")
    yield ("timer", 60.0)
    return CONTINUE_AS_NEW


def batch_create(c: Ctx) -> Script:
    """Starts len(c.names) create-instance sub-orchestrations at once and waits for all."""
    yield ("trace", "INFO", f"Batch creating {len(c.names)} instances")
    results = yield ("subs", [("create-instance", name) for name in c.names])
    ok = sum(1 for r in results if r.ok)
    yield ("trace", "INFO", f"Batch create finished: {ok}/{len(c.names)} instances created")
    return SUCCESS if ok else ("failed", "app_error", "application", "every instance in the batch failed")


def create_image(c: Ctx) -> Script:
    """Builds a Postgres image and records it in the CMS."""
    r = yield _act("build-image")
    if not r.ok:
        return _failed(r)
    r = yield _act("cms-record-image")
    return SUCCESS if r.ok else _failed(r)


SCRIPTS: dict[str, Callable[[Ctx], Script]] = {
    "create-instance": create_instance,
    "delete-instance": delete_instance,
    "instance-actor": instance_actor,
    "system-pruner": system_pruner,
    "batch-create": batch_create,
    "create-image": create_image,
}
# Instance ids: create-{k8s}, delete-{k8s}, actor-{k8s}; k8s = {name}-{8 hex}.
ID_PREFIX = {"create-instance": "create", "delete-instance": "delete", "instance-actor": "actor",
             "system-pruner": "system-pruner", "batch-create": "batch", "create-image": "image"}
assert set(SCRIPTS) <= set(ORCHESTRATION_VERSIONS), "scripts must use catalogue orchestration names"

_NAMES = ("adar", "orders", "billing", "ledger", "metrics", "catalog", "search", "auth", "inventory",
          "events", "reports", "sessions", "payments", "profiles", "audit", "chat")


def new_k8s_name(rng: random.Random) -> str:
    """A Toygres k8s name: {name}{n}-{8 hex}."""
    return f"{rng.choice(_NAMES)}{rng.randrange(1, 10)}-{rng.getrandbits(32):08x}"
