"""Toygres' activities as latency/failure profiles and the inputs and faults its orchestration
scripts (scripts.py) share, following the reference's description of the workload."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Generator

from generator.catalogue import ACTIVITIES, ACTIVITY_PREFIX, ORCHESTRATION_PREFIX

# A script (generator/sim/scripts.py) yields commands; blocking ones end the turn, the rest run
# within it:
#   ("act", short, effect)  ("timer", s)  ("select", s, event)  ("sub", short, k8s)
#   ("subs", [(short, k8s), ...])  ("start", short, k8s)  ("raise", instance_id, event)
#   ("race", short, effect, deadline_s): select2(activity, timer): resumes with the activity's
#       Result or "timeout", whichever lands first; a losing timer still lands later (a turn),
#       a losing activity is cancelled (duroxide >= 0.1.8, generator/sim/cancellation.py)
#   ("wait", event): schedule_wait without a timer   ("recv", queue): dequeue_event(queue)
#   ("trace", level, message)
# and returns ("success",) | ("failed", error_type, category, message) |
# ("continue_as_new",) | ("continue_as_new", state).
Command = tuple[Any, ...]
Script = Generator[Command, Any, tuple[Any, ...]]
SUCCESS = ("success",)
CONTINUE_AS_NEW = ("continue_as_new",)

POOL_ERROR = "Failed to initialize global database pool"


def orchestration_name(short: str) -> str:
    return ORCHESTRATION_PREFIX + short


def activity_name(short: str) -> str:
    return ACTIVITY_PREFIX + short


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
# Documented: deploy-postgres < 5 s (p95 ~8 s). Transient CMS errors are rare.
_CMS = Profile(0.045, 0.45, 0.008, 0.5, 0.0001)
_DEPLOY = Profile(3.6, 0.5, 0.8, 30.0, 0.02,
                  ("Kubernetes API error: 503 Service Unavailable",
                   "DNS name conflict: {k8s} is already in use"), 2.0)
# The reference gives no latency for pruning; a DELETE over old executions: ~250 ms, long tail.
_PRUNE = Profile(0.25, 0.8, 0.02, 20.0, 0.0005, ("prune failed: lock timeout",))
_SIGNAL = Profile(0.006, 0.4, 0.002, 0.05, 0.0)
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
    "cms-image-ops": _CMS,
    "cms-set-instance-runtime-image": _CMS,
    # get-batch-status reads the children's statuses (CMS / duroxide client): a CMS-like query.
    "get-batch-status": _CMS,
    "send-external-event": _SIGNAL,
    "raise-event": _SIGNAL,
    "deploy-postgres": _DEPLOY,
    "deploy-postgres-v2": _DEPLOY,
    # Newest: ONE pod-list call, no polling inside (sub-second; the reference gives no figure,
    # a Kubernetes API GET from inside the cluster: ~120 ms median, at most ~1 s).
    "wait-for-ready": Profile(0.12, 0.5, 0.03, 0.9, 0.002, ("Kubernetes API error: pod list failed",)),
    # Newest: a service GET, then up to LB_POLLS x LB_POLL_SECONDS sleeps for the LB IP (below).
    "get-connection-strings": Profile(0.10, 0.5, 0.03, 1.0, 0.0, ("Load balancer IP pending",)),
    "test-connection": Profile(0.44, 0.07, 0.30, 0.95, 0.01,
                               ("Connection test failed: connection refused",), 3.0),
    "delete-postgres": Profile(3.0, 0.5, 0.5, 30.0, 0.01, ("Kubernetes API error: 409 Conflict",), 1.5),
    "system-prune": _PRUNE,
    "system-prune-2": _PRUNE,
}
assert set(PROFILES) <= set(ACTIVITIES), "activity profiles must use catalogue names"
# HEAD (2f64720): wait-for-ready watched the pod inside the activity (10-60 s, p95 ~45 s, the
# old observed figure) and get-connection-strings returned at once or failed "IP pending".
HEAD_PROFILES: dict[str, Profile] = {
    "wait-for-ready": Profile(22.0, 0.45, 8.0, 60.0, 0.005, ("Kubernetes API error: pod watch failed",)),
    "get-connection-strings": Profile(0.15, 0.5, 0.03, 2.0, 0.12, ("Load balancer IP pending",)),
}
# Newest wait-for-ready: the pod is Running on a given call with this probability (else the
# orchestration sleeps 5 s and calls again, up to 120 x). The reference gives no pod start
# time; 0.2 makes it ~20-25 s after deploy on average (4 not-ready calls), the same order as
# the old in-activity watch (median 22 s), so create-instance keeps its end-to-end length.
P_READY = 0.2
# HEAD: one watch call found the pod ready with this probability (else 5 s timer, retry).
P_READY_HEAD = 0.85
WAIT_TIMEOUT = 60.0
# get-connection-strings (newest) sleeps inside the activity, up to 10 x 5 s, until the load
# balancer has an IP (reference). How long the IP takes is not given: log-normal, median 15 s,
# sigma 0.7 (p95 ~47 s), so ~4 % of calls exhaust the 10 polls (~50 s) and fail "IP pending",
# which create-instance retries (retry 5, linear 2->10 s).
LB_POLLS = 10
LB_POLL_SECONDS = 5.0
LB_WAIT = (15.0, 0.7)


@dataclass
class Faults:
    """Workload-side faults; scenarios switch them on and off at their start and end."""

    activity_fail: dict[str, tuple[float, str]] = field(default_factory=dict)
    cms_down: bool = False
    stuck_ready: bool = False
    # Activities / orchestrations whose registration is missing: abandoned with backoff, then
    # poisoned (duroxide v0.1.10+; up to v0.1.9 an activity failed at once as config_error).
    unregistered: dict[str, bool] = field(default_factory=dict)
    unregistered_orchestrations: dict[str, bool] = field(default_factory=dict)
    # Prometheus cannot scrape the processes (they keep running): no samples at all.
    scrape_down: bool = False
    # Toygres keeps its CMS schema (toygres_cms) in the same Postgres database as the duroxide
    # store (toygres_duroxide), so a slow store slows every cms-* query by the same factor.
    cms_latency_multiplier: float = 1.0


@dataclass(slots=True)
class Ctx:
    """An orchestration's input (continue-as-new carries it forward)."""

    k8s: str
    iteration: int = 0
    # batch-create: the k8s names of the instances to create
    names: tuple[str, ...] = ()
    # What a continue-as-new carries besides the input: create-semaphore's holders and waiters;
    # create-instance marks ("permit",) while it holds a create permit.
    state: tuple[Any, ...] = ()


def outcome(short: str, k8s: str, faults: Faults, rng: random.Random, cms: dict[str, str],
            release: str = "newest") -> tuple[float, str, str, str]:
    """(true duration, outcome, value, error) of one execution of activity `short`."""
    profile = (HEAD_PROFILES if release == "head" else PROFILES).get(short) or PROFILES[short]
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
        if release == "head":
            if faults.stuck_ready:
                # The pod never becomes ready: the watch runs to its 60 s timeout every time.
                return WAIT_TIMEOUT + rng.random() * 0.5, "success", "not_ready", ""
            value = "ready" if rng.random() < P_READY_HEAD else "not_ready"
        else:
            # One pod-list call: sub-second whether or not the pod is ready.
            value = "not_ready" if faults.stuck_ready or rng.random() >= P_READY else "ready"
    elif short == "get-connection-strings" and release != "head":
        # Sleeps inside the activity (holding its worker slot) until the LB has an IP.
        wait = _lognormal(rng, LB_WAIT[0], LB_WAIT[1], 0.0, 1e9)
        polls = min(math.ceil(wait / LB_POLL_SECONDS), LB_POLLS + 1) if wait > 0.5 else 0
        if polls > LB_POLLS:
            return seconds + LB_POLLS * LB_POLL_SECONDS, "app_error", "", "Load balancer IP pending"
        seconds += polls * LB_POLL_SECONDS
    elif short in ("cms-get-instance-connection", "cms-get-instance-by-k8s-name"):
        value = "found" if k8s in cms else "gone"
    return seconds, "success", value, ""


def _lognormal(rng: random.Random, median: float, sigma: float, lo: float, hi: float) -> float:
    value = median * math.exp(sigma * rng.gauss(0.0, 1.0))
    return lo if value < lo else hi if value > hi else value


# Instance ids: create-{k8s}, delete-{k8s}, actor-{k8s}; k8s = {name}-{8 hex}. The reference
# names no id for the semaphore; `create-semaphore` (one eternal instance) is this model's.
ID_PREFIX = {"create-instance": "create", "delete-instance": "delete", "instance-actor": "actor",
             "system-pruner": "system-pruner", "batch-create": "batch", "create-image": "image",
             "create-semaphore": "create-semaphore"}
# Eternal orchestrations with one fixed instance id, started at process start-up.
SINGLETONS = ("system-pruner", "create-semaphore")

_NAMES = ("adar", "orders", "billing", "ledger", "metrics", "catalog", "search", "auth", "inventory",
          "events", "reports", "sessions", "payments", "profiles", "audit", "chat")


def new_k8s_name(rng: random.Random) -> str:
    """A Toygres k8s name: {name}{n}-{8 hex}."""
    return f"{rng.choice(_NAMES)}{rng.randrange(1, 10)}-{rng.getrandbits(32):08x}"
