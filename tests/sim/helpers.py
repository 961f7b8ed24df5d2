"""Shared helpers for the simulator tests: cached runs and a small OpenMetrics reader."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from generator.config import Config
from generator.sim import SimResult, run

# A fixed window end (2024-11-27T00:00:00Z) keeps every test run reproducible.
END = 1_732_665_600
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
_CACHE: dict[Any, SimResult] = {}


def simulate(scenarios: Sequence[str] = ("healthy",), **options: Any) -> SimResult:
    """A run cached per arguments (runs are deterministic, so sharing them is safe)."""
    settings = {"duration_seconds": 3600, "seed": 7, **options}
    key = (tuple(scenarios), tuple(sorted(settings.items())))
    if key not in _CACHE:
        _CACHE[key] = run(scenarios, Config(), end_ts=END, **settings)
    return _CACHE[key]


@dataclass(frozen=True)
class Series:
    name: str
    labels: dict[str, str]
    samples: list[tuple[int, float]]

    @property
    def first(self) -> float:
        return self.samples[0][1]

    @property
    def last(self) -> float:
        return self.samples[-1][1]

    def at(self, ts: int) -> float | None:
        for t, v in self.samples:
            if t == ts:
                return v
        return None


def read_openmetrics(text: Iterable[str], *names: str) -> list[Series]:
    """Series of the given sample names (exact or prefix ending in '_'), in file order."""
    wanted = tuple(names)
    found: dict[str, Series] = {}
    for chunk in text:
        for line in chunk.splitlines():
            if not line or line.startswith("#") or (wanted and not line.startswith(wanted)):
                continue
            head, value, ts = line.rsplit(" ", 2)
            series = found.get(head)
            if series is None:
                name, _, rest = head.partition("{")
                if wanted and name not in wanted and not any(w.endswith("_") and name.startswith(w) for w in wanted):
                    continue
                series = found[head] = Series(name, dict(_LABEL.findall(rest)), [])
            series.samples.append((float(ts) if "." in ts else int(ts), float(value)))
    return list(found.values())


def metrics(result: SimResult, *names: str) -> list[Series]:
    return read_openmetrics(result.openmetrics(aligned=True), *names)


def select(series: Iterable[Series], **labels: str | None) -> list[Series]:
    """Series whose labels match; a None value means "label absent"."""
    out = []
    for s in series:
        if all((s.labels.get(k) is None) if v is None else s.labels.get(k) == v for k, v in labels.items()):
            out.append(s)
    return out


def delta(series: Iterable[Series], start: int) -> float:
    """Increase over the window of counters from one uninterrupted process (a series that
    appears after the window start counts from zero)."""
    return sum(s.last - (s.first if s.samples[0][0] == start else 0.0) for s in series)


def truth_delta(result: SimResult, get: Any) -> float:
    return get(result.truth[-1]) - get(result.truth[0])
