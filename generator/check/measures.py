"""What a panel can declare it measures, how the simulation's ground truth computes the same
quantity, and how close the panel must come (tolerances are stated, not tuned per run)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from generator.catalogue import BY_NAME
from generator.pipeline import ScenarioRun

TruthFn = Callable[[ScenarioRun, float, float], "float | dict[str, float] | None"]
FAILED_OUTCOMES = ("app_error", "config_error", "cancelled")
LABELLED_OUTCOMES = ("success", "app_error", "config_error", "cancelled")


@dataclass(frozen=True)
class Measure:
    """A ground-truth quantity and how a panel showing it is compared.

    mode: `point` compares every timestamp (gauges; `lag` seconds of staleness allowed),
    `mean` compares the average over the window (rates: robust to sparse events),
    `median` compares medians of the non-zero points (quantiles from 1 m windows are noisy).
    """

    name: str
    description: str
    truth: TruthFn
    mode: str
    abs_tol: float
    rel_tol: float
    series_label: str = ""
    lag: float = 0.0
    window: float | None = None  # fixed window of the panel's query (else $__rate_interval)
    # For quantiles: the histogram whose E1 buckets bound how exact histogram_quantile can be.
    histogram: str = ""
    # Rates: a missing point means "nothing happened" (0). Ratios: a missing point means
    # "nothing to divide" and is left out.
    missing_is_zero: bool = True

    def tolerance(self, truth: float, era: str = "E2") -> float:
        """Allowed |panel - truth|; in E1 a quantile is only as exact as its bucket is wide."""
        tolerance = max(self.abs_tol, abs(truth) * self.rel_tol)
        if self.histogram and era == "E1":
            bounds = (0.0, *BY_NAME[self.histogram].buckets)
            for low, high in zip(bounds, bounds[1:]):
                if low <= truth <= high:
                    return max(tolerance, high - low)
        return tolerance


def _sum(mapping: dict[str, Any], key: str) -> float:
    return float(sum(v.get(key, 0) for v in mapping.values()))


def _delta(run: ScenarioRun, t: float, window: float, fn: Callable[[dict[str, Any]], float]) -> float:
    return fn(run.truth_at(t)) - fn(run.truth_at(t - window))


def active(run: ScenarioRun, t: float, _: float) -> float:
    return float(run.truth_at(t)["active"]["total"])


def orchestrator_queue(run: ScenarioRun, t: float, _: float) -> float:
    return float(run.truth_at(t)["orchestrator_queue"])


def worker_queue(run: ScenarioRun, t: float, _: float) -> float:
    return float(run.truth_at(t)["worker_queue"])


def success_ratio(run: ScenarioRun, t: float, window: float) -> float | None:
    good = _delta(run, t, window, lambda s: _sum(s["orchestrations"], "success"))
    bad = _delta(run, t, window, lambda s: _sum(s["orchestrations"], "failed"))
    return good / (good + bad) if good + bad > 0 else None


def failure_rate(run: ScenarioRun, t: float, window: float) -> float:
    return _delta(run, t, window, lambda s: _sum(s["orchestrations"], "failed")) / window


def completion_rate(run: ScenarioRun, t: float, window: float) -> dict[str, float]:
    return {status: _delta(run, t, window, lambda s, k=status: _sum(s["orchestrations"], k)) / window
            for status in ("success", "failed", "continuedAsNew")}


def _executions(sample: dict[str, Any], name: str) -> float:
    outcomes = sample["activities"].get(name, {})
    return float(sum(outcomes.get(o, 0) for o in LABELLED_OUTCOMES))


def activity_rate(run: ScenarioRun, t: float, window: float) -> dict[str, float]:
    names = run.truth_at(t)["activities"].keys()
    return {n: _delta(run, t, window, lambda s, n=n: _executions(s, n)) / window for n in names}


def activity_rate_total(run: ScenarioRun, t: float, window: float) -> float:
    return sum(activity_rate(run, t, window).values())


def activity_success_ratio(run: ScenarioRun, t: float, window: float) -> float | None:
    good = _delta(run, t, window, lambda s: _sum(s["activities"], "success"))
    total = _delta(run, t, window, lambda s: sum(_executions(s, n) for n in s["activities"]))
    return good / total if total > 0 else None


# A p95 of fewer than ~20 executions is noise, not a quantile. The panel's quantiles cover
# 60 s (E2's summary window, or the 1 m rate window in E1) and the truth's 5 min, so only
# activities with >= 100 executions in the truth's window (>= 20 a minute) are compared.
MIN_QUANTILE_SAMPLES = 100


def activity_p95(run: ScenarioRun, t: float, _: float) -> dict[str, float]:
    """p95 of successful executions (failures are timed too, but fail at their own pace)."""
    return {n: float(v["p95"]) for n, v in run.truth_at(t)["activity_latency_success"].items()
            if v.get("p95") is not None and v.get("count", 0) >= MIN_QUANTILE_SAMPLES}


def provider_p95(run: ScenarioRun, t: float, _: float) -> float | None:
    by_op = (run.truth_at(t).get("provider_p95") or {}).get("by_operation") or {}
    values = [float(v) for v in by_op.values() if v is not None]
    return max(values) if values else None


def provider_error_rate(run: ScenarioRun, t: float, window: float) -> float:
    def total(s: dict[str, Any]) -> float:
        return float(sum(n for errors in s["provider_errors"].values() for n in errors.values()))
    return _delta(run, t, window, total) / window


MEASURES: dict[str, Measure] = {m.name: m for m in (
    # A scrape is up to one interval old when a panel reads it. duroxide's gauge counts a
    # brand-new instance again when its first turn's ack fails (database trouble), so it drifts
    # up by a few until those instances finish: 10 % (at least 2) tolerates that drift and
    # still fails the old starts-minus-completions panel, which is off by ~30x.
    Measure("active_orchestrations", "instances really in flight", active, "point", 2, 0.1, lag=15),
    # E2 re-polls the queue gauges every 60 s: allow that much staleness (plus a scrape).
    Measure("orchestrator_queue", "orchestration items really queued", orchestrator_queue, "point", 2, 0.1, lag=75),
    Measure("worker_queue", "activity items really queued", worker_queue, "point", 2, 0.1, lag=75),
    Measure("success_ratio", "successful share of finished orchestrations (5 m)", success_ratio, "point",
            0.05, 0.0, window=300),
    # Rates (25 %): rate() cannot see the first increment of a series born mid-window (a
    # counter appears at its first value), which under-reports bursts of a new error kind.
    Measure("failure_rate", "failed orchestrations per second", failure_rate, "mean", 0.0005, 0.25),
    Measure("completion_rate", "terminal turns per second by status", completion_rate, "mean", 0.002, 0.25,
            series_label="status"),
    Measure("activity_rate", "activity executions per second by activity", activity_rate, "mean", 0.002, 0.25,
            series_label="activity_name"),
    Measure("activity_rate_total", "activity executions per second", activity_rate_total, "mean", 0.002, 0.25),
    Measure("activity_success_ratio", "successful share of activity executions", activity_success_ratio,
            "mean", 0.05, 0.0, missing_is_zero=False),
    # Quantiles: E2 summaries cover 60 s per process, the truth 5 min: compare medians, loosely.
    Measure("activity_p95", "p95 latency of successful executions by activity", activity_p95, "median", 0.05, 0.5,
            series_label="activity_name", histogram="duroxide_activity_duration_seconds"),
    Measure("provider_p95", "p95 latency of the slowest provider operation", provider_p95, "median", 0.002, 0.5,
            histogram="duroxide_provider_operation_duration_seconds"),
    Measure("provider_error_rate", "provider errors per second", provider_error_rate, "mean", 0.0005, 0.25),
)}


def parse_declaration(text: str) -> tuple[Measure | None, str]:
    """`name` or `name@refId` -> (measure, refId or "" for every target)."""
    name, _, ref = text.partition("@")
    return MEASURES.get(name), ref
