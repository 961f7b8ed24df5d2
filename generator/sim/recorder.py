"""Per-process metric state, recorded the way duroxide's MetricsProvider records it (including
E2's duplicate, less-labelled series), with era labelling and per-scrape snapshots."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from generator.catalogue import BY_NAME, E2_SUMMARY_QUANTILES, E2_SUMMARY_WINDOW_SECONDS, Era, MetricType

Labels = tuple[tuple[str, str], ...]
# metrics-exporter-prometheus keeps a summary's observations in 3 rotating buckets (60 s).
SUMMARY_BUCKET_SECONDS = E2_SUMMARY_WINDOW_SECONDS / 3
_QUANTILES = tuple(float(q) for q in E2_SUMMARY_QUANTILES)
_N = len(_QUANTILES)
# A summary's slots: its quantiles, _count and _sum.
_SUMMARY_WIDTH = _N + 2

_EXECUTIONS = "duroxide_activity_executions_total"
# E1 (OpenTelemetry SDK 0.27): at most this many label sets per instrument and process; every
# later label set's values go to the one overflow series (reference, "The E1 era in detail").
OTEL_CARDINALITY_LIMIT = 2000
OVERFLOW_LABELS: Labels = (("otel_metric_overflow", "true"),)
_FAILURES = "duroxide_orchestration_failures_total"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def format_le(bound: float) -> str:
    """Bucket bounds as Go clients print them ("0.005", "1", "+Inf")."""
    return format(bound, "g")


@dataclass(slots=True)
class Series:
    """One registered label set of one family.

    kind "value": one slot. "histogram" (E1): buckets..., count (= +Inf), sum. "summary" (E2):
    one slot per quantile, count, sum.
    """

    family: str
    labels: Labels
    slot: int
    kind: str
    # Text-exposition prefixes: one line per counter/gauge; buckets, +Inf, _count, _sum; or
    # quantiles, _count, _sum.
    prefixes: tuple[str, ...]


def exposition_type(metric_type: MetricType, era: str) -> str:
    """E2's exporter renders every duroxide histogram as a summary (no buckets configured)."""
    return "summary" if metric_type is MetricType.HISTOGRAM and era == "E2" else metric_type.value


def _no_clock() -> float:
    """The clock of metric state that is not simulated in time (a module-level function, so a
    finished result pickles)."""
    return 0.0


class ReplicaMetrics:
    """One process's metric state: a flat value array (None = not registered since start)."""

    def __init__(self, era: str, target: Labels, clock: Callable[[], float] = _no_clock,
                 cardinality_limit: int | None = None) -> None:
        self.era = era
        # E1: label sets past the SDK's limit per instrument share the overflow series.
        self.cardinality_limit = cardinality_limit
        self.admitted: dict[str, int] = {}
        self.redirects: dict[tuple[str, Labels], int] = {}
        self.target = target
        self.clock = clock
        self.slots: dict[tuple[str, Labels], int] = {}
        self.vals: list[Any] = []
        self.families: dict[str, list[Series]] = {}
        self.bounds: dict[str, tuple[float, ...]] = {}
        # E2 summaries: (rotation bucket, value) observations still inside the window.
        self.windows: dict[int, deque[tuple[int, float]]] = {}
        # Per summary slot: the window (first entry, last entry, length) its quantiles were
        # last computed from.
        self._rendered: dict[int, tuple[Any, Any, int]] = {}
        self.snapshots: list[tuple[int, list[Any]]] = []
        self.observe = self._observe_histogram if era == "E1" else self._observe_summary
        self.observe_many = self._observe_many_histogram if era == "E1" else self._observe_many_summary

    def _register(self, family: str, labels: Labels) -> int:
        metric = BY_NAME.get(family)
        era = Era(self.era)
        if metric is None or not metric.recorded_in(era):
            raise ValueError(f"{family} is not a recorded {self.era} metric in the catalogue")
        unknown = {k for k, _ in labels} - metric.all_labels()
        if unknown and not (era is Era.E1 and labels == OVERFLOW_LABELS):
            raise ValueError(f"{family}: labels {sorted(unknown)} are not in the catalogue")
        slot = len(self.vals)
        pairs = sorted(self.target + labels)
        body = ",".join(f'{k}="{_escape(v)}"' for k, v in pairs)
        sep = body + "," if body else ""
        tail = (f"{family}_count{{{body}}} " if body else f"{family}_count ",
                f"{family}_sum{{{body}}} " if body else f"{family}_sum ")
        if metric.type is MetricType.HISTOGRAM and self.era == "E1":
            bounds = self.bounds.setdefault(family, metric.buckets)
            kind = "histogram"
            prefixes = tuple(f'{family}_bucket{{{sep}le="{format_le(b)}"}} ' for b in bounds) + (
                f'{family}_bucket{{{sep}le="+Inf"}} ',) + tail
            self.vals.extend([None] * (len(bounds) + 2))
        elif metric.type is MetricType.HISTOGRAM:
            kind = "summary"
            prefixes = tuple(f'{family}{{{sep}quantile="{q}"}} ' for q in E2_SUMMARY_QUANTILES) + tail
            self.vals.extend([None] * (len(_QUANTILES) + 2))
            self.windows[slot] = deque()
        else:
            kind = "value"
            prefixes = (f"{family}{{{body}}} " if body else f"{family} ",)
            self.vals.append(None)
        self.slots[(family, labels)] = slot
        self.families.setdefault(family, []).append(Series(family, labels, slot, kind, prefixes))
        return slot

    def _slot(self, family: str, labels: Labels, width: int) -> int:
        key = (family, labels)
        slot = self.redirects.get(key) if self.redirects else None
        if slot is None:
            slot = self.slots.get(key)
        vals = self.vals
        if slot is None or vals[slot] is None:
            # First touch in this process: the series appears (at zero) from now on.
            slot = self._admit(key, slot)
            if vals[slot] is None:
                for i in range(slot, slot + width):
                    vals[i] = 0
        return slot

    def _admit(self, key: tuple[str, Labels], slot: int | None) -> int:
        """The slot a label set touched for the first time since start-up records into: its
        own, or (E1, past the SDK's limit per instrument) {otel_metric_overflow="true"}, which
        carries none of the instrument's labels. A restart starts a fresh SDK: its label sets
        count again from zero."""
        family, labels = key
        limit = self.cardinality_limit
        if limit is None or labels == OVERFLOW_LABELS:
            return slot if slot is not None else self._register(family, labels)
        if self.admitted.get(family, 0) >= limit:
            overflow = self.slots.get((family, OVERFLOW_LABELS))
            if overflow is None:
                overflow = self._register(family, OVERFLOW_LABELS)
            self.redirects[key] = overflow
            return overflow
        self.admitted[family] = self.admitted.get(family, 0) + 1
        return slot if slot is not None else self._register(family, labels)

    def inc(self, family: str, labels: Labels, amount: int = 1) -> None:
        """Counter increment (registers the series on first touch since process start)."""
        slot = self._slot(family, labels, 1)
        self.vals[slot] += amount

    def set(self, family: str, labels: Labels, value: float) -> None:
        """Gauge set."""
        slot = self._slot(family, labels, 1)
        self.vals[slot] = value

    def _observe_histogram(self, family: str, labels: Labels, value: float) -> None:
        """One histogram observation into cumulative buckets, _count and _sum (E1)."""
        bounds = self.bounds.get(family) or self.bounds.setdefault(family, BY_NAME[family].buckets)
        n = len(bounds)
        slot = self._slot(family, labels, n + 2)
        vals = self.vals
        for i in range(slot + bisect_left(bounds, value), slot + n + 1):
            vals[i] += 1
        vals[slot + n + 1] += value

    def _observe_many_histogram(self, family: str, labels: Labels, values: Sequence[float]) -> None:
        """Many observations at once (idle polls accounted per scrape interval)."""
        if not values:
            return
        bounds = self.bounds.get(family) or self.bounds.setdefault(family, BY_NAME[family].buckets)
        n = len(bounds)
        counts = [0] * (n + 1)
        for value in values:
            counts[bisect_left(bounds, value)] += 1
        slot = self._slot(family, labels, n + 2)
        vals = self.vals
        running = 0
        for i in range(n + 1):
            running += counts[i]
            vals[slot + i] += running
        vals[slot + n + 1] += sum(values)

    def _observe_summary(self, family: str, labels: Labels, value: float) -> None:
        """E2: cumulative _count/_sum; the value joins the rolling quantile window."""
        vals = self.vals
        slot = self.slots.get((family, labels))
        if slot is None or vals[slot] is None or self.redirects:
            slot = self._slot(family, labels, _SUMMARY_WIDTH)
        vals[slot + _N] += 1
        vals[slot + _N + 1] += value
        self.windows[slot].append((int(self.clock() // SUMMARY_BUCKET_SECONDS), value))

    def _observe_many_summary(self, family: str, labels: Labels, values: Sequence[float]) -> None:
        if not values:
            return
        n = len(_QUANTILES)
        slot = self._slot(family, labels, n + 2)
        vals = self.vals
        vals[slot + n] += len(values)
        vals[slot + n + 1] += sum(values)
        bucket = int(self.clock() // SUMMARY_BUCKET_SECONDS)
        self.windows[slot].extend((bucket, v) for v in values)

    def refresh_summaries(self) -> None:
        """Quantiles over the observations of the current and the two previous 20 s buckets,
        as the exporter renders them at scrape time; an empty window renders 0."""
        if not self.windows:
            return
        oldest = int(self.clock() // SUMMARY_BUCKET_SECONDS) - 2
        vals = self.vals
        rendered = self._rendered
        for slot, window in self.windows.items():
            if vals[slot] is None:
                continue
            while window and window[0][0] < oldest:
                window.popleft()
            if not window:
                for i in range(len(_QUANTILES)):
                    vals[slot + i] = 0.0
                continue
            # The same first and last entries (new tuples, appended right, dropped left) and
            # length: the window is unchanged since its quantiles were last written.
            seen = rendered.get(slot)
            if seen is not None and seen[0] is window[0] and seen[1] is window[-1] and seen[2] == len(window):
                continue
            rendered[slot] = (window[0], window[-1], len(window))
            ordered = [v for _, v in window]
            ordered.sort()
            n = len(ordered)
            for i, q in enumerate(_QUANTILES):
                vals[slot + i] = ordered[max(0, math.ceil(q * n) - 1)]

    def reset(self) -> None:
        """A process restart: every series disappears until touched again (counters reset)."""
        self.vals = [None] * len(self.vals)
        self._rendered.clear()
        self.redirects.clear()
        self.admitted.clear()
        for window in self.windows.values():
            window.clear()

    def snapshot(self, ts: int) -> None:
        """What a scrape at `ts` would read: a copy of every value (None = series absent)."""
        self.refresh_summaries()
        self.snapshots.append((ts, self.vals[:]))

    def series_count(self) -> int:
        """Distinct exposed series (a histogram counts buckets, +Inf, _count and _sum)."""
        return sum(len(s.prefixes) for group in self.families.values() for s in group)


class Recorder:
    """duroxide's MetricsProvider, one instance per process, era-aware.

    Method names follow duroxide's record_* functions; the E2 duplicates (the facade calls
    that carry only `outcome` / `error_type`) are recorded exactly where duroxide makes them.
    """

    def __init__(self, era: str, targets: Sequence[Labels], clock: Callable[[], float] = _no_clock) -> None:
        self.era = era
        self.e2 = era == "E2"
        limit = None if self.e2 else OTEL_CARDINALITY_LIMIT
        self.replicas = [ReplicaMetrics(era, t, clock, limit) for t in targets]
        # E1 (OTel) carried state="all" on the active gauge; E2 no labels.
        self._active_labels: Labels = () if self.e2 else (("state", "all"),)

    # -- orchestrations -------------------------------------------------------------------
    def orchestration_start(self, r: int, name: str, version: str, initiated_by: str) -> None:
        self.replicas[r].inc("duroxide_orchestration_starts_total",
                             (("orchestration_name", name), ("version", version), ("initiated_by", initiated_by)))

    def orchestration_completion(self, r: int, name: str, version: str, status: str,
                                 turn_seconds: float, history_events: int) -> None:
        """A terminal turn. duroxide passes turn_count=1, so final_turn_count is always 1-5."""
        m = self.replicas[r]
        m.inc("duroxide_orchestration_completions_total",
              (("orchestration_name", name), ("version", version), ("status", status), ("final_turn_count", "1-5")))
        m.observe("duroxide_orchestration_duration_seconds",
                  (("orchestration_name", name), ("version", version), ("status", status)), turn_seconds)
        m.observe("duroxide_orchestration_turns", (("orchestration_name", name),), 1.0)
        m.observe("duroxide_orchestration_history_size", (("orchestration_name", name),), float(history_events))

    def orchestration_failure(self, r: int, name: str, version: str, error_type: str, category: str) -> None:
        m = self.replicas[r]
        m.inc(_FAILURES, (("orchestration_name", name), ("version", version),
                          ("error_type", error_type), ("error_category", category)))
        per_name = {"infrastructure_error": "duroxide_orchestration_infrastructure_errors_total",
                    "config_error": "duroxide_orchestration_configuration_errors_total"}.get(error_type)
        if per_name:
            m.inc(per_name, (("orchestration_name", name), ("error_category", category)))
        if self.e2 and category in ("application", "infrastructure", "configuration"):
            # record_orchestration_{application,infrastructure,configuration}_error
            # (execution.rs:260-263): the twin without orchestration_name (and an unlabelled
            # *_errors_total); a poison failure records orchestration_poison_total instead.
            m.inc(_FAILURES, (("error_type", error_type),))
            if per_name:
                m.inc(per_name, ())

    def orchestration_ack_failed(self, r: int) -> None:
        """A failed ack fails the instance (orchestration.rs:968): the unlabelled twins only;
        E1 kept this in atomics and exported nothing."""
        if self.e2:
            m = self.replicas[r]
            m.inc(_FAILURES, (("error_type", "infrastructure_error"),))
            m.inc("duroxide_orchestration_infrastructure_errors_total", ())

    def continue_as_new(self, r: int, name: str, ending_execution_id: int) -> None:
        # Labelled with the *ending* execution id: one new series per cycle, unbounded.
        self.replicas[r].inc("duroxide_orchestration_continue_as_new_total",
                             (("orchestration_name", name), ("execution_id", str(ending_execution_id))))

    def orchestration_poison(self, r: int) -> None:
        if self.e2:
            self.replicas[r].inc("duroxide_orchestration_poison_total", ())

    # -- activities -----------------------------------------------------------------------
    def activity_execution(self, r: int, name: str, outcome: str, seconds: float) -> None:
        """Recorded before the ack; retries are separate executions, so retry_attempt="0"."""
        m = self.replicas[r]
        if outcome in ("success", "app_error"):
            # Both eras record these two from Duration::as_millis(): whole milliseconds (v0.1.26
            # worker.rs:616-617, 658-659; v0.1.14 worker.rs:448-449, 489-490); cancelled is
            # as_secs_f64 (v0.1.26 worker.rs:587).
            seconds = math.floor(seconds * 1000.0) / 1000.0
        if self.e2:
            m.inc(_EXECUTIONS, (("activity_name", name), ("outcome", outcome), ("retry_attempt", "0"),
                                ("tag", "default")))
            m.observe("duroxide_activity_duration_seconds",
                      (("activity_name", name), ("outcome", outcome), ("tag", "default")), seconds)
        else:
            m.inc(_EXECUTIONS, (("activity_name", name), ("outcome", outcome), ("retry_attempt", "0")))
            m.observe("duroxide_activity_duration_seconds", (("activity_name", name), ("outcome", outcome)), seconds)
            if outcome == "config_error":
                # duroxide <= v0.1.9 only (observability.rs:664-669 at v0.1.9): an unregistered
                # activity's execution also counts here, with its name.
                m.inc("duroxide_activity_configuration_errors_total", (("activity_name", name),))

    def activity_acked(self, r: int, outcome: str) -> None:
        """E2: after a successful ack, record_activity_{success,app_error} count the execution
        again with only `outcome` (worker.rs:741-742, the double-counting trap)."""
        if not self.e2 or outcome == "cancelled":
            return
        self.replicas[r].inc(_EXECUTIONS, (("outcome", outcome),))

    def activity_infra_error(self, r: int) -> None:
        """The ack failed (worker.rs:758): infra_error only without activity_name, and the
        unlabelled activity_infrastructure_errors_total (observability.rs:447); E1 has neither."""
        if not self.e2:
            return
        m = self.replicas[r]
        m.inc(_EXECUTIONS, (("outcome", "infra_error"),))
        m.inc("duroxide_activity_infrastructure_errors_total", ())

    def activity_poison(self, r: int) -> None:
        if self.e2:
            self.replicas[r].inc("duroxide_activity_poison_total", ())

    # -- provider -------------------------------------------------------------------------
    def provider_operation(self, r: int, operation: str, seconds: float, status: str) -> None:
        self.replicas[r].observe("duroxide_provider_operation_duration_seconds",
                                 (("operation", operation), ("status", status)), seconds)

    def provider_operations(self, r: int, operation: str, status: str, seconds: Sequence[float]) -> None:
        self.replicas[r].observe_many("duroxide_provider_operation_duration_seconds",
                                      (("operation", operation), ("status", status)), seconds)

    def provider_error(self, r: int, operation: str, error_type: str, count: int = 1) -> None:
        if count:
            self.replicas[r].inc("duroxide_provider_errors_total",
                                 (("operation", operation), ("error_type", error_type)), count)

    # -- gauges ---------------------------------------------------------------------------
    def active(self, r: int, value: int) -> None:
        self.replicas[r].set("duroxide_active_orchestrations", self._active_labels, value)

    def queue_depths(self, r: int, orchestrator: int, worker: int) -> None:
        m = self.replicas[r]
        m.set("duroxide_orchestrator_queue_depth", (), orchestrator)
        m.set("duroxide_worker_queue_depth", (), worker)

    def series_count(self) -> int:
        return sum(m.series_count() for m in self.replicas)
