"""Prometheus' alerting-rule evaluation emulated over backfilled history.

Prometheus evaluates rules only in real time, so a proof over simulated history range-queries
the rule's expression at step = the group's evaluation interval (the same values an instant
query at each of those times returns) and then applies the `for` state machine of
rules/alerting.go per label set: pending from the first evaluation that returns the label set,
firing once it has been continuously present for at least `for`, gone (resolved) at the first
evaluation that does not return it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from generator.prometheus.client import Client

LabelSet = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Firing:
    """One alert instance (label set): when it went pending, fired and resolved (None: never)."""

    labels: LabelSet
    active_at: float
    fired_at: float | None
    resolved_at: float | None
    # The expression's value at the first firing evaluation ($value in the annotations).
    value: float | None = None


@dataclass(frozen=True)
class Timeline:
    """A rule evaluated at every evaluation instant of a window."""

    rule: str
    evaluated_by: str
    start: float
    end: float
    interval: float
    firings: tuple[Firing, ...]

    def fired(self) -> list[Firing]:
        return [f for f in self.firings if f.fired_at is not None]

    def first_fired_at(self, after: float = float("-inf")) -> float | None:
        """The first firing time at or after `after` (None if the rule never fired then)."""
        times = [f.fired_at for f in self.firings if f.fired_at is not None and f.fired_at >= after]
        return min(times, default=None)


def label_set(labels: Mapping[str, str]) -> LabelSet:
    """An alert's identity: the sample's labels without __name__ (Prometheus drops it)."""
    return tuple(sorted((k, v) for k, v in labels.items() if k != "__name__"))


def evaluation_times(start: float, end: float, interval: float) -> list[float]:
    """Evaluation instants: multiples of the interval in [start, end] (a rule group's ticks)."""
    first = -(-start // interval) * interval
    count = int((end - first) // interval) + 1
    return [first + i * interval for i in range(max(count, 0))]


def apply_for(present: Mapping[LabelSet, Mapping[float, float]], times: Sequence[float],
              hold_seconds: float) -> list[Firing]:
    """The `for` state machine over evaluation instants; `present` maps a label set to the
    {time: value} of the evaluations whose result contained it."""
    firings: list[Firing] = []
    for labels in sorted(present):
        values = present[labels]
        active_at: float | None = None
        fired_at: float | None = None
        fired_value: float | None = None
        for t in times:
            if t in values:
                if active_at is None:
                    active_at = t
                if fired_at is None and t - active_at >= hold_seconds:
                    fired_at, fired_value = t, values[t]
            elif active_at is not None:
                firings.append(Firing(labels, active_at, fired_at, t, fired_value))
                active_at = fired_at = fired_value = None
        if active_at is not None:
            firings.append(Firing(labels, active_at, fired_at, None, fired_value))
    firings.sort(key=lambda f: (f.active_at, f.labels))
    return firings


def collect(series: Iterable[tuple[Mapping[str, str], Iterable[tuple[float, float]]]]
            ) -> dict[LabelSet, dict[float, float]]:
    """Group result samples by alert label set (a label set can come from several series)."""
    present: dict[LabelSet, dict[float, float]] = {}
    for labels, samples in series:
        target = present.setdefault(label_set(labels), {})
        for t, v in samples:
            target[float(t)] = float(v)
    return present


def evaluate_promql(client: Client, name: str, expr: str, hold_seconds: float, start: float, end: float,
                    interval: float) -> Timeline:
    """Evaluate an alerting rule's expression over [start, end] on a real Prometheus."""
    times = evaluation_times(start, end, interval)
    if not times:
        return Timeline(name, "prometheus", start, end, interval, ())
    result = client.query_range(expr, times[0], times[-1], interval)
    present = collect((s.labels, s.samples) for s in result)
    return Timeline(name, "prometheus", times[0], times[-1], interval,
                    tuple(apply_for(present, times, hold_seconds)))
