"""What a panel can declare it measures, and how the simulation's ground truth computes the same
quantity from what really happened (never from the metrics).

How close a panel must come is not a number per measure: `generator/check/compare.py` derives
every bound at every instant from the truth's own event counts and the query's sampling (see
docs/check.md, "Measures and bounds").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from generator.pipeline import ScenarioRun

Sample = dict[str, Any]
# Cumulative true counts per (series key, leaf): a leaf is one thing duroxide counts in its own
# series (one outcome of one activity, one status of one orchestration), so that a series born
# inside the window can be told apart.
Counts = Callable[[Sample], dict[tuple[str, str], float]]
# Per series key: (observations in the truth's 5-minute window, 101-point quantile grid).
Latencies = Callable[[Sample], dict[str, tuple[int, list[float]]]]

LABELLED_OUTCOMES = ("success", "app_error", "config_error", "cancelled")
TERMINAL = ("success", "failed")


@dataclass(frozen=True)
class Measure:
    """A ground-truth quantity and how a panel showing it is compared.

    kind `gauge`: every instant lies within the extremes the quantity took while the sample the
    panel reads could have been taken; `rate`: the mean over the window; `ratio`: every instant
    within the ratio of the events the query's window can see; `quantile`: the median over time
    within the order-statistic bounds of a quantile estimated from the panel's sample size.
    """

    name: str
    description: str
    kind: str
    series_label: str = ""
    # Every series of the panel is compared with the whole truth (a gauge shown per process,
    # where every process reports the shared store's count).
    per_series: bool = False
    # gauge: the truth field; polled: E2 re-reads it from the store every gauge poll
    gauge: str = ""
    polled: bool = False
    # Between polls the gauge only falls (duroxide's active gauge: -1 on completion, new
    # instances appear at the next poll), so it may read low by the instances activated since.
    only_falls: bool = False
    # rate / ratio: counts (ratio: the denominator), good (ratio: the numerator)
    counts: Counts | None = None
    good: Counts | None = None
    window: float | None = None  # fixed window of the panel's query (else $__rate_interval)
    # quantile
    quantile: float = 0.0
    latencies: Latencies | None = None
    histogram: str = ""  # whose E1 buckets bound how exact histogram_quantile can be
    # how much of the truth's 5-minute window the panel's quantile sees, by era
    quantile_share: tuple[tuple[str, float], ...] = ()
    # The exporter's resolution: duroxide records success / app_error activity durations in whole
    # milliseconds (Duration::as_millis(), both eras), so a panel showing the truth's own
    # observation shows it floored.
    resolution: float = 0.0

    def truth_rate(self, run: ScenarioRun, t: float, width: float) -> dict[str, float]:
        """Events per second over (t - width, t] per series key."""
        assert self.counts is not None
        now, before = self.counts(run.truth_at(t)), self.counts(run.truth_at(t - width))
        out: dict[str, float] = {}
        for (key, leaf), value in now.items():
            out[key] = out.get(key, 0.0) + (value - before.get((key, leaf), 0.0)) / width
        return out


def _orchestrations(sample: Sample, statuses: tuple[str, ...], by_name: bool = False) -> dict[tuple[str, str], float]:
    return {(name if by_name else "", f"{name}/{status}"): float(v.get(status, 0))
            for name, v in sample["orchestrations"].items() for status in statuses}


def _failures(sample: Sample) -> dict[tuple[str, str], float]:
    return {("", f"{name}/{error_type}"): float(n) for name, v in sample["orchestrations"].items()
            for error_type, n in (v.get("failures") or {}).items()}


def _activities(outcomes: tuple[str, ...], by_name: bool) -> Counts:
    def counts(sample: Sample) -> dict[tuple[str, str], float]:
        return {(name if by_name else "", f"{name}/{o}"): float(v.get(o, 0))
                for name, v in sample["activities"].items() for o in outcomes}
    return counts


def _provider_errors(sample: Sample) -> dict[tuple[str, str], float]:
    return {("", f"{op}/{kind}"): float(n) for op, errors in sample["provider_errors"].items()
            for kind, n in errors.items()}


def _poison(kind: str) -> Counts:
    return lambda s: {("", kind): float((s.get("poisoned") or {}).get(kind, 0))}


def _activity_latencies(sample: Sample) -> dict[str, tuple[int, list[float]]]:
    return {name: (int(v["count"]), v["grid"]) for name, v in sample["activity_latency_success"].items()
            if v.get("grid")}


def _provider_latencies(sample: Sample) -> dict[str, tuple[int, list[float]]]:
    return {op: (int(v["count"]), v["grid"]) for op, v in (sample.get("provider_grid") or {}).items()}


# E2 summaries keep 3 rotating 20 s buckets: a quantile covers 40-60 s of the truth's 300 s.
# E1's histogram_quantile over rate(...[1m]) sees 3 scrape intervals of the 4 in its window.
_SHARE = (("E2", 40 / 300), ("E1", 45 / 300))

MEASURES: dict[str, Measure] = {m.name: m for m in (
    Measure("active_orchestrations", "instances really in flight", "gauge", gauge="active", polled=True,
            only_falls=True),
    Measure("active_orchestrations_per_process", "instances really in flight, as each process reports it",
            "gauge", gauge="active", per_series=True, polled=True, only_falls=True),
    Measure("orchestrator_queue", "orchestration items really queued", "gauge", gauge="orchestrator_queue",
            polled=True),
    Measure("worker_queue", "activity items really queued", "gauge", gauge="worker_queue", polled=True),
    Measure("success_ratio", "successful share of finished orchestrations (5 m)", "ratio",
            counts=lambda s: _orchestrations(s, TERMINAL), good=lambda s: _orchestrations(s, ("success",)),
            window=300),
    Measure("failure_rate", "failed orchestrations per second", "rate", counts=_failures),
    Measure("completion_rate", "terminal turns per second by status", "rate", series_label="status",
            counts=lambda s: {(status, f"{name}/{status}"): float(v.get(status, 0))
                              for name, v in s["orchestrations"].items()
                              for status in ("success", "failed", "continuedAsNew")}),
    Measure("continue_as_new_rate", "executions continued as new per second by orchestration", "rate",
            series_label="orchestration_name",
            counts=lambda s: _orchestrations(s, ("continuedAsNew",), by_name=True)),
    Measure("activity_rate", "activity executions per second by activity", "rate", series_label="activity_name",
            counts=_activities(LABELLED_OUTCOMES, by_name=True)),
    Measure("activity_rate_total", "activity executions per second", "rate",
            counts=_activities(LABELLED_OUTCOMES, by_name=False)),
    Measure("activity_failure_rate", "activity executions per second that ended in a failure outcome", "rate",
            counts=_activities(LABELLED_OUTCOMES[1:], by_name=False)),
    Measure("activity_success_ratio", "successful share of activity executions", "ratio",
            counts=_activities(LABELLED_OUTCOMES, by_name=False),
            good=_activities(("success",), by_name=False)),
    Measure("orchestration_poison_rate", "orchestration messages poisoned per second", "rate",
            counts=_poison("orchestration")),
    Measure("activity_poison_rate", "activity messages poisoned per second", "rate", counts=_poison("activity")),
    Measure("provider_error_rate", "provider errors per second", "rate", counts=_provider_errors),
    *(Measure(f"activity_p{int(q * 100)}", f"p{int(q * 100)} latency of successful executions by activity",
              "quantile", series_label="activity_name", quantile=q, latencies=_activity_latencies,
              histogram="duroxide_activity_duration_seconds", quantile_share=_SHARE, resolution=0.001)
      for q in (0.5, 0.95, 0.99)),
    Measure("provider_p95", "p95 latency of the slowest provider operation", "quantile", quantile=0.95,
            latencies=_provider_latencies, histogram="duroxide_provider_operation_duration_seconds",
            quantile_share=_SHARE),
)}


def parse_declaration(text: str) -> tuple[Measure | None, str]:
    """`name` or (hand-written legacy files) `name@refId` -> (measure, refId or "")."""
    name, _, ref = text.partition("@")
    return MEASURES.get(name), ref
