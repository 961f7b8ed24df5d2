"""Shared helpers for the simulator tests: cached runs and a small OpenMetrics reader."""

from __future__ import annotations

import contextlib
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from generator.config import Config
from generator.pipeline.cache import DEFAULT_DIR, Cache, entry_key
from generator.sim import SimResult, build_options, run

ROOT = Path(__file__).resolve().parents[2]

# A fixed window end (2024-11-27T00:00:00Z) keeps every test run reproducible.
END = 1_732_665_600
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
_CACHE: dict[Any, SimResult] = {}
# Windows the simulator tests share (a 20-minute warm-up, then the fault), shortest first: a test
# takes the shortest that holds what it asserts, so tests of one scenario share one run.
# An instant fault (burst, replica-restart, runaway-client) is judged over its first 10 minutes
# (INSTANT_SPAN): 15 minutes of it. The runaway client's fleet grows by ~250 instances at the
# onset, so each simulated minute after it costs several healthy ones (80 minutes took 40-170 s).
INSTANT_WINDOW = {"duration_seconds": 2100, "fault_start_seconds": 1200}
RUNAWAY_WINDOW = INSTANT_WINDOW
# Faults of up to 40 minutes, whole, in one hour (the log tests' window).
HOUR_WINDOW = {"duration_seconds": 3600, "fault_start_seconds": 1200}
# Longer faults (stuck-orchestrations holds 45 minutes), whole, plus recovery.
LONG_WINDOW = {"duration_seconds": 4800, "fault_start_seconds": 1200}


def window_for(*scenarios: str) -> dict[str, int]:
    """The shortest shared window that holds the 20-minute warm-up and every fault whole."""
    from generator.sim.scenarios import INSTANT_SPAN, SCENARIOS

    faults = [n for n in scenarios if n != "healthy"]
    if not faults:  # healthy's signature holds over the whole window: the longest cheap one
        return HOUR_WINDOW
    need = max(SCENARIOS[n].duration or INSTANT_SPAN for n in faults)
    for candidate in (INSTANT_WINDOW, HOUR_WINDOW, LONG_WINDOW):
        if candidate["fault_start_seconds"] + need <= candidate["duration_seconds"] - 300:
            return candidate
    raise ValueError(f"no shared window holds {scenarios}")


def simulate(scenarios: Sequence[str] = ("healthy",), **options: Any) -> SimResult:
    """A run shared by every test that asks for the same simulation (runs are deterministic):
    keyed by the validated simulator options (so `era="E2"` and the default era are one run),
    kept in memory for this process and in the dataset cache (.dashgen/cache/, keyed by the
    simulator's code too) for other processes: xdist workers, the next session."""
    # A test that names no window gets HOUR_WINDOW's (the simulator's own default fault start is
    # 30 minutes): its healthy and fault runs are then the ones the log and scenario tests make.
    settings = {"seed": 7, "end_ts": END, **HOUR_WINDOW, **options}
    config = Config()
    key = repr(build_options(config, scenarios=tuple(scenarios), **settings))
    if key not in _CACHE:
        _CACHE[key] = _stored(key, lambda: run(scenarios, config, **settings))
    return _CACHE[key]


class _Clock:
    """A finished run's clock: its recorder only reads it while simulating (a picklable stand-in
    for the engine's closure)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _stored(options: str, make: Callable[[], SimResult]) -> SimResult:
    cache = Cache(ROOT / DEFAULT_DIR)
    key = entry_key({"test-sim-result": options})
    with cache.building([key]):  # another worker making the same run: wait for it, then read it
        data = cache.get_file(key, "result.pickle")
        if data is not None:
            with contextlib.suppress(Exception):  # an unreadable entry is simulated again
                return pickle.loads(data)  # our own cache directory, written below
        result = make()
        for replica in result.recorder.replicas:
            replica.clock = _Clock(replica.clock())
        cache.put_file(key, "result.pickle", pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result


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
