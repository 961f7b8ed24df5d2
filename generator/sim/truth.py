"""Ground truth: what really happened, sampled at every scrape instant, for checks that compare
dashboard panels with reality. Counts are true counts (never E2's duplicated series).

truth.jsonl holds one JSON object per line, keys sorted:

* line 1, the header (kind "header"): schema, scenarios, seed, era, replicas, scrape_interval,
  start, end (unix s), onset (first fault start, or null), faults ([{scenario, start, end}]),
  expect ({truth path: expectation}, see scenarios.py), targets (per-replica series labels),
  options (the SimOptions that produced the run).
* then one sample (kind "sample") per scrape instant ts = start, start+interval, ..., end:
  - ts: unix seconds
  - active: {total, by_orchestration: {full orchestration_name: n}}: instances whose first turn
    has been processed and that have not completed or failed (continue-as-new keeps them)
  - pending: instances started by a client or parent whose first turn has not run yet
  - instances: {creating, running, deleting, deleted, failed}: Toygres CMS records by state
  - orchestrator_queue, worker_queue: messages / work items visible in the store's queues
  - activities: {full activity_name: {success, app_error, config_error, cancelled, infra_error}}
    cumulative true executions since the window start by the outcome the handler returned;
    infra_error counts those of them whose result was lost because the ack failed (duroxide
    records the labelled outcome AND an unlabelled infra_error twin for them)
  - orchestrations: {full orchestration_name: {turns, success, failed, continuedAsNew,
    failures: {error_type: n}}} cumulative since the window start
  - activity_latency_success: the same over successful executions only
  - activity_latency: {full activity_name: {count, p50, p95, p99}} over the trailing 5 minutes,
    from the true durations (linear interpolation between order statistics); only activities
    that ran in that window
  - activity_latency_success: the same over successful executions only; with the option
    truth_grids also `grid`: the quantiles at probabilities 0, 0.01, ..., 1 (what a check needs
    to bound a quantile estimated from fewer observations)
  - provider_p95: {all, by_operation: {operation: seconds}} over the trailing 5 minutes,
    idle polls included (null when nothing ran); with truth_grids, provider_grid: {operation:
    {count, grid}} (the 101-point quantile grid as above)
  - range: {active, orchestrator_queue, worker_queue: [min, max]}: the extremes each gauge
    quantity took at any instant of the scrape interval ending at ts (both ends included),
    tracked after every simulated event
  - provider_errors: {operation: {error_type: n}} cumulative since the window start
  - trailing: 5-minute totals: activity_executions, activity_failures (app_error, config_error,
    infra_error), activity_failure_ratio, orchestration_completions (success + failed),
    orchestration_failures, orchestration_failure_ratio, provider_operations, provider_errors
  - replicas_up, replica_restarts (cumulative), faults (scenario names active at ts)
"""

from __future__ import annotations

import functools
import math
import operator
from collections import deque
from itertools import chain
from operator import itemgetter
from typing import Any, Iterable, Mapping, Sequence

from generator.catalogue import ACTIVITY_NAMES, ORCHESTRATION_NAMES

SCHEMA_VERSION = 1
WINDOW_SECONDS = 300.0
OUTCOMES = ("success", "app_error", "config_error", "cancelled", "infra_error")
FAILED_OUTCOMES = ("app_error", "config_error", "infra_error")
STATES = ("creating", "running", "deleting", "deleted", "failed")
_SECOND = itemgetter(1)


def quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default method)."""
    pos = q * (len(ordered) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


GRID = tuple(i / 100 for i in range(101))
# The gauge quantities whose extremes within each scrape interval the truth tracks.
GAUGES = ("active", "orchestrator_queue", "worker_queue")


@functools.lru_cache(maxsize=8192)
def _grid_positions(n: int) -> tuple[tuple[int, int, float], ...]:
    """(lo, hi, fraction) of each GRID probability in n ordered values, as `quantile` computes them."""
    out = []
    for p in GRID:
        pos = p * (n - 1)
        lo = math.floor(pos)
        out.append((lo, min(lo + 1, n - 1), pos - lo))
    return tuple(out)


def quantile_grid(ordered: Sequence[float]) -> list[float | None]:
    """Quantiles at probabilities 0, 0.01, ..., 1 (interpolated as `quantile`, rounded as `_round`)."""
    return [round(ordered[lo] + (ordered[hi] - ordered[lo]) * f, 6) for lo, hi, f in _grid_positions(len(ordered))]


def _quantiles(windows: dict[str, deque[tuple[float, float]]], horizon: float, grid: bool = False,
               last: dict[str, tuple[Any, Any, int, dict[str, Any]]] | None = None) -> dict[str, Any]:
    """{activity: {count, p50, p95, p99[, grid]}} over each trailing window (oldest entries dropped).

    `last` remembers each window's previous result with its first and last entries: entries
    are appended on the right and dropped on the left, each a new tuple kept alive by the
    window, so the same two entries and length mean the same contents, and the same result."""
    out: dict[str, Any] = {}
    for name, window in windows.items():
        while window and window[0][0] <= horizon:
            window.popleft()
        if window:
            if last is not None:
                seen = last.get(name)
                if seen is not None and seen[0] is window[0] and seen[1] is window[-1] and seen[2] == len(window):
                    out[name] = dict(seen[3])
                    continue
            ordered = sorted(map(_SECOND, window))
            out[name] = {"count": len(ordered), "p50": _round(quantile(ordered, 0.5)),
                         "p95": _round(quantile(ordered, 0.95)), "p99": _round(quantile(ordered, 0.99))}
            if grid:
                out[name]["grid"] = quantile_grid(ordered)
            if last is not None:
                last[name] = (window[0], window[-1], len(window), out[name])
    return out


def _merged_quantile(runs: Sequence[Sequence[float]], total: int, q: float) -> float:
    """`quantile(sorted(chain(*runs)), q)` for sorted runs, sorting only their tails: the order
    statistics at and above the quantile's lower one are among each run's `total - lo` largest."""
    lo = math.floor(q * (total - 1))
    keep = total - lo
    tail = sorted(chain.from_iterable(run[-keep:] for run in runs))
    # The tail's first `len(tail) - keep` values are below the merged list's index lo.
    return quantile_at(tail, len(tail) - keep, q * (total - 1) - lo, total - 1 - lo)


def quantile_at(ordered: Sequence[float], lo: int, fraction: float, above: int) -> float:
    """quantile()'s interpolation at index lo of `ordered` (`above`: indices after lo in the
    whole list, so the upper neighbour is lo itself when there are none)."""
    hi = lo + 1 if above > 0 else lo
    return ordered[lo] + (ordered[hi] - ordered[lo]) * fraction


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


class Truth:
    """Accumulates true events (only those inside the window) and emits one sample per scrape."""

    def __init__(self, scrape_interval: int, grids: bool = False) -> None:
        self.grids = grids
        self.activities = {n: dict.fromkeys(OUTCOMES, 0) for n in ACTIVITY_NAMES}
        self.orchestrations: dict[str, dict[str, Any]] = {
            n: {"turns": 0, "success": 0, "failed": 0, "continuedAsNew": 0, "failures": {}}
            for n in ORCHESTRATION_NAMES}
        self.provider_errors: dict[str, dict[str, int]] = {}
        self.replica_restarts = 0
        self.poisoned = {"activity": 0, "orchestration": 0}
        self._latency: dict[str, deque[tuple[float, float]]] = {}
        self._latency_success: dict[str, deque[tuple[float, float]]] = {}
        # Each window's previous quantiles (see _quantiles).
        self._last_latency: dict[str, tuple[Any, Any, int, dict[str, Any]]] = {}
        self._last_success: dict[str, tuple[Any, Any, int, dict[str, Any]]] = {}
        # Per provider operation: the interval lists its last window was made of, and what it gave.
        self._last_ops: dict[str, tuple[tuple[Any, ...], list[float], float | None, Any]] = {}
        self._intervals: deque[dict[str, list[float]]] = deque(
            maxlen=max(1, math.ceil(WINDOW_SECONDS / scrape_interval)))
        self._current: dict[str, list[float]] = {}
        # (time, kind) events for the 5-minute totals
        self._recent: deque[tuple[float, str]] = deque()
        self.samples: list[dict[str, Any]] = []
        # Per gauge quantity: [min, max] since the last sample (None until first observed).
        self._range: list[list[int]] | None = None

    def observe(self, values: Sequence[int]) -> None:
        """The gauge quantities (GAUGES order) after a simulated event: widen the extremes."""
        spans = self._range
        if spans is None:
            self._range = [[v, v] for v in values]
            return
        for span, value in zip(spans, values):
            if value < span[0]:
                span[0] = value
            elif value > span[1]:
                span[1] = value

    # -- events (the runtime calls these only for t >= 0) ---------------------------------
    def activity(self, t: float, name: str, outcome: str, seconds: float, lost: bool = False) -> None:
        """One execution that ran to `outcome`; `lost`: its ack then failed, so the result never
        reached the orchestration (it counts as the outcome and as an infra_error)."""
        self.activities[name][outcome] += 1
        if lost:
            self.activities[name]["infra_error"] += 1
        lat = self._latency.get(name)
        if lat is None:
            lat = self._latency[name] = deque()
        lat.append((t, seconds))
        if outcome == "success":
            self._latency_success.setdefault(name, deque()).append((t, seconds))
        self._recent.append((t, "act_fail" if lost or outcome in FAILED_OUTCOMES else "act"))

    def turn(self, name: str) -> None:
        self.orchestrations[name]["turns"] += 1

    def terminal(self, t: float, name: str, status: str, error_type: str | None = None) -> None:
        entry = self.orchestrations[name]
        entry[status] += 1
        if error_type:
            entry["failures"][error_type] = entry["failures"].get(error_type, 0) + 1
        if status == "success":
            self._recent.append((t, "orch"))
        elif status == "failed":
            self._recent.append((t, "orch_fail"))

    def poison(self, kind: str) -> None:
        """A message exceeded its delivery attempts (kind: activity or orchestration)."""
        self.poisoned[kind] += 1

    def provider(self, operation: str, seconds: float) -> None:
        bucket = self._current.get(operation)
        if bucket is None:
            bucket = self._current[operation] = []
        bucket.append(seconds)

    def provider_many(self, operation: str, seconds: Iterable[float]) -> None:
        bucket = self._current.get(operation)
        if bucket is None:
            bucket = self._current[operation] = []
        bucket.extend(seconds)

    def provider_error(self, t: float, operation: str, error_type: str, count: int = 1) -> None:
        per_op = self.provider_errors.setdefault(operation, {})
        per_op[error_type] = per_op.get(error_type, 0) + count
        for _ in range(count):
            self._recent.append((t, "prov_err"))

    # -- sampling -------------------------------------------------------------------------
    def sample(self, ts: int, t: float, state: Mapping[str, Any]) -> dict[str, Any]:
        """Close the current scrape interval and append the record for instant ts."""
        # Each closed interval is sorted once; merging sorted runs is cheap for timsort.
        for values in self._current.values():
            values.sort()
        self._intervals.append(self._current)
        self._current = {}
        horizon = t - WINDOW_SECONDS
        latency = _quantiles(self._latency, horizon, last=self._last_latency)
        latency_success = _quantiles(self._latency_success, horizon, grid=self.grids, last=self._last_success)
        by_op: dict[str, float | None] = {}
        grids: dict[str, Any] = {}
        merged: list[list[float]] = []
        last_ops = self._last_ops
        for operation in sorted({op for interval in self._intervals for op in interval}):
            # A closed interval's list is never changed again: the same lists, the same window.
            parts = tuple([i.get(operation) for i in self._intervals])
            seen = last_ops.get(operation)
            if seen is not None and len(seen[0]) == len(parts) and all(map(operator.is_, seen[0], parts)):
                _, ordered, p95, grid = seen
            else:
                ordered = sorted(chain.from_iterable(part for part in parts if part))
                p95 = _round(quantile(ordered, 0.95)) if ordered else None
                grid = quantile_grid(ordered) if ordered and self.grids else None
                last_ops[operation] = (parts, ordered, p95, grid)
            if ordered:
                by_op[operation] = p95
                if self.grids:
                    grids[operation] = {"count": len(ordered), "grid": grid}
                merged.append(ordered)
        total = sum(map(len, merged))
        recent = self._recent
        while recent and recent[0][0] <= horizon:
            recent.popleft()
        tally = {"act": 0, "act_fail": 0, "orch": 0, "orch_fail": 0, "prov_err": 0}
        for _, kind in recent:
            tally[kind] += 1
        executions = tally["act"] + tally["act_fail"]
        completions = tally["orch"] + tally["orch_fail"]
        now = [int(state[k]["total"] if k == "active" else state[k]) for k in GAUGES]
        self.observe(now)
        spans = self._range or [[v, v] for v in now]
        self._range = [[v, v] for v in now]
        record = {
            "kind": "sample",
            "ts": ts,
            **state,
            "range": {k: list(span) for k, span in zip(GAUGES, spans)},
            "activities": {n: dict(v) for n, v in self.activities.items()},
            "orchestrations": {n: {**v, "failures": dict(sorted(v["failures"].items()))}
                               for n, v in self.orchestrations.items()},
            "activity_latency": latency,
            "activity_latency_success": latency_success,
            "provider_p95": {"all": _round(_merged_quantile(merged, total, 0.95)) if total else None,
                             "by_operation": by_op},
            **({"provider_grid": grids} if self.grids else {}),
            "provider_errors": {op: dict(v) for op, v in sorted(self.provider_errors.items())},
            "trailing": {
                "activity_executions": executions,
                "activity_failures": tally["act_fail"],
                "activity_failure_ratio": _round(tally["act_fail"] / executions) if executions else 0.0,
                "orchestration_completions": completions,
                "orchestration_failures": tally["orch_fail"],
                "orchestration_failure_ratio": _round(tally["orch_fail"] / completions) if completions else 0.0,
                "provider_operations": total,
                "provider_errors": tally["prov_err"],
            },
            "replica_restarts": self.replica_restarts,
            "poisoned": dict(self.poisoned),
        }
        self.samples.append(record)
        return record


def lookup(record: Mapping[str, Any], path: str) -> Any:
    """A value from a truth record by dotted path ("active.total", "trailing.worker_queue")."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value
