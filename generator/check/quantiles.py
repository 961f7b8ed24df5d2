"""Quantile panels against the truth: a quantile estimated from n observations lies, with
3-sigma confidence, between the true quantiles at the probabilities where Binomial(n, u) reaches
its rank (the exact order-statistic bound), widened outward to the truth's own observations and,
in E1, to histogram bucket edges (see compare.py and docs/check.md)."""

from __future__ import annotations

import functools
import math
import statistics
from typing import Any

from generator.catalogue import BY_NAME
from generator.check.measures import Measure
from generator.check.verdict import Verdict
from generator.pipeline import ScenarioRun


def _at(grid_values: list[Any], p: float) -> float:
    p = min(1.0, max(0.0, p))
    pos = p * (len(grid_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(grid_values) - 1)
    return float(grid_values[lo]) + (float(grid_values[hi]) - float(grid_values[lo])) * (pos - lo)


def _bucket(measure: Measure, value: float, upper: bool) -> float:
    bounds = (0.0, *BY_NAME[measure.histogram].buckets)
    for low, high in zip(bounds, bounds[1:]):
        if low <= value <= high:
            return high if upper else low
    return value if not upper else math.inf


# Two-sided 3-sigma: the chance that a correct panel's quantile falls outside its bounds.
ALPHA = 0.0027


def _at_least(n: int, r: int, u: float) -> float:
    """P(Binomial(n, u) >= r): the chance that the r-th smallest of n observations is <= Q(u)."""
    if u <= 0.0:
        return 0.0 if r > 0 else 1.0
    if u >= 1.0:
        return 1.0
    if n > 400:  # normal approximation with continuity correction
        mean, sd = n * u, math.sqrt(n * u * (1 - u))
        return 0.5 * math.erfc((r - 0.5 - mean) / (sd * math.sqrt(2)))
    log_u, log_v = math.log(u), math.log1p(-u)
    return min(1.0, sum(math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                                 + k * log_u + (n - k) * log_v) for k in range(r, n + 1)))


@functools.lru_cache(maxsize=None)
def _solve(n: int, r: int, target: float) -> float:
    """The probability u at which P(Binomial(n, u) >= r) = target (bisection; it rises with u)."""
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if _at_least(n, r, mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def quantile_bounds(measure: Measure, count: int, grid_values: list[Any], era: str) -> tuple[float, float, float]:
    """(low, truth, high) for a quantile estimated from the panel's share of `count` observations:
    the r-th smallest of n (r = ceil(p n), as the exporter picks it) lies between the true
    quantiles at the probabilities where Binomial(n, u) >= r has chance 1 - ALPHA/2 and ALPHA/2."""
    share = dict(measure.quantile_share).get(era, 1.0)
    n = max(1, int(count * share))
    r = max(1, math.ceil(measure.quantile * n))
    u_low, u_high = sorted((_solve(n, r, 1 - ALPHA / 2), _solve(n, r, ALPHA / 2)))
    # The panel shows one of the truth's own observations: widen each bound outward to the
    # order statistic it falls between, then to the grid point beyond it.
    if count > 1:
        u_low = math.floor(u_low * (count - 1)) / (count - 1)
        u_high = math.ceil(u_high * (count - 1)) / (count - 1)
    else:
        u_low, u_high = 0.0, 1.0
    last = len(grid_values) - 1
    low = float(grid_values[math.floor(u_low * last + 1e-9)])
    high = float(grid_values[min(last, math.ceil(u_high * last - 1e-9))])
    if measure.resolution:
        # Recorded floored to the exporter's resolution: the lower bound floors with it.
        low = math.floor(low / measure.resolution + 1e-9) * measure.resolution
    if measure.histogram and era == "E1":
        low, high = _bucket(measure, low, upper=False), _bucket(measure, high, upper=True)
    return low, _at(grid_values, measure.quantile), high


def _slowest(measure: Measure, era: str, counts: dict[str, int],
             bounds: dict[str, tuple[float, float, float]]) -> tuple[float, float, float]:
    """One figure over several truths (the slowest operation's quantile). The upper bound is the
    max of every series' upper bound. The lower bound counts only the series the panel's window
    surely holds: one with n observations in the truth's window has none in the panel's share of
    it with chance (1 - share)^n, and an empty E2 summary renders 0, so a rare operation
    (cleanup every 300 s, a few renewals) may be absent from the max at a correct panel."""
    share = dict(measure.quantile_share).get(era, 1.0)
    sure = [k for k, n in counts.items() if (1.0 - share) ** n <= ALPHA / 2] or list(bounds)
    return (max(bounds[k][0] for k in sure), max(bounds[k][1] for k in sure), max(b[2] for b in bounds.values()))


def compare_quantile(measure: Measure, panel: dict[str, dict[float, float]], run: ScenarioRun,
              times: list[float]) -> list[Verdict]:
    """At the instants where the panel shows a value and the truth has observations, the panel
    must lie within that instant's bounds at more than half of them (no more than half above,
    no more than half below): the median of the panel's deviation from its bounds is zero."""
    assert measure.latencies is not None
    paired: dict[str, list[tuple[float, float, float, float]]] = {}
    for t in times:
        present = {k for k, values in panel.items() if values.get(t, 0.0) > 0}
        if not present:
            continue
        entries = measure.latencies(run.truth_at(t))
        bounds = {k: quantile_bounds(measure, n, g, run.era) for k, (n, g) in entries.items() if n > 0}
        if not measure.series_label and bounds:
            bounds = {"": _slowest(measure, run.era, {k: entries[k][0] for k in bounds}, bounds)}
        for key in present & set(bounds):
            low, truth, high = bounds[key]
            paired.setdefault(key, []).append((panel[key][t], low, truth, high))
    verdicts = []
    for key, rows in sorted(paired.items()):
        mid = statistics.median(r[0] for r in rows)
        low = statistics.median(r[1] for r in rows)
        truth = statistics.median(r[2] for r in rows)
        high = statistics.median(r[3] for r in rows)
        # Each instant against its own bounds: the truth moves (a fault slows a call 20x), and a
        # median of the panel's values beside a median of the bounds compares different instants
        # (the panel's 40-60 s summary turns at onset while the truth's 5-minute window lags).
        above = sum(1 for value, _, _, hi in rows if value > hi + 1e-9)
        below = sum(1 for value, lo, _, _ in rows if value < lo - 1e-9)
        ok = 2 * above < len(rows) and 2 * below < len(rows)
        side = f"{above} above" if 2 * above >= len(rows) else f"{below} below"
        verdicts.append(Verdict(key, mid, truth, ok, len(rows), low, high,
                                "" if ok else f"{side} their bounds at {len(rows)} instants (median {mid:.4g}, "
                                              f"median bounds [{low:.4g}, {high:.4g}])"))
    if not verdicts:
        verdicts.append(Verdict("", 0.0, 0.0, False, 0,
                                note="no instant where the panel shows a value and the truth has observations"))
    return verdicts
