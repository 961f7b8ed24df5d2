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
  remains is bounded from the good and bad events in those parts, each side extrapolated by
  between 1 and window / sampled span, and a series born or reborn in the window (seen from its
  second sample on) by up to 3.2 (two samples one interval apart, extrapolated 1.1 intervals
  beyond each end, as Prometheus does). No instant may be off.
* quantile: a quantile estimated from n observations (the r-th smallest, r = ceil(p n)) lies,
  with 3-sigma confidence, between the true quantiles at the probabilities u where
  P(Binomial(n, u) >= r) is 1 - 0.00135 and 0.00135 (the exact order-statistic bound); n is the
  panel's share of the truth's 5-minute count (E2 summaries keep 40-60 s). In E1,
  histogram_quantile can only place it within its bucket. Over the instants where the panel
  shows a value, its median must lie within the medians of those bounds.
"""

from __future__ import annotations

import math
import re
import statistics
from typing import Any, Sequence

from generator.pipeline import ScenarioRun
from generator.check.evaluate import Result, Window
from generator.check.measures import Measure
from generator.check.quantiles import compare_quantile, quantile_bounds
from generator.check.verdict import Verdict
from generator.parsers.literals import parse_duration
from generator.prometheus.client import Series

Z = 3.0  # the confidence of every statistical bound: 3 sigma
# E2 (duroxide >= 0.1.18) re-reads the gauges from the store this often (the reference, M:714-758).
GAUGE_POLL_SECONDS = 60.0
DOUBLE = (1.8, 2.2)
# The most Prometheus' rate() extrapolates a series seen in only two samples one interval apart
# (extrapolatedRate: up to 1.1 sample intervals beyond each end): (1 + 2 x 1.1) x its increase.
YOUNG_EXTRAPOLATION = 1.0 + 2 * 1.1


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
        held = _over_time_window(result.query.text if result.query is not None else "")
        return [_gauge(measure, key, values, run, times, held) for key, values in sorted(panel.items())] or \
            [Verdict("", 0.0, 0.0, False, 0, note="no series")]
    if measure.kind == "rate":
        return _rate(measure, panel, run, window, times)
    if measure.kind == "ratio":
        return _ratio(measure, panel, run, window, times)
    return compare_quantile(measure, panel, run, times)


# -- gauges -------------------------------------------------------------------------------------

def _over_time_window(query: str) -> float:
    """The longest `<agg>_over_time(...[w])` window in the query: a panel that takes e.g. the max
    over the last minute may show any sample of it (0 when it reads the latest sample)."""
    windows = [parse_duration(w) for w in re.findall(r"_over_time\s*\([^\[]*\[(\w+)", query)]
    return float(max(windows, default=0.0))


def _gauge(measure: Measure, key: str, values: dict[float, float], run: ScenarioRun,
           times: list[float], held: float = 0.0) -> Verdict:
    interval = float(run.header["scrape_interval"])
    poll = (GAUGE_POLL_SECONDS if measure.polled and run.era == "E2" else 0.0) + held
    bad, checked, worst = 0, 0, (0.0, 0.0, 0.0, 0.0)
    lows, highs = [], []
    for t in times:
        if t not in values:
            continue
        scraped = _last_scrape(run, t)
        if scraped is None:
            continue  # nothing scraped in the lookback: a value here is stale by Prometheus' rules
        # While no scrape reaches a process (the exporter down), the panel shows the last sample,
        # stamped at its replica's scrape offset: up to one interval after the last truth instant
        # that was scraped, when the outage began between that instant and the sample.
        until = scraped if scraped >= t else min(t, scraped + interval)
        low, high = _extremes(run, measure.gauge, scraped - interval - poll, until)
        if measure.only_falls and poll:
            low -= _activations(run, scraped - 2 * interval - poll, until)
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


def _births_and_restarts(measure: Measure, run: ScenarioRun, start: float,
                         end: float, width: float) -> tuple[dict[tuple[str, str], list[float]], list[tuple[float, float]]]:
    """Where rate() may miss events in [start - width, end]: the instants each leaf's series is
    born (at its first increment, and again at its first increment after each process restart:
    a restart drops every series, and rate() sees a series from its second sample on), the span
    around each restart until a window after the process is up, and every span no scrape
    reached a process (the exporter down): no window holds samples on both sides of a gap
    longer than itself, so the events in it are never rated."""
    assert measure.counts is not None
    interval = float(run.header["scrape_interval"])
    since = dict(measure.counts(run.truth_at(start - width)))
    births: dict[tuple[str, str], list[float]] = {}
    born: set[tuple[str, str]] = set()
    restarts: list[tuple[float, float]] = []
    seen_restarts = run.truth_at(start - width).get("replica_restarts", 0)
    gap_from: float | None = None
    for sample in run.truth:
        ts = float(sample["ts"])
        if ts < start - width or ts > end:
            continue
        if not sample.get("targets_scraped", 1):
            gap_from = ts if gap_from is None else gap_from
        elif gap_from is not None:
            restarts.append((gap_from - 2 * interval, ts + width + interval))
            gap_from = None
        counts = measure.counts(sample)
        for leaf, value in counts.items():
            if leaf not in born and value > since.get(leaf, 0.0):
                births.setdefault(leaf, []).append(ts)
                born.add(leaf)
        if sample.get("replica_restarts", 0) > seen_restarts:
            seen_restarts = sample["replica_restarts"]
            up = next((float(s["ts"]) for s in run.truth if s["ts"] >= ts and s.get("replicas_up", 1) >=
                       run.header.get("replicas", 1)), end)
            restarts.append((ts - 2 * interval, up + width + interval))
            # Every series is reborn at its next increment.
            since, born = dict(counts), set()
    if gap_from is not None:
        restarts.append((gap_from - 2 * interval, end))
    return births, restarts


def _hidden(measure: Measure, run: ScenarioRun, start: float, end: float, width: float) -> dict[str, float]:
    """Per series key: the events of a leaf in its first window after each birth, or around a restart."""
    interval = float(run.header["scrape_interval"])
    births, restarts = _births_and_restarts(measure, run, start, end, width)
    leaves = {leaf for leaf in measure.counts(run.truth_at(end))} if measure.counts else set()
    out: dict[str, float] = {}
    for leaf in leaves:
        spans = list(restarts) + [(t - interval, t + width + interval) for t in births.get(leaf, ())]
        for a, b in _union(spans):
            n = _leaf_deltas(measure, run, max(a, start - width), min(b, end)).get(leaf, 0.0)
            out[leaf[0]] = out.get(leaf[0], 0.0) + n
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
    clamped = _clamped(measure, run, times, width, interval)
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
        tolerance = ((edges.get(key, 0.0) + hidden.get(key, 0.0)) / step + clamped.get(key, 0.0)
                     + Z * math.sqrt(events) * spread) / len(times)
        ok = abs(shown - expected) <= tolerance + 1e-12
        note = (f"mean over {len(times)} instants; {events:.0f} events, {edges.get(key, 0.0):.0f} within a window "
                f"of the ends, {hidden.get(key, 0.0):.0f} hidden by series births/restarts")
        verdicts.append(Verdict(key, shown, expected, ok, len(times), expected - tolerance, expected + tolerance,
                                "" if ok else note))
    return verdicts


def _clamped(measure: Measure, run: ScenarioRun, times: list[float], width: float,
             interval: float) -> dict[str, float]:
    """Per series key: the rate Prometheus may not extrapolate, summed over the instants.

    rate() extrapolates a series' sampled increase to the window's start only as far as the
    counter would stay >= 0 (its first sample's value over the increase per second): a burst on
    a small counter loses up to `interval / span` of its increase. The truth's count since the
    window start is a lower bound of the counter's value, so this flags every instant where the
    clamp could bite and counts the most it could take."""
    assert measure.counts is not None
    span = width - interval
    base = measure.counts(run.truth_at(run.start))
    out: dict[str, float] = {}
    for t in times:
        before, now = measure.counts(run.truth_at(t - width)), measure.counts(run.truth_at(t))
        for leaf, value in now.items():
            increase = value - before.get(leaf, 0.0)
            first = before.get(leaf, 0.0) - base.get(leaf, 0.0)
            if increase > 0 and span > 0 and first * span / increase < interval:
                out[leaf[0]] = out.get(leaf[0], 0.0) + increase * interval / span / width
    return out


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
    spread = width / (width - interval) if width > interval else 1.0
    bad_points, checked, worst = 0, 0, ""
    shown, expected = [], []
    for t in times:
        good, bad = _split(measure, run, t - width, t)
        if good + bad <= 0:
            continue
        # Unseen: the unsampled edges of the window and hidden births/restarts inside it.
        unseen_good, unseen_bad = 0.0, 0.0
        inside = [(max(a, t - width), min(b, t)) for a, b in hidden if a < t and b > t - width]
        for a, b in _union([(t - width, t - width + interval), (t - interval, t), *inside]):
            g, x = _split(measure, run, a, b)
            unseen_good, unseen_bad = unseen_good + g, unseen_bad + x
        # Young series (born or reborn in the window) may be seen from their second sample on,
        # and then extrapolated by up to YOUNG_EXTRAPOLATION.
        young_good, young_bad = 0.0, 0.0
        for a, b in _union(inside):
            g, x = _split(measure, run, a, b)
            young_good, young_bad = young_good + g, young_bad + x
        extra = max(0.0, YOUNG_EXTRAPOLATION - spread)
        # Each series' increase is extrapolated on its own, by between 1 (clamped at zero) and
        # the window over its sampled span: the good and the bad side may differ by that factor.
        seen_good = good - unseen_good
        low = seen_good / (seen_good + bad * spread + young_bad * extra) if seen_good + bad > 0 else 0.0
        top = good * spread + young_good * extra
        high = top / (top + bad - unseen_bad) if good + bad - unseen_bad > 0 else 1.0
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
    """Where rate() may miss events of any leaf: each birth's first window, and restarts."""
    interval = float(run.header["scrape_interval"])
    births, restarts = _births_and_restarts(measure, run, start, end, width)
    return _union([(t - interval, t + width + interval) for times in births.values() for t in times] + restarts)


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
