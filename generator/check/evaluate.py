"""Evaluate every target the way Grafana would: macros expanded for the panel's time range,
variables at their defaults (or at each value where the panel repeats), as range queries run
concurrently against a real Prometheus."""

from __future__ import annotations

import concurrent.futures
import time
from dataclasses import dataclass
from typing import Any, Sequence

from generator.config import Config
from generator.walker import TargetCtx, variable_values
from generator.parsers.macros import substitute
from generator.prometheus.client import Client, QueryError, Series

# Grafana asks for about one point per pixel; a full-width panel is ~1000 px wide.
MAX_DATA_POINTS = 1000
NICE_INTERVALS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 21600, 43200, 86400)
# Skip the first minutes of a window: rate() and 5 m ratios need history before they mean anything.
WARMUP_SECONDS = 600
QUERY_CONCURRENCY = 8


@dataclass(frozen=True)
class Window:
    """The time range a panel is looked at, and Grafana's derived intervals for it."""

    start: float
    end: float
    interval: float
    rate_interval: float

    @classmethod
    def for_range(cls, start: float, end: float, config: Config) -> "Window":
        raw = (end - start) / MAX_DATA_POINTS
        interval = next((n for n in NICE_INTERVALS if n >= raw), NICE_INTERVALS[-1])
        interval = max(interval, config.scrape_interval_seconds)
        # Grafana aligns a range query's start and end down to a multiple of the step, so the
        # points fall on the same instants whatever the wall clock (and on the truth's grid).
        start, end = start - start % interval, end - end % interval
        # As grafana.md states it: $__rate_interval = max(4 x scrape interval, $__interval).
        return cls(start, end, interval, max(4 * config.scrape_interval_seconds, interval))


@dataclass(frozen=True)
class Query:
    """One target expanded for one variable assignment."""

    target: TargetCtx
    text: str
    variables: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        extra = ", ".join(f"{k}={v}" for k, v in self.variables)
        return f"{self.target.ref_id}" + (f" [{extra}]" if extra else "")


@dataclass
class Result:
    """What one query returned over one scenario window."""

    query: Query
    scenario: str
    series: list[Series]
    samples: int = 0
    seconds: float = 0.0
    error: str = ""

    @property
    def empty(self) -> bool:
        return not any(s.samples for s in self.series)


def expand(target: TargetCtx, window: Window, repeat_values: dict[str, list[str]]) -> list[Query]:
    """The target's query text for each value of the panel's repeat variable (else once)."""
    dashboard = target.panel.dashboard.data
    values = variable_values(dashboard)
    repeat = str(target.panel.panel.get("repeat") or "")
    assignments: list[dict[str, str]] = [{}]
    if repeat and repeat_values.get(repeat):
        assignments = [{repeat: v} for v in repeat_values[repeat]]
    queries = []
    for assignment in assignments:
        text = substitute(target.expr, {**values, **assignment}, interval_seconds=window.interval,
                          rate_interval_seconds=window.rate_interval, range_seconds=window.end - window.start,
                          end_seconds=window.end)
        queries.append(Query(target, text, tuple(sorted(assignment.items()))))
    return queries


def run_queries(client: Client, jobs: Sequence[tuple[Query, str, Window]]) -> list[Result]:
    """Range-query every (query, scenario, window) concurrently; errors become results."""
    def one(job: tuple[Query, str, Window]) -> Result:
        query, scenario, window = job
        started = time.perf_counter()
        try:
            series, samples = client.query_range_stats(query.text, window.start, window.end, window.interval)
            return Result(query, scenario, series, samples, time.perf_counter() - started)
        except QueryError as exc:
            return Result(query, scenario, [], 0, time.perf_counter() - started, str(exc))
    with concurrent.futures.ThreadPoolExecutor(max_workers=QUERY_CONCURRENCY) as pool:
        return list(pool.map(one, jobs))


def values(result: Result) -> list[float]:
    return [v for s in result.series for _, v in s.samples]


def by_time(series: Sequence[Series]) -> dict[float, float]:
    """Sum of all series per timestamp (for single-number comparisons)."""
    total: dict[float, float] = {}
    for s in series:
        for t, v in s.samples:
            total[t] = total.get(t, 0.0) + v
    return total

