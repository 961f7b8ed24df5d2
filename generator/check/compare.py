"""Compare a panel's values with the ground truth, within bounds derived from the truth's own
event counts and from how the query samples them (nothing here is fitted to a seed).

* gauge: the panel at instant t shows a sample scraped at most one interval before the last
  successful scrape at or before t, holding the store's value at the last gauge poll (E2:
  every 60 s) before it. Every instant must lie within the extremes the truth took over that
  span (tracked after every simulated event); the active gauge only falls between polls (new
  instances appear at the next poll), so its lower bound also subtracts the instances
  activated in the span. No instant may be off.
* rate: for every event inside the window, the mean over the query grid of rate(x[w]) counts
  it with the same weight as the true rate does (Prometheus extrapolates the sampled part of
  the window to its edges). What it cannot count: events within one window of the grid's ends,
  and events of a series born (or reborn after a process restart) inside the window, which
  rate() sees only from its second sample on. Those events, counted from the truth, bound the
  difference of the means; when the grid step does not divide the sampled span, each event's
  weight also varies with its phase, which adds a Poisson term: 3 sqrt(events) x that spread.
* ratio: at every instant the query's window sees the true events minus those in its
  unsampled edges (one scrape interval at each end) and minus hidden births; the ratio of what
  remains is bounded exactly from the good and bad events in those parts. No instant may be off.
* quantile: a quantile estimated from n observations (the r-th smallest, r = ceil(p n)) lies,
  with 3-sigma confidence, between the true quantiles at the probabilities u where
  P(Binomial(n, u) >= r) is 1 - 0.00135 and 0.00135 (the exact order-statistic bound); n is the
  panel's share of the truth's 5-minute count (E2 summaries keep 40-60 s). In E1,
  histogram_quantile can only place it within its bucket. Over the instants where the panel
  shows a value, its median must lie within the medians of those bounds.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any, Sequence

from generator.catalogue import BY_NAME
from generator.pipeline import ScenarioRun
from generator.check.evaluate import Result, Window
from generator.check.measures import Measure
from generator.prometheus.client import Series

Z = 3.0  # the confidence of every statistical bound: 3 sigma
# E2 (duroxide >= 0.1.18) re-reads the gauges from the store this often (the reference, M:714-758).
GAUGE_POLL_SECONDS = 60.0
DOUBLE = (1.8, 2.2)


@dataclass(frozen=True)
class Verdict:
    """One comparison: the panel's figure, the truth's, the bounds, and how many instants."""

    key: str
    panel: float
    truth: float
    ok: bool
    compared: int
    low: float = 0.0
    high: float = 0.0
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.panel / self.truth if self.truth else float("inf") if self.panel else 1.0


def grid(window: Window) -> list[float]:
    """The instants a range query returns (Window.start is aligned to the step, as Grafana does)."""
    return [window.start + i * window.interval for i in range(int((window.end - window.start) // window.interval) + 1)]


def panel_values(series: Sequence[Series], label: str, per_series: bool = False) -> dict[str, dict[float, float]]:
    """Panel values per series key (all summed when the measure is not per label)."""
    out: dict[str, dict[float, float]] = {}
    for index, s in enumerate(series):
        key = str(index) if per_series else s.labels.get(label, "") if label else ""
        bucket = out.setdefault(key, {})
        for t, v in s.samples:
            if not math.isnan(v):
                bucket[t] = bucket.get(t, 0.0) + v
    return out


def compare(measure: Measure, result: Result, run: ScenarioRun, window: Window) -> list[Verdict]:
    """Per series key: does the panel agree with the truth within the derived bounds?"""
    times = grid(window)
    panel = panel_values(result.series, measure.series_label, measure.per_series)
    if measure.kind == "gauge":
        return [_gauge(measure, key, values, run, times) for key, values in sorted(panel.items())] or \
            [Verdict("", 0.0, 0.0, False, 0, note="no series")]
    if measure.kind == "rate":
        return _rate(measure, panel, run, window, times)
    if measure.kind == "ratio":
        return _ratio(measure, panel, run, window, times)
    return _quantile(measure, panel, run, times)


# -- gauges -------------------------------------------------------------------------------------

def _gauge(measure: Measure, key: str, values: dict[float, float], run: ScenarioRun,
           times: list[float]) -> Verdict:
    interval = float(run.header["scrape_interval"])
    poll = GAUGE_POLL_SECONDS if measure.polled and run.era == "E2" else 0.0
    bad, checked, worst = 0, 0, (0.0, 0.0, 0.0, 0.0)
    lows, highs = [], []
    for t in times:
        if t not in values:
            continue
        scraped = _last_scrape(run, t)
        if scraped is None:
            continue  # nothing scraped in the lookback: a value here is stale by Prometheus' rules
        low, high = _extremes(run, measure.gauge, scraped - interval - poll, scraped)
        if measure.only_falls and poll:
            low -= _activations(run, scraped - 2 * interval - poll, scraped)
        checked += 1
        lows.append(low)
        highs.append(high)
        v = values[t]
        if not low <= v <= high:
            bad += 1
            miss = low - v if v < low else v - high
            if miss >= worst[3]:
                worst = (t, v, low, miss)
    panel_mid = statistics.median(values.values()) if values else 0.0
    truth_mid = statistics.median([_truth_value(run, measure.gauge, t) for t in times])
    note = (f"{bad} of {checked} instants outside the truth's range; worst {worst[1]:g} at {worst[0]:.0f} "
            f"vs [{worst[2]:g}, {worst[2] + 0 if worst[1] < worst[2] else worst[1] - worst[3]:g}]") if bad else ""
    if not checked:
        note = "0 instants compared: the panel's points never fall on an instant the truth knows"
    low = statistics.median(lows) if lows else 0.0
    high = statistics.median(highs) if highs else 0.0
    return Verdict(key, panel_mid, truth_mid, checked > 0 and bad == 0, checked, low, high, note)


def _truth_value(run: ScenarioRun, field: str, t: float) -> float:
    sample = run.truth_at(t)
    return float(sample[field]["total"] if field == "active" else sample[field])


def _activations(run: ScenarioRun, since: float, until: float) -> float:
    """Instances whose first turn was processed in (since, until]: the in-flight count's rise
    plus the instances that ended (succeeded or failed) meanwhile."""
    def ended(sample: dict[str, Any]) -> float:
        return float(sum(v.get("success", 0) + v.get("failed", 0) for v in sample["orchestrations"].values()))
    a, b = run.truth_at(since), run.truth_at(until)
    return max(0.0, float(b["active"]["total"] - a["active"]["total"]) + ended(b) - ended(a))


def _last_scrape(run: ScenarioRun, t: float) -> float | None:
    """The last truth instant at or before t whose scrape reached a process (5 m lookback)."""
    interval = float(run.header["scrape_interval"])
    s = t - (t - run.start) % interval
    while s >= max(run.start, t - 300):
        if run.truth_at(s).get("targets_scraped", 1):
            return s
        s -= interval
    return None


def _extremes(run: ScenarioRun, field: str, since: float, until: float) -> tuple[float, float]:
    """Min and max of a gauge quantity over (since - interval, until] (tracked per event)."""
    interval = float(run.header["scrape_interval"])
    low, high = math.inf, -math.inf
    s = until
    while s >= since:
        sample = run.truth_at(s)
        span = (sample.get("range") or {}).get(field)
        lo, hi = span if span else (_truth_value(run, field, s),) * 2
        low, high = min(low, lo), max(high, hi)
        s -= interval
    return float(low), float(high)


# -- rates --------------------------------------------------------------------------------------

def _leaf_deltas(measure: Measure, run: ScenarioRun, a: float, b: float) -> dict[tuple[str, str], float]:
    """True events per (series key, leaf) in (a, b]."""
    assert measure.counts is not None
    now, before = measure.counts(run.truth_at(b)), measure.counts(run.truth_at(a))
    return {k: v - before.get(k, 0.0) for k, v in now.items()}


def _hidden(measure: Measure, run: ScenarioRun, start: float, end: float, width: float) -> dict[str, float]:
    """Per series key: events rate() may not see in [start - width, end]: those of a series'
    first rate window after it first counts (a birth: rate() sees a series from its second
    sample), and of every window around a process restart (all series reborn)."""
    assert measure.counts is not None
    interval = float(run.header["scrape_interval"])
    spans: list[tuple[float, float]] = []
    births: dict[tuple[str, str], float] = {}
    base = measure.counts(run.truth_at(start - width))
    restarts = 0
    for sample in run.truth:
        ts = float(sample["ts"])
        if ts < start - width or ts > end:
            continue
        for leaf, value in measure.counts(sample).items():
            if leaf not in births and value > base.get(leaf, 0.0):
                births[leaf] = ts
        if sample.get("replica_restarts", 0) > restarts:
            restarts = sample["replica_restarts"]
            up = next((float(s["ts"]) for s in run.truth if s["ts"] >= ts and s.get("replicas_up", 1) >=
                       run.header.get("replicas", 1)), end)
            spans.append((ts - 2 * interval, up + width + interval))
    out: dict[str, float] = {}
    for leaf, born in births.items():
        windows = [(born - interval, born + width + interval), *spans]
        count = 0.0
        for a, b in _union(windows):
            count += _leaf_deltas(measure, run, max(a, start - width), min(b, end)).get(leaf, 0.0)
        out[leaf[0]] = out.get(leaf[0], 0.0) + count
    return out


def _union(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _rate(measure: Measure, panel: dict[str, dict[float, float]], run: ScenarioRun, window: Window,
          times: list[float]) -> list[Verdict]:
    width = measure.window or window.rate_interval
    interval = float(run.header["scrape_interval"])
    step = window.interval
    start, end = times[0], times[-1]
    truth = {t: measure.truth_rate(run, t, width) for t in times}
    keys = sorted({k for values in truth.values() for k in values if values[k]} | set(panel))
    totals: dict[str, float] = {}
    edges: dict[str, float] = {}
    for (key, _), n in _leaf_deltas(measure, run, start - width, end).items():
        totals[key] = totals.get(key, 0.0) + n
    for a, b in ((start - width, start + width), (end - width, end)):
        for (key, _), n in _leaf_deltas(measure, run, a, b).items():
            edges[key] = edges.get(key, 0.0) + n
    hidden = _hidden(measure, run, start, end, width)
    # Each event's weight in the panel's sum: k or k+1 sampled windows of the grid (k = the
    # sampled span / step) times the extrapolation w / span; in the truth's: w / step / w.
    span = width - interval
    weights = [math.floor(span / step) * width / span / width, math.ceil(span / step) * width / span / width]
    spread = max(abs(w - 1 / step) for w in weights) if span > 0 else 1 / step
    verdicts = []
    for key in keys:
        values = panel.get(key, {})
        shown = sum(values.get(t, 0.0) for t in times) / len(times)
        expected = sum(truth[t].get(key, 0.0) for t in times) / len(times)
        events = totals.get(key, 0.0)
        tolerance = ((edges.get(key, 0.0) + hidden.get(key, 0.0)) / step
                     + Z * math.sqrt(events) * spread) / len(times)
        ok = abs(shown - expected) <= tolerance + 1e-12
        note = (f"mean over {len(times)} instants; {events:.0f} events, {edges.get(key, 0.0):.0f} within a window "
                f"of the ends, {hidden.get(key, 0.0):.0f} hidden by series births/restarts")
        verdicts.append(Verdict(key, shown, expected, ok, len(times), expected - tolerance, expected + tolerance,
                                "" if ok else note))
    return verdicts


# -- ratios -------------------------------------------------------------------------------------

def _split(measure: Measure, run: ScenarioRun, a: float, b: float) -> tuple[float, float]:
    """(good, bad) true events in (a, b]."""
    assert measure.counts is not None and measure.good is not None
    total = sum(_leaf_deltas(measure, run, a, b).values())
    now, before = measure.good(run.truth_at(b)), measure.good(run.truth_at(a))
    good = sum(v - before.get(k, 0.0) for k, v in now.items())
    return good, total - good


def _ratio(measure: Measure, panel: dict[str, dict[float, float]], run: ScenarioRun, window: Window,
           times: list[float]) -> list[Verdict]:
    width = measure.window or window.rate_interval
    interval = float(run.header["scrape_interval"])
    values = panel.get("", {})
    hidden = _hidden_spans(measure, run, times[0], times[-1], width)
    bad_points, checked, worst = 0, 0, ""
    shown, expected = [], []
    for t in times:
        good, bad = _split(measure, run, t - width, t)
        if good + bad <= 0:
            continue
        # Unseen: the unsampled edges of the window and hidden births/restarts inside it.
        unseen_good, unseen_bad = 0.0, 0.0
        for a, b in _union([(t - width, t - width + interval), (t - interval, t),
                            *[(max(a, t - width), min(b, t)) for a, b in hidden if a < t and b > t - width]]):
            g, x = _split(measure, run, a, b)
            unseen_good, unseen_bad = unseen_good + g, unseen_bad + x
        low = (good - unseen_good) / (good - unseen_good + bad) if good - unseen_good + bad > 0 else 0.0
        high = good / (good + bad - unseen_bad) if good + bad - unseen_bad > 0 else 1.0
        truth = good / (good + bad)
        expected.append(truth)
        if t not in values:
            if good + bad - unseen_good - unseen_bad > 0:
                checked += 1
                bad_points += 1
                worst = worst or f"no value at {t:.0f} where {good + bad:.0f} events happened in the window"
            continue
        checked += 1
        shown.append(values[t])
        if not low - 1e-9 <= values[t] <= high + 1e-9:
            bad_points += 1
            if not worst:
                worst = f"first at {t:.0f}: {values[t]:.4g} outside [{low:.4g}, {high:.4g}] (truth {truth:.4g})"
    ok = checked > 0 and bad_points == 0
    note = f"{bad_points} of {checked} instants outside the bounds; {worst}" if bad_points else \
        ("" if checked else "0 instants compared")
    return [Verdict("", statistics.median(shown) if shown else 0.0,
                    statistics.median(expected) if expected else 0.0, ok, checked, note=note)]


def _hidden_spans(measure: Measure, run: ScenarioRun, start: float, end: float,
                  width: float) -> list[tuple[float, float]]:
    """Where rate() may miss events: each leaf's first window after its birth, and restarts."""
    assert measure.counts is not None
    interval = float(run.header["scrape_interval"])
    base = measure.counts(run.truth_at(start - width))
    seen: set[tuple[str, str]] = set()
    spans: list[tuple[float, float]] = []
    restarts = 0
    for sample in run.truth:
        ts = float(sample["ts"])
        if ts < start - width or ts > end:
            continue
        for leaf, value in measure.counts(sample).items():
            if leaf not in seen and value > base.get(leaf, 0.0):
                seen.add(leaf)
                spans.append((ts - interval, ts + width + interval))
        if sample.get("replica_restarts", 0) > restarts:
            restarts = sample["replica_restarts"]
            spans.append((ts - 2 * interval, ts + 300 + width))
    return _union(spans)


# -- quantiles ----------------------------------------------------------------------------------

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
    if measure.histogram and era == "E1":
        low, high = _bucket(measure, low, upper=False), _bucket(measure, high, upper=True)
    return low, _at(grid_values, measure.quantile), high


def _quantile(measure: Measure, panel: dict[str, dict[float, float]], run: ScenarioRun,
              times: list[float]) -> list[Verdict]:
    """Median over the instants where the panel shows a value and the truth has observations."""
    assert measure.latencies is not None
    paired: dict[str, list[tuple[float, float, float, float]]] = {}
    for t in times:
        present = {k for k, values in panel.items() if values.get(t, 0.0) > 0}
        if not present:
            continue
        entries = measure.latencies(run.truth_at(t))
        bounds = {k: quantile_bounds(measure, n, g, run.era) for k, (n, g) in entries.items() if n > 0}
        if not measure.series_label and bounds:
            # one figure over several truths (the slowest operation): the max of each bound
            bounds = {"": (max(b[0] for b in bounds.values()), max(b[1] for b in bounds.values()),
                           max(b[2] for b in bounds.values()))}
        for key in present & set(bounds):
            low, truth, high = bounds[key]
            paired.setdefault(key, []).append((panel[key][t], low, truth, high))
    verdicts = []
    for key, rows in sorted(paired.items()):
        mid = statistics.median(r[0] for r in rows)
        low = statistics.median(r[1] for r in rows)
        truth = statistics.median(r[2] for r in rows)
        high = statistics.median(r[3] for r in rows)
        ok = low - 1e-9 <= mid <= high + 1e-9
        verdicts.append(Verdict(key, mid, truth, ok, len(rows), low, high,
                                "" if ok else f"median {mid:.4g} over {len(rows)} instants outside [{low:.4g}, {high:.4g}]"))
    if not verdicts:
        verdicts.append(Verdict("", 0.0, 0.0, False, 0,
                                note="no instant where the panel shows a value and the truth has observations"))
    return verdicts


def is_double(verdicts: list[Verdict]) -> bool:
    wrong = [v for v in verdicts if not v.ok and v.truth]
    return bool(wrong) and all(DOUBLE[0] <= v.ratio <= DOUBLE[1] for v in wrong)


def truth_values(measure: Measure, run: ScenarioRun, window: Window) -> list[float]:
    """The truth at the instants of the grid a panel can show it (summed over series keys), for
    telling whether it varies."""
    times = grid(window)
    width = measure.window or window.rate_interval
    if measure.kind == "gauge":
        return [_truth_value(run, measure.gauge, t) for t in times]
    # Rates and ratios: only the instants whose window rate() can see whole (no series birth
    # or restart in it): a single event of a newborn series is invisible to any rate() panel.
    hidden = _hidden_spans(measure, run, times[0], times[-1], width) if measure.kind in ("rate", "ratio") else []
    times = [t for t in times if not any(a < t and b > t - width for a, b in hidden)]
    if not times:
        return []
    if measure.kind == "rate":
        return [sum(measure.truth_rate(run, t, width).values()) for t in times]
    if measure.kind == "ratio":
        out = []
        for t in times:
            good, bad = _split(measure, run, t - width, t)
            if good + bad > 0:
                out.append(good / (good + bad))
        return out
    assert measure.latencies is not None
    out = []
    for t in times:
        entries = measure.latencies(run.truth_at(t))
        bounds = [quantile_bounds(measure, n, g, run.era)[1] for n, g in entries.values() if n > 0]
        if bounds:
            out.append(max(bounds))
    return out
