"""Simulated datasets for alert proofs: simulate, stream the OpenMetrics the rules read to a
temporary file, backfill it with promtool and serve it from a private Prometheus.

Only the metric families the rules select are written: a selector matches series of its own
metric name only, so the rules' results are identical, and a 24 h run backfills in seconds
instead of minutes (duroxide's unbounded continue_as_new execution_id series, which no rule
reads, make up most of a long run's bytes).
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from generator.config import Config
from generator.prometheus.client import Client
from generator.prometheus.server import backfill, running
from generator.alerting.rulefiles import ProofError
from generator.sim import SCENARIOS, SimResult, SimulationError, parse_duration, run

# A fixed window end (2024-11-27T00:00:00Z, a multiple of every interval used) keeps every
# proof reproducible and aligns subquery steps the same way promtool's epoch 0 does.
END_TS = 1_732_665_600
_SUFFIXES = ("_bucket", "_count", "_sum", "_total")
_FLUSH_BYTES = 1 << 22


def parse_scenario(text: str) -> tuple[tuple[str, ...], int | None]:
    """A fires_in entry: scenario names composed with "+", optionally "@<duration>" to hold
    the fault that long ("database-down@150m"); unknown names are an error."""
    names, _, length = text.partition("@")
    parts = tuple(names.split("+"))
    unknown = [p for p in parts if p not in SCENARIOS]
    if unknown:
        raise ProofError(f"fires_in names unknown scenario {unknown[0]!r} (known: {', '.join(SCENARIOS)})")
    try:
        return parts, parse_duration(length, "fires_in duration") if length else None
    except SimulationError as exc:
        raise ProofError(f"fires_in entry {text!r}: {exc}") from None


@dataclass(frozen=True)
class DatasetSpec:
    """One simulated run: a scenario (healthy, a fault, faults composed as "a+b", optionally
    held "@<duration>"), a seed and its window."""

    scenario: str
    seed: int
    duration_seconds: int
    fault_start_seconds: int = 1800
    end_ts: int = END_TS

    @property
    def label(self) -> str:
        return f"{self.scenario} seed {self.seed}"


@dataclass
class Timings:
    """Wall-clock seconds per phase (for the report's progress lines and the benchmark)."""

    simulate: float = 0.0
    write: float = 0.0
    backfill: float = 0.0
    start: float = 0.0
    queries: float = 0.0
    logql: float = 0.0
    bytes_written: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    def add(self, other: "Timings") -> None:
        for name in ("simulate", "write", "backfill", "start", "queries", "logql"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.bytes_written += other.bytes_written


def families_for(metric_names: Iterable[str]) -> frozenset[str]:
    """OpenMetrics family names that hold the given series names (counter families drop
    _total; histogram/summary families hold _bucket, _count and _sum)."""
    out: set[str] = set()
    for name in metric_names:
        out.add(name)
        for suffix in _SUFFIXES:
            if name.endswith(suffix):
                out.add(name[: -len(suffix)])
    return frozenset(out)


def _family_of(chunk: str) -> str | None:
    """The family a chunk opens (`# HELP`/`# TYPE` header chunk), else None."""
    if not chunk.startswith("# "):
        return None
    for line in chunk.splitlines():
        if line.startswith("# TYPE "):
            return line.split(" ", 3)[2]
    return None


def write_openmetrics(chunks: Iterable[str], path: Path, families: frozenset[str] | None) -> int:
    """Stream the chunks to `path`, keeping only `families` (None: all); returns bytes written."""
    keep = True
    written = 0
    buffer: list[str] = []
    size = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for chunk in chunks:
            if chunk.startswith("# EOF"):
                keep = True
            else:
                family = _family_of(chunk)
                if family is not None:
                    keep = families is None or family in families
            if not keep:
                continue
            buffer.append(chunk)
            size += len(chunk)
            if size >= _FLUSH_BYTES:
                fh.write("".join(buffer))
                written += size
                buffer, size = [], 0
        fh.write("".join(buffer))
        written += size
    return written


def simulate(spec: DatasetSpec, config: Config) -> SimResult:
    """Run the simulator for a dataset (a healthy run ignores the fault start)."""
    names, length = parse_scenario(spec.scenario)
    return run(names, config, end_ts=spec.end_ts, duration_seconds=spec.duration_seconds, seed=spec.seed,
               fault_start_seconds=spec.fault_start_seconds, fault_duration_seconds=length)


@contextlib.contextmanager
def served(result: SimResult, families: frozenset[str] | None, timings: Timings, *,
           aligned: bool = False) -> Iterator[Client]:
    """Backfill a finished run into a temporary TSDB and serve it; everything is removed after.

    Samples carry each replica's scrape offset (as real scrapes do) unless `aligned`: promtool
    unit tests can only feed samples on their interval grid, so their data is aligned.
    """
    with tempfile.TemporaryDirectory(prefix="dashgen-alerts-") as tmp:
        om = Path(tmp) / "metrics.om"
        started = time.perf_counter()
        timings.bytes_written += write_openmetrics(result.openmetrics(aligned=aligned), om, families)
        timings.write += time.perf_counter() - started
        started = time.perf_counter()
        backfill(om, Path(tmp) / "data")
        om.unlink()
        timings.backfill += time.perf_counter() - started
        started = time.perf_counter()
        with running(Path(tmp) / "data") as server:
            timings.start += time.perf_counter() - started
            yield Client(server.url, timeout=300.0)
