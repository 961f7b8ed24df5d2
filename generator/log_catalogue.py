"""The duroxide log catalogue: every log event Toygres' Loki streams can carry, as duroxide
v0.1.26 writes it (level, target, message template, fields in macro order, source line).

The metric catalogue's twin for logs. The simulator writes only these events (generator.sim.
logs), the LogQL lint rejects filters and fields no event has, and `dashgen check` compares the
lines a log panel selects with the events the simulation recorded. Facts from
shared/reference/duroxide-logs.md, re-read against duroxide's source at tag v0.1.26.

Field kinds follow tracing's macro syntax, as tracing-subscriber's fmt layer prints them:
`%x` (DISPLAY) prints the Display text unquoted, spaces and all; a string literal or `&str`
value (QUOTED) prints Debug-quoted; `?x` (DEBUG) prints Debug (`activity_tag=None`); integers
and bools (NUMBER) print bare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

DISPLAY, QUOTED, DEBUG, NUMBER = "display", "quoted", "debug", "number"

RUNTIME = "duroxide::runtime"
RUNTIME_WORKER = "duroxide::runtime::worker"
ORCH_DISPATCHER = "duroxide::runtime::dispatchers::orchestration"
WORKER_DISPATCHER = "duroxide::runtime::dispatchers::worker"
REPLAY = "duroxide::runtime::replay_engine"
APP_ORCHESTRATION = "duroxide::orchestration"
APP_ACTIVITY = "duroxide::activity"
# duroxide-pg writes every event `warn!(target = "duroxide::providers::postgres", ...)`: `=`, not
# tracing's `target:`, so this is not the event's target but its first field, a &str printed
# quoted (tracing's event macros take the target only as `target:`; the `=` form falls to the
# field arms). Its #[instrument(..., target = "...")] spans do get this target (`target =` is
# the attribute's syntax), but fmt prints only their name and fields, never their target.
PG_PROVIDER = "duroxide::providers::postgres"
# So the event's target is its module path; Toygres' `duroxide=info` directive covers it (a
# prefix match on the string) and its local default names `duroxide_pg=info` too.
PG_MODULE = "duroxide_pg::provider"

O = "duroxide v0.1.26 src/runtime/dispatchers/orchestration.rs"
W = "duroxide v0.1.26 src/runtime/dispatchers/worker.rs"
M = "duroxide v0.1.26 src/runtime/mod.rs"
R = "duroxide v0.1.26 src/runtime/replay_engine.rs"
L = "duroxide v0.1.26 src/lib.rs"
PG = "duroxide-pg v0.1.27 src/provider.rs"

# The instance as the lifecycle/outcome lines name it, and as the dispatchers' warnings do.
INSTANCE_FIELDS = ("instance_id", "instance")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str


@dataclass(frozen=True)
class LogEvent:
    """One log statement in duroxide (or Toygres): what its line looks like and when it is written."""

    key: str
    levels: tuple[str, ...]  # one level, or the application's trace_* levels
    target: str
    template: str  # the message; {name} is a format argument (not a field)
    fields: tuple[Field, ...]
    source: str
    when: str
    # "store" (the store failed), "poison", "dispatcher" (other dispatcher trouble), "config",
    # "limit" (a size limit failed the turn), "outcome" (an orchestration/activity ended),
    # "lifecycle", "app", "startup".
    kind: str
    # Written by the simulator (False: catalogued for lint and docs only, with the reason).
    simulated: bool = True
    # The #[instrument] spans whose `name{fields}:` prefix the line (fmt's Full format writes
    # them between the level and the target); duroxide itself has none.
    spans: tuple[str, ...] = ()

    @property
    def level(self) -> str:
        return self.levels[0]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def message(self, args: Mapping[str, object]) -> str:
        return self.template.format(**args) if "{" in self.template else self.template

    def fixed_text(self) -> list[str]:
        """The literal pieces of the message (what a line filter can rely on)."""
        return [p for p in re.split(r"\{[^}]*\}", self.template) if p]

    def message_regex(self) -> str:
        parts = re.split(r"(\{[^}]*\})", self.template)
        return "".join(".+?" if p.startswith("{") else re.escape(p) for p in parts)


def _f(spec: str) -> tuple[Field, ...]:
    """'instance% attempt_count# error"' -> fields: % display, " quoted, ? debug, # number."""
    kinds = {"%": DISPLAY, '"': QUOTED, "?": DEBUG, "#": NUMBER}
    return tuple(Field(tok[:-1], kinds[tok[-1]]) for tok in spec.split())


_ORCH_LIFECYCLE = "instance_id% execution_id% orchestration_name% orchestration_version% worker_id%"
_ORCH_OUTCOME = _ORCH_LIFECYCLE + " history_events%"
_ORCH_FAILED = _ORCH_OUTCOME + ' error_type% error"'
_ACTIVITY = "instance_id% execution_id% activity_name% activity_id% worker_id% activity_tag?"

EVENTS: tuple[LogEvent, ...] = (
    LogEvent("runtime.starting", ("INFO",), RUNTIME,
             "duroxide runtime ({version}) starting with provider {provider} ({provider_version})", (),
             f"{M}:940", "every process start (replica restarts write it again)", "startup"),
    # -- the store failed: dispatcher fetch loops, one line per failed fetch per slot ------------
    LogEvent("orch.fetch_retryable", ("WARN",), ORCH_DISPATCHER,
             "Error fetching orchestration item (retryable, attempt {attempt}): {error}, backing off {backoff_ms}ms",
             (), f"{O}:488", "a retryable store error (pool timed out, deadlock, I/O); per slot, "
             "backoff min(100*2^attempt, 3000) ms", "store"),
    LogEvent("orch.fetch_permanent", ("WARN",), ORCH_DISPATCHER,
             "Error fetching orchestration item (permanent): {error}", (), f"{O}:494",
             "a permanent store error (statement timeout); the slot sleeps 100 ms", "store"),
    LogEvent("worker.fetch_retryable", ("WARN",), WORKER_DISPATCHER,
             "Error fetching work item (retryable, attempt {attempt}): {error}, backing off {backoff_ms}ms",
             (), f"{W}:233", "as orch.fetch_retryable, for each worker slot", "store"),
    LogEvent("worker.fetch_permanent", ("WARN",), WORKER_DISPATCHER,
             "Error fetching work item (permanent): {error}", (), f"{W}:241",
             "as orch.fetch_permanent, for each worker slot", "store"),
    LogEvent("orch.ack_retry", ("WARN",), ORCH_DISPATCHER, "ack_orchestration_item failed; retrying",
             _f("attempts# backoff_ms# error%"), f"{O}:1181",
             "a retryable ack error: up to 5 retries, 10-160 ms apart", "store"),
    LogEvent("orch.ack_permanent", ("WARN",), ORCH_DISPATCHER,
             "ack_orchestration_item failed with non-retryable error", _f("error%"), f"{O}:1174",
             "a permanent ack error (statement timeout, lost lock)", "store"),
    LogEvent("orch.ack_max_retries", ("WARN",), ORCH_DISPATCHER,
             "Failed to ack_orchestration_item after max retries", _f("attempts# error%"), f"{O}:1186",
             "the 6th retryable ack failure; the lock is abandoned", "store"),
    LogEvent("orch.ack_failed", ("WARN",), ORCH_DISPATCHER,
             "Failed to ack orchestration item, failing orchestration", _f("instance% error%"), f"{O}:964",
             "after a failed ack: the instance ends failed (no 'Orchestration failed' line)", "store"),
    LogEvent("orch.failure_committed", ("WARN",), ORCH_DISPATCHER,
             "Successfully committed orchestration failure event", _f("instance%"), f"{O}:993",
             "the failure of orch.ack_failed was committed", "store"),
    LogEvent("orch.failure_commit_failed", ("WARN",), ORCH_DISPATCHER,
             "Failed to commit failure event, abandoning lock", _f("instance% error%"), f"{O}:997",
             "the failure commit failed too (lock already abandoned after max retries)", "store"),
    LogEvent("worker.ack_failed", ("WARN",), WORKER_DISPATCHER,
             "worker: atomic ack failed, abandoning work item",
             _f("instance% execution_id# activity_id# worker_id% error%"), f"{W}:752",
             "an activity's ack failed (store error, or its instance ended meanwhile)", "store"),
    LogEvent("worker.session_renewal_failed", ("WARN",), RUNTIME_WORKER, "Session lock renewal failed",
             _f("error%"), f"{W}:919", "session lock renewal hit a store error", "store"),
    LogEvent("worker.session_cleanup_failed", ("WARN",), RUNTIME_WORKER, "Session cleanup failed",
             _f("error%"), f"{W}:944", "orphaned-session cleanup hit a store error", "store"),
    LogEvent("worker.lock_renewal_failed", ("INFO",), RUNTIME_WORKER,
             "Lock renewal failed, signaling activity cancellation (lock was stolen or expired)",
             _f("lock_token% error%"), f"{W}:844", "an activity's lock could not be renewed", "store",
             simulated=False),
    LogEvent("activity.grace", ("INFO",), RUNTIME,
             "Orchestration terminated, waiting for activity grace period",
             _f("instance% execution_id% activity_name% activity_id% worker_id% activity_tag? grace_ms%"),
             f"{W}:569", "cancellation after a lost activity lock", "dispatcher", simulated=False),
    # duroxide-pg retries a retryable error inside fetch_orchestration_item and
    # ack_orchestration_item itself (MAX_RETRIES 3, sleeping 50, 100, 150 ms) before duroxide
    # sees it; fetch_work_item and the other operations do not retry. The line is prefixed by
    # the method's #[instrument] span: fetch_orchestration_item{lock_timeout=5s _poll_timeout=30s
    # filter=Some(...)} or ack_orchestration_item{history_delta=... lock_token=lock_<uuid>
    # execution_id=N} (its Debug-printed history, items and metadata abbreviated here). Its
    # target is the module path, its first field `target` (see PG_PROVIDER).
    LogEvent("pg.retryable", ("WARN",), PG_MODULE, "Retryable error, will retry",
             _f('target" operation" attempt# error%'), f"{PG}:295-301 (fetch_orchestration_item), 618-624 "
             "(ack_orchestration_item)", "a retryable store error (pool timed out, deadlock, I/O) on the "
             "provider's attempts 1-3; the 4th failure goes back to duroxide", "store",
             spans=("fetch_orchestration_item", "ack_orchestration_item")),
    # An activity that ran to its end after its row was stolen (lock stealing: a select2 loser,
    # or its instance ended, O:884-929): the ack finds no row. Written with `target = ...` as a
    # field (see PG_PROVIDER), inside ack_work_item's span.
    LogEvent("pg.ack_worker_not_found", ("ERROR",), PG_MODULE, "Worker queue item not found or already processed",
             _f('target" operation" error_type" token%'), f"{PG}:1019-1025",
             "the ack of an activity whose row was deleted while it ran (a select2 loser, or orphaned "
             "by its instance's end); worker.ack_failed follows", "store", spans=("ack_work_item",)),
    # -- poison -----------------------------------------------------------------------------------
    LogEvent("orch.poison", ("WARN",), ORCH_DISPATCHER,
             "Orchestration message exceeded max attempts, marking as poison",
             _f("instance% attempt_count# max_attempts#"), f"{O}:549",
             "a message fetched more than max_attempts (10) times; no failure line follows", "poison"),
    LogEvent("worker.poison", ("WARN",), WORKER_DISPATCHER,
             "Activity message exceeded max attempts, marking as poison",
             _f("instance% activity_name% activity_id# attempt_count# max_attempts#"), f"{W}:413",
             "an activity fetched more than max_attempts times", "poison"),
    LogEvent("replay.system_error", ("WARN",), REPLAY, "System error aborts turn",
             _f("instance% activity_id# error%"), f"{R}:291",
             "the next turn of an orchestration whose activity was poisoned", "poison"),
    # -- configuration: unregistered handlers (abandoned with backoff, then poison) ---------------
    LogEvent("orch.unregistered", ("WARN",), RUNTIME,
             "Orchestration not registered, abandoning with {backoff:.1f}s backoff "
             "(will poison in {remaining} more attempts)",
             _f("instance% orchestration_name% version% attempt_count% max_attempts% remaining_attempts% "
                "backoff_secs%"), f"{O}:688", "an unregistered orchestration; backoff 1, 2, 4 ... 60 s",
             "config"),
    LogEvent("activity.unregistered", ("WARN",), RUNTIME,
             "Activity not registered, abandoning with {backoff:.1f}s backoff "
             "(will poison in {remaining} more attempts)",
             _f("instance% execution_id% activity_name% activity_id% worker_id% activity_tag? attempt_count% "
                "max_attempts% remaining_attempts% backoff_secs%"), f"{W}:716",
             "an unregistered activity; backoff 1, 2, 4 ... 60 s, then poison", "config"),
    LogEvent("orch.history_unreadable", ("WARN",), ORCH_DISPATCHER,
             "History deserialization failed, abandoning with 1s backoff ({attempt}/{max}, {left} remaining)",
             _f("instance% error% attempt# max_attempts#"), f"{O}:573", "unreadable history", "config",
             simulated=False),
    LogEvent("orch.terminal_instance", ("WARN",), ORCH_DISPATCHER,
             "Instance is terminal (completed/failed or CAN without start), acking batch without processing",
             _f("instance%"), f"{O}:593", "messages for a finished instance", "dispatcher", simulated=False),
    # -- size limits (v0.1.19+): the turn is failed instead of committed; no scenario exceeds them --
    LogEvent("orch.limit_custom_status", ("ERROR",), RUNTIME, "Custom status exceeds size limit, failing orchestration",
             _f("instance_id% execution_id% custom_status_bytes# max_bytes#"), f"{O}:56-63",
             "ctx.set_custom_status beyond MAX_CUSTOM_STATUS_BYTES", "limit", simulated=False),
    LogEvent("orch.limit_tag", ("ERROR",), RUNTIME, "Activity tag exceeds size limit, failing orchestration",
             _f("instance_id% execution_id% activity_name% tag_bytes# max_bytes#"), f"{O}:99-108",
             "an activity scheduled with a tag beyond MAX_TAG_NAME_BYTES", "limit", simulated=False),
    LogEvent("orch.limit_kv_value", ("ERROR",), RUNTIME, "KV value exceeds size limit, failing orchestration",
             _f("instance_id% execution_id% key% value_bytes# max_bytes#"), f"{O}:139-148",
             "a KV value beyond MAX_KV_VALUE_BYTES", "limit", simulated=False),
    LogEvent("orch.limit_kv_keys", ("ERROR",), RUNTIME, "KV key count exceeds limit, failing orchestration",
             _f("instance_id% execution_id% kv_key_count# max_keys#"), f"{O}:184-191",
             "more than MAX_KV_KEYS keys", "limit", simulated=False),
    # -- lifecycle and outcomes (instance_id=) ----------------------------------------------------
    LogEvent("orch.started", ("DEBUG",), RUNTIME, "Orchestration started",
             _f(_ORCH_LIFECYCLE + " is_continue_as_new%"), f"{O}:656", "every resolved turn", "lifecycle"),
    LogEvent("orch.completed", ("DEBUG",), RUNTIME, "Orchestration completed", _f(_ORCH_OUTCOME), f"{O}:751",
             "an orchestration completed", "outcome"),
    LogEvent("orch.continued_as_new", ("DEBUG",), RUNTIME, "Orchestration continued as new",
             _f(_ORCH_OUTCOME), f"{O}:859", "continue-as-new", "outcome"),
    LogEvent("orch.failed", ("ERROR",), RUNTIME, "Orchestration failed", _f(_ORCH_FAILED), f"{O}:801",
             "failed with an infrastructure or configuration error", "outcome"),
    LogEvent("orch.failed_app", ("WARN",), RUNTIME, "Orchestration failed (application error)",
             _f(_ORCH_FAILED), f"{O}:815", "failed with an application error or cancellation", "outcome"),
    LogEvent("orch.failed_unknown", ("ERROR",), RUNTIME, "Orchestration failed (unknown error type)",
             _f(_ORCH_FAILED), f"{O}:829", "failed as poison (an activity was poisoned) or unknown", "outcome"),
    LogEvent("activity.started", ("DEBUG",), RUNTIME, "Activity started", _f(_ACTIVITY), f"{W}:477",
             "every fetched activity, before the handler lookup", "lifecycle"),
    LogEvent("activity.completed", ("DEBUG",), RUNTIME, "Activity completed",
             _f(_ACTIVITY + ' outcome" duration_ms% result_size%'), f"{W}:630", "an activity succeeded", "outcome"),
    LogEvent("activity.failed", ("WARN",), RUNTIME, "Activity failed (application error)",
             _f(_ACTIVITY + ' outcome" duration_ms% error%'), f"{W}:672", "an activity returned an error",
             "outcome"),
    # duroxide <= v0.1.9 (E1) only: v0.1.10 (254b970) replaced it with activity.unregistered.
    LogEvent("activity.failed_unregistered", ("ERROR",), RUNTIME, "Activity failed (unregistered)",
             _f('instance_id% execution_id% activity_name% activity_id% worker_id% outcome" error_type" '
                "duration_ms%"), "duroxide v0.1.9 src/runtime/dispatchers/worker.rs:506-517",
             "duroxide <= v0.1.9 only: an unregistered activity fails at once as config_error", "config"),
    # -- application traces (ctx.trace_*), never during replay ------------------------------------
    LogEvent("app.orchestration", ("INFO", "WARN", "ERROR"), APP_ORCHESTRATION, "{text}",
             _f("instance_id% execution_id% orchestration_name% orchestration_version%"), f"{L}:2706-2742",
             "Toygres' orchestration code (e.g. 'Failed to create instance: ...')", "app"),
    LogEvent("app.activity", ("INFO", "WARN", "ERROR"), APP_ACTIVITY, "{text}",
             _f("instance_id% execution_id% orchestration_name% orchestration_version% activity_name% "
                "activity_id% worker_id%"), f"{L}:2144-2188", "Toygres' activity code", "app"),
)

BY_KEY: dict[str, LogEvent] = {e.key: e for e in EVENTS}
LEVELS = ("ERROR", "WARN", "INFO", "DEBUG")
TARGETS = tuple(sorted({e.target for e in EVENTS}))
ALL_FIELDS = frozenset(f.name for e in EVENTS for f in e.fields)
KINDS = tuple(dict.fromkeys(e.kind for e in EVENTS))
# Not catalogued (documented in docs/simulator.md): Toygres' own start-up and API lines (the
# reference gives no text for them); Toygres' orchestration traces are app.orchestration.


_VALUE = {QUOTED: r'"(?:[^"\\]|\\.)*"', NUMBER: r"-?\d+|true|false", DEBUG: r"None|Some\(.*?\)", DISPLAY: r".*?"}
_HEAD = re.compile(r"^(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) +(?P<level>ERROR|WARN|INFO|DEBUG|TRACE) "
                   r"(?:(?P<span>[a-z_]+)(?:\{.*\})?: )?(?P<target>[\w:]+): (?P<rest>.*)$")
_COMPILED: dict[str, re.Pattern[str]] = {}


def _line_regex(event: LogEvent) -> re.Pattern[str]:
    pattern = _COMPILED.get(event.key)
    if pattern is None:
        fields = "".join(f" {re.escape(f.name)}=(?P<f{i}>{_VALUE[f.kind]})" for i, f in enumerate(event.fields))
        pattern = _COMPILED[event.key] = re.compile(f"^{event.message_regex()}{fields}$")
    return pattern


@dataclass(frozen=True)
class ParsedLine:
    event: LogEvent
    level: str
    fields: tuple[tuple[str, str], ...]


def parse_line(line: str) -> ParsedLine | None:
    """The catalogue event a plain-text line is (its level, target, message and exact fields in
    order), or None when no catalogued event writes such a line."""
    head = _HEAD.match(line)
    if head is None:
        return None
    level, target, rest, span = head["level"], head["target"], head["rest"], head["span"]
    for event in EVENTS:
        if event.target != target or level not in event.levels:
            continue
        if (span not in event.spans) if span else bool(event.spans):
            continue
        match = _line_regex(event).match(rest)
        if match:
            return ParsedLine(event, level, tuple((f.name, match[f"f{i}"]) for i, f in enumerate(event.fields)))
    return None

