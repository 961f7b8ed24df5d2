"""The duroxide metric catalogue: the single source of truth for every metric name, type,
label, known label value, bucket layout and era, read by lint, docs and the simulator.

Facts follow `shared/reference/duroxide-metrics.md` (duroxide v0.1.26 code, not its docs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Mapping


class MetricType(str, Enum):
    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"


class Era(str, Enum):
    """Duroxide's two export eras; both exist in the field."""

    # duroxide <= 0.1.14: OpenTelemetry SDK -> OTLP -> collector's Prometheus exporter.
    E1 = "E1"
    # duroxide >= 0.1.15: Rust `metrics` facade, Prometheus scrapes the app directly.
    E2 = "E2"


BOTH = frozenset({Era.E1, Era.E2})
E2_ONLY = frozenset({Era.E2})

ORCHESTRATION_PREFIX = "toygres-orchestrations::orchestration::"
ACTIVITY_PREFIX = "toygres-orchestrations::activity::"

# Toygres' orchestrations and the versions each has been registered with (the reference's
# "newest" snapshot; every version stays registered, new executions run the last one).
ORCHESTRATION_VERSIONS: Mapping[str, tuple[str, ...]] = {
    # 1.0.5 moved to deploy-postgres-v2; 1.0.8 waits on the 10-permit create-semaphore.
    "create-instance": tuple(f"1.0.{i}" for i in range(9)),
    "delete-instance": tuple(f"1.0.{i}" for i in range(4)),
    # 1.0.3 survives CMS failures (warn, wait 30 s, continue as new).
    "instance-actor": tuple(f"1.0.{i}" for i in range(4)),
    # system-prune-2 from 1.0.3; every 60 s in 1.0.5.
    "system-pruner": tuple(f"1.0.{i}" for i in range(6)),
    "create-image": tuple(f"1.0.{i}" for i in range(3)),
    "create-semaphore": ("1.0.0",),
    "batch-create": ("1.0.0",),
}

# Toygres' activities as registered in the newest code (short names; the label value carries
# ACTIVITY_PREFIX). The reference also names backup/restore job, query and password activities
# whose registered strings it could not confirm: they are left out rather than guessed.
ACTIVITIES: tuple[str, ...] = (
    "cms-create-instance-record",
    # deploy-postgres: create-instance before 1.0.5 (still registered); -v2 from 1.0.5.
    "deploy-postgres",
    "deploy-postgres-v2",
    "wait-for-ready",
    "get-connection-strings",
    "test-connection",
    "cms-update-instance-state",
    "cms-record-instance-actor",
    "cms-free-dns-name",
    "cms-get-instance-by-k8s-name",
    "delete-postgres",
    "cms-delete-instance-record",
    "cms-get-instance-connection",
    "cms-record-health-check",
    "cms-update-instance-health",
    # delete-instance 1.0.3 signals the actor through ActivityContext::get_client.
    "send-external-event",
    # The same signal at HEAD (2f64720 activity_names.rs RAISE_EVENT), for `--toygres-version head`.
    "raise-event",
    # system-pruner: system-prune up to 1.0.2, system-prune-2 from 1.0.3.
    "system-prune",
    "system-prune-2",
    "cms-image-ops",
    "cms-set-instance-runtime-image",
    "get-batch-status",
)

ORCHESTRATION_NAMES: tuple[str, ...] = tuple(ORCHESTRATION_PREFIX + n for n in ORCHESTRATION_VERSIONS)
ACTIVITY_NAMES: tuple[str, ...] = tuple(ACTIVITY_PREFIX + n for n in ACTIVITIES)
# A brand-new instance's first turn carries version="unknown".
VERSIONS: tuple[str, ...] = ("unknown",) + tuple(
    sorted({v for vs in ORCHESTRATION_VERSIONS.values() for v in vs})
)

PROVIDER_OPERATIONS_E1 = (
    "fetch_orchestration_item",
    "ack_orchestration_item",
    "read",
    "fetch_work_item",
    "ack_work_item",
    "enqueue_orchestrator",
)
PROVIDER_OPERATIONS_E2 = PROVIDER_OPERATIONS_E1 + ("renew_session_lock", "cleanup_orphaned_sessions")

ERROR_TYPES = ("app_error", "infrastructure_error", "config_error", "unknown")
# error_category="poison" (with error_type="unknown") when an activity poison fails its
# orchestration (replay_engine.rs:283-295).
ERROR_CATEGORIES = ("application", "infrastructure", "configuration", "poison", "unknown")
ACTIVITY_OUTCOMES = ("success", "app_error", "config_error", "cancelled", "infra_error")

# E2: duroxide sets no histogram buckets, so the exporter's defaults apply. The Rust
# metrics-exporter-prometheus renders every histogram without configured buckets as a
# *summary*: per-process quantile series over a rolling window plus _sum and _count, and no
# _bucket series at all (histogram_quantile over _bucket is empty on duroxide >= 0.1.15).
E2_SUMMARY_QUANTILES: tuple[str, ...] = ("0", "0.5", "0.9", "0.95", "0.99", "0.999", "1")
# The exporter's rolling summary window: 3 buckets of 20 s.
E2_SUMMARY_WINDOW_SECONDS = 60

# Labels whose values are unbounded (a cardinality trap when used as a grouping key).
UNBOUNDED_LABELS = frozenset({"execution_id", "instance_id"})


@dataclass(frozen=True)
class Metric:
    """One duroxide metric as Prometheus stores it."""

    name: str
    type: MetricType
    labels: tuple[str, ...]
    help: str
    # Known values per label; a label absent here takes free-form values.
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    buckets: tuple[float, ...] = ()
    eras: frozenset[Era] = BOTH
    # Labels present only in one era (E1's `state="all"`, E2's `tag`).
    era_labels: Mapping[Era, tuple[str, ...]] = field(default_factory=dict)
    recorded: bool = True
    # Eras in which an older release recorded it although the era's newest does not (lint, which
    # judges the newest release of each era, still calls it never recorded; the simulator
    # records it when asked for that older release).
    legacy_eras: frozenset[Era] = frozenset()

    def recorded_in(self, era: Era) -> bool:
        """Some release of `era` records it (the newest, or an older one for legacy metrics)."""
        return era in self.eras and (self.recorded or era in self.legacy_eras)

    def series_names(self) -> tuple[str, ...]:
        """Names Prometheus stores for this metric: a histogram is _bucket/_sum/_count in E1 and
        a summary (the bare name with `quantile`, plus _sum/_count) in E2."""
        if self.type is MetricType.HISTOGRAM:
            return (f"{self.name}_bucket", f"{self.name}_sum", f"{self.name}_count", self.name)
        return (self.name,)

    def all_labels(self) -> frozenset[str]:
        extra = {label for labels in self.era_labels.values() for label in labels}
        return frozenset(self.labels) | extra


_ORCH = {"orchestration_name": ORCHESTRATION_NAMES, "version": VERSIONS}

METRICS: tuple[Metric, ...] = (
    Metric(
        "duroxide_orchestration_starts_total", MetricType.COUNTER,
        ("orchestration_name", "version", "initiated_by"),
        "Orchestration turns processed (every batch: start, activity result, timer), not instances.",
        {**_ORCH, "initiated_by": ("client", "continueAsNew")},
    ),
    Metric(
        "duroxide_orchestration_completions_total", MetricType.COUNTER,
        ("orchestration_name", "version", "status", "final_turn_count"),
        "Terminal turns by status; continuedAsNew counts although the instance lives on.",
        {**_ORCH, "status": ("success", "failed", "continuedAsNew"),
         # The turns histogram always records 1, so this is always "1-5" in practice.
         "final_turn_count": ("1-5", "6-10", "11-50", "50+")},
    ),
    Metric(
        "duroxide_orchestration_failures_total", MetricType.COUNTER,
        ("orchestration_name", "version", "error_type", "error_category"),
        "Failed orchestrations by error type; E2 adds a copy without orchestration_name.",
        {**_ORCH, "error_type": ERROR_TYPES, "error_category": ERROR_CATEGORIES},
    ),
    Metric(
        "duroxide_orchestration_duration_seconds", MetricType.HISTOGRAM,
        ("orchestration_name", "version", "status"),
        "Duration of one orchestration turn (not end to end).",
        {**_ORCH, "status": ("success", "failed", "continuedAsNew")},
        buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 600, 1800, 3600),
    ),
    Metric(
        "duroxide_orchestration_history_size", MetricType.HISTOGRAM,
        ("orchestration_name",), "History size in events at the end of a turn.",
        {"orchestration_name": ORCHESTRATION_NAMES},
        buckets=(10, 50, 100, 500, 1000, 5000, 10000),
    ),
    Metric(
        "duroxide_orchestration_turns", MetricType.HISTOGRAM,
        ("orchestration_name",), "Turns per orchestration; duroxide always records 1.",
        {"orchestration_name": ORCHESTRATION_NAMES},
        buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
    ),
    Metric(
        "duroxide_orchestration_continue_as_new_total", MetricType.COUNTER,
        ("orchestration_name", "execution_id"),
        "Continue-as-new events, labelled with the ending execution id (unbounded).",
        {"orchestration_name": ORCHESTRATION_NAMES},
    ),
    Metric(
        "duroxide_orchestration_infrastructure_errors_total", MetricType.COUNTER,
        ("orchestration_name", "error_category"), "Orchestration infrastructure errors.",
        {"orchestration_name": ORCHESTRATION_NAMES, "error_category": ERROR_CATEGORIES},
    ),
    Metric(
        "duroxide_orchestration_configuration_errors_total", MetricType.COUNTER,
        ("orchestration_name", "error_category"), "Orchestration configuration errors.",
        {"orchestration_name": ORCHESTRATION_NAMES, "error_category": ERROR_CATEGORIES},
    ),
    Metric(
        "duroxide_active_orchestrations", MetricType.GAUGE, (),
        "The store's global count of Running executions, set at start-up and (v0.1.18+) every "
        "gauge_poll_interval (60 s) in every process; between polls only -1 on completion or "
        "failure (the +1 is dead code). Max over processes, never sum.",
        {"state": ("all",)}, era_labels={Era.E1: ("state",)},
    ),
    Metric(
        "duroxide_orchestrator_queue_depth", MetricType.GAUGE, (),
        "Orchestrator queue depth (E1: set once at start-up, stale; E2: re-polled every 60 s).",
    ),
    Metric(
        "duroxide_worker_queue_depth", MetricType.GAUGE, (),
        "Worker queue depth (E1: set once at start-up, stale; E2: re-polled every 60 s).",
    ),
    Metric(
        "duroxide_activity_executions_total", MetricType.COUNTER,
        ("activity_name", "outcome", "retry_attempt"),
        "Activity executions by outcome; E2 adds a copy with only `outcome`.",
        {"activity_name": ACTIVITY_NAMES, "outcome": ACTIVITY_OUTCOMES,
         # Retries are separate executions: retry_attempt stays "0".
         "retry_attempt": ("0",), "tag": ("default",)},
        era_labels={Era.E2: ("tag",)},
    ),
    Metric(
        "duroxide_activity_duration_seconds", MetricType.HISTOGRAM,
        ("activity_name", "outcome"), "Activity execution duration.",
        {"activity_name": ACTIVITY_NAMES, "outcome": ACTIVITY_OUTCOMES, "tag": ("default",)},
        buckets=(0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
        era_labels={Era.E2: ("tag",)},
    ),
    Metric(
        "duroxide_activity_infrastructure_errors_total", MetricType.COUNTER,
        (), "Activity acks that failed (unlabelled only: the labelled branch is never recorded).",
        eras=E2_ONLY,
    ),
    # Unregistered activities are abandoned with backoff and poisoned from v0.1.10 (commit
    # 254b970): never recorded in v0.1.10-0.1.26 (v0.1.26 observability.rs:412-425, 452-455).
    # Up to v0.1.9 (E1) an unregistered activity recorded it with activity_name (v0.1.9
    # observability.rs:664-669, worker.rs:519).
    Metric(
        "duroxide_activity_configuration_errors_total", MetricType.COUNTER,
        ("activity_name",), "Declared, never recorded from v0.1.10 (unregistered activities end in poison); "
        "up to v0.1.9 one per unregistered activity execution.",
        {"activity_name": ACTIVITY_NAMES}, recorded=False, legacy_eras=frozenset({Era.E1}),
    ),
    Metric(
        "duroxide_provider_operation_duration_seconds", MetricType.HISTOGRAM,
        ("operation", "status"),
        "Provider (Postgres store) operation latency; idle polls dominate the rate.",
        {"operation": PROVIDER_OPERATIONS_E2, "status": ("success", "error")},
        buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5),
    ),
    Metric(
        "duroxide_provider_errors_total", MetricType.COUNTER, ("operation", "error_type"),
        "Provider errors by type.",
        {"operation": PROVIDER_OPERATIONS_E2,
         "error_type": ("deadlock", "timeout", "connection", "other")},
    ),
    Metric("duroxide_orchestration_poison_total", MetricType.COUNTER, (),
           "Orchestration messages poisoned (E2 only).", eras=E2_ONLY),
    Metric("duroxide_activity_poison_total", MetricType.COUNTER, (),
           "Activity messages poisoned (E2 only).", eras=E2_ONLY),
    # Declared in duroxide but never recorded: a panel on them is always empty.
    Metric("duroxide_suborchestration_calls_total", MetricType.COUNTER, (),
           "Declared, never recorded.", recorded=False),
    Metric("duroxide_suborchestration_duration_seconds", MetricType.HISTOGRAM, (),
           "Declared, never recorded.", recorded=False),
    Metric("duroxide_client_starts_total", MetricType.COUNTER, (),
           "Declared, never recorded (duroxide_client_*).", recorded=False),
    Metric("duroxide_dispatcher_items_fetched_total", MetricType.COUNTER, (),
           "Declared, never recorded.", recorded=False),
    Metric("duroxide_dispatcher_processing_duration_seconds", MetricType.HISTOGRAM, (),
           "Declared, never recorded.", recorded=False),
)

# Names that never existed, though docs and old dashboards name them.
NEVER_EXISTED: Mapping[str, str] = {
    "duroxide_activity_retries_total": "retries are separate executions; duroxide has no retry counter",
    "duroxide_activity_errors_total": "use duroxide_activity_executions_total{outcome!=\"success\"}",
    "duroxide_provider_connection_pool_size": "duroxide exports no pool metric",
    "duroxide_worker_processing_rate": "use rate(duroxide_activity_executions_total[...])",
    "duroxide_orchestration_active_instances": "use duroxide_active_orchestrations",
}

# E2 records a duplicate, less-labelled series for these: sums need the guard label != "".
E2_DUPLICATES: Mapping[str, str] = {
    "duroxide_activity_executions_total": "activity_name",
    "duroxide_orchestration_failures_total": "orchestration_name",
}

BY_NAME: Mapping[str, Metric] = {m.name: m for m in METRICS}
BY_SERIES: Mapping[str, Metric] = {s: m for m in METRICS for s in m.series_names()}


def series_kind(series: str) -> MetricType | None:
    """How a stored series behaves: histogram _bucket/_sum/_count are counters; a histogram's
    bare name is E2's summary quantile, which behaves like a gauge."""
    metric = lookup(series)
    if metric is None:
        return None
    if metric.type is MetricType.HISTOGRAM:
        return MetricType.GAUGE if series == metric.name else MetricType.COUNTER
    return metric.type


def series_labels(series: str, metric: Metric) -> frozenset[str]:
    """Labels a stored series can carry (le on E1 buckets, quantile on E2 summaries)."""
    labels = metric.all_labels()
    if metric.type is MetricType.HISTOGRAM and series.endswith("_bucket"):
        return labels | {"le"}
    if metric.type is MetricType.HISTOGRAM and series == metric.name:
        return labels | {"quantile"}
    return labels


def lookup(series: str) -> Metric | None:
    """The catalogue entry for a stored series name (histogram suffixes included)."""
    if series in BY_SERIES:
        return BY_SERIES[series]
    if series.startswith("duroxide_client_"):
        return BY_NAME["duroxide_client_starts_total"]
    return None


def never_existed_hint(series: str) -> str | None:
    """Why a name that never existed is wrong, or None; also catches _ms and missing _total."""
    if series in NEVER_EXISTED:
        return NEVER_EXISTED[series]
    if series.startswith("duroxide_activity_duration_ms"):
        return "duroxide records seconds: duroxide_activity_duration_seconds"
    if series + "_total" in BY_NAME:
        return f"counters end in _total: {series}_total"
    return None


def recorded_metrics(era: Era) -> tuple[Metric, ...]:
    """The metrics some release of `era` records, in catalogue order (legacy ones included)."""
    return tuple(m for m in METRICS if m.recorded_in(era))
