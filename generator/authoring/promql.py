"""PromQL string builders with the house rules built in: the job matcher on every selector,
`$__rate_interval` windows, histogram_quantile over `sum by (le, ...)`, the E2 duplicate guard."""

from __future__ import annotations

from typing import Sequence

from generator.catalogue import E2_DUPLICATES
from generator.config import Config

RATE_WINDOW = "$__rate_interval"


def selector(config: Config, metric: str, *matchers: str) -> str:
    """`metric{job=~"$job", ...}`; adds `<label>!=""` on metrics with E2 duplicate series."""
    parts = [config.job_matcher]
    base = metric.removesuffix("_bucket").removesuffix("_sum").removesuffix("_count")
    guard_label = E2_DUPLICATES.get(metric) or E2_DUPLICATES.get(base)
    if guard_label and not any(m.startswith(f"{guard_label}!=") for m in matchers):
        # E2 also records a copy without this label: without the guard a sum counts twice.
        parts.append(f'{guard_label}!=""')
    parts.extend(matchers)
    return f"{metric}{{{', '.join(parts)}}}"


def rate(config: Config, metric: str, *matchers: str, window: str = RATE_WINDOW) -> str:
    return f"rate({selector(config, metric, *matchers)}[{window}])"


def increase(config: Config, metric: str, *matchers: str, window: str = RATE_WINDOW) -> str:
    return f"increase({selector(config, metric, *matchers)}[{window}])"


def by(labels: Sequence[str]) -> str:
    return f" by ({', '.join(labels)})" if labels else ""


def sum_of(expr: str, labels: Sequence[str] = ()) -> str:
    """`sum by (labels) (expr)`."""
    grouping = f" by ({', '.join(labels)})" if labels else ""
    return f"sum{grouping} ({expr})"


def sum_rate(config: Config, metric: str, *matchers: str, labels: Sequence[str] = (),
             window: str = RATE_WINDOW) -> str:
    return sum_of(rate(config, metric, *matchers, window=window), labels)


def quantile(config: Config, q: float, histogram: str, *matchers: str,
             labels: Sequence[str] = (), window: str = RATE_WINDOW) -> str:
    """A latency quantile that works in both duroxide eras.

    E1 exports real histograms: histogram_quantile over buckets summed by `le` (never over raw
    series). E2's exporter renders them as summaries (no _bucket series): per-process quantiles
    over a 60 s rolling window, which cannot be aggregated exactly; their max across processes
    is an upper bound. `or` takes whichever exists.
    """
    grouping = ("le",) + tuple(labels)
    inner = sum_of(rate(config, f"{histogram}_bucket", *matchers, window=window), grouping)
    summary = selector(config, histogram, *matchers, f'quantile="{q:g}"')
    return f"(histogram_quantile({q:g}, {inner}) or max{by(labels)} ({summary}))"


def ratio(numerator: str, denominator: str) -> str:
    """A ratio of sums that is empty (not NaN) when the denominator is zero."""
    return f"{numerator} / ({denominator} > 0)"
