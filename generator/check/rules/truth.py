"""query/truth: a panel that declares what it measures agrees with the simulation's ground truth."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Iterable

from generator.pipeline import ScenarioRun
from generator.check.evaluate import Result, Window
from generator.check.measures import Measure
from generator.check.model import OnlineRule, TargetResults
from generator.check.expectations import known_deviation
from generator.problems import Problem, Severity

# A point-wise gauge may disagree at this share of instants (scrape jitter, restarts).
POINT_FAILURE_SHARE = 0.1
DOUBLE = (1.8, 2.2)


@dataclass(frozen=True)
class Verdict:
    """One comparison: the panel's figure, the truth's, and whether they agree."""

    key: str
    panel: float
    truth: float
    ok: bool
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.panel / self.truth if self.truth else float("inf") if self.panel else 1.0


def grid(window: Window) -> list[float]:
    start = window.start + (-window.start) % window.interval
    return [start + i * window.interval for i in range(int((window.end - start) // window.interval) + 1)]


def _panel(result: Result, label: str) -> dict[str, dict[float, float]]:
    """Panel values per series key (all summed when the measure is not per label)."""
    out: dict[str, dict[float, float]] = {}
    for series in result.series:
        key = series.labels.get(label, "") if label else ""
        bucket = out.setdefault(key, {})
        for t, v in series.samples:
            bucket[t] = bucket.get(t, 0.0) + v
    return out


def _truth(measure: Measure, run: ScenarioRun, t: float, window: float) -> dict[str, float]:
    value = measure.truth(run, t, window)
    if value is None:
        return {}
    return {k: float(v) for k, v in value.items()} if isinstance(value, dict) else {"": float(value)}


def compare(measure: Measure, result: Result, run: ScenarioRun, window: Window) -> list[Verdict]:
    """Per series key: does the panel agree with the truth under the measure's mode?"""
    width = measure.window or window.rate_interval
    times = grid(window)
    panel = _panel(result, measure.series_label)
    truth = {t: _truth(measure, run, t, width) for t in times}
    keys = {k for values in truth.values() for k in values}
    if measure.mode != "median":
        keys |= set(panel)  # a quantile series without enough truth samples is not judged
    verdicts = []
    for key in sorted(keys):
        series = panel.get(key, {})
        if measure.mode == "point":
            verdicts.append(_point(measure, key, series, truth, times, run, width))
        else:
            verdicts.append(_aggregate(measure, key, series, truth, times, run.era))
    return [v for v in verdicts if v is not None]


def _point(measure: Measure, key: str, series: dict[float, float], truth: dict[float, dict[str, float]],
           times: list[float], run: ScenarioRun, width: float) -> Verdict:
    bad, worst = 0, (0.0, 0.0, 0.0)
    checked = 0
    for t in times:
        if t not in series or key not in truth[t]:
            continue
        lagged = [truth[t][key]] + [v for v in (_truth(measure, run, t - d, width).get(key) for d in
                                                 range(int(run.header["scrape_interval"]), int(measure.lag) + 1,
                                                       int(run.header["scrape_interval"]))) if v is not None]
        low, high = min(lagged), max(lagged)
        tol = measure.tolerance(truth[t][key], run.era)
        checked += 1
        if not low - tol <= series[t] <= high + tol:
            bad += 1
            if abs(series[t] - truth[t][key]) >= abs(worst[1] - worst[2]):
                worst = (t, series[t], truth[t][key])
    panel_mid = statistics.median(series.values()) if series else 0.0
    truth_mid = statistics.median([truth[t][key] for t in times if key in truth[t]] or [0.0])
    ok = checked == 0 or bad <= POINT_FAILURE_SHARE * checked
    note = f"{bad} of {checked} instants off; worst {worst[1]:g} vs truth {worst[2]:g}" if bad else ""
    return Verdict(key, panel_mid, truth_mid, ok, note)


def _aggregate(measure: Measure, key: str, series: dict[float, float], truth: dict[float, dict[str, float]],
               times: list[float], era: str) -> Verdict:
    if measure.mode == "mean":
        points = times if measure.missing_is_zero else [t for t in times if t in series]
        if not points:
            return Verdict(key, 0.0, 0.0, True)
        panel = sum(series.get(t, 0.0) for t in points) / len(points)
        known = [truth[t].get(key, 0.0) for t in points if truth[t]]
        expected = sum(known) / len(known) if known else 0.0
    else:  # median of the non-zero points: quantile panels read 0 when a window saw nothing
        values = [v for v in series.values() if v > 0]
        panel = statistics.median(values) if values else 0.0
        known = [truth[t][key] for t in times if key in truth[t] and truth[t][key] > 0]
        expected = statistics.median(known) if known else 0.0
        if not values or not known:
            return Verdict(key, panel, expected, True)
    return Verdict(key, panel, expected, abs(panel - expected) <= measure.tolerance(expected, era))


def is_double(verdicts: list[Verdict]) -> bool:
    wrong = [v for v in verdicts if not v.ok and v.truth]
    return bool(wrong) and all(DOUBLE[0] <= v.ratio <= DOUBLE[1] for v in wrong)


class Truth(OnlineRule):
    id = "query/truth"
    description = "A panel that declares what it measures agrees with the ground truth within the stated tolerance."
    needs_truth = True

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        if tr.measure is None:
            return
        for result in tr.results:
            run, window = tr.runs.get(result.scenario), tr.windows.get(result.scenario)
            if run is None or window is None or result.empty:
                continue
            verdicts = compare(tr.measure, result, run, window)
            wrong = [v for v in verdicts if not v.ok]
            if not wrong or is_double(verdicts):
                continue  # agreement, or query/double-count's finding
            first = wrong[0]
            label = f" {tr.measure.series_label}={first.key}" if first.key else ""
            more = f" (+{len(wrong) - 1} more series)" if len(wrong) > 1 else ""
            message = (f"shows {first.panel:.4g} but the truth ({tr.measure.description}{label}) is {first.truth:.4g} "
                       f"in {result.scenario} [{tr.measure.mode}; tolerance ±{tr.measure.tolerance(first.truth, run.era):.3g}]{more}")
            known = known_deviation(tr.measure.name, run.spec.faults, run.era)
            if known:
                yield self.problem(tr, f"{message}; known duroxide limitation: {known}", Severity.WARNING, first.note)
                continue
            yield self.problem(tr, message, details=first.note)
            return


RULE = Truth()
