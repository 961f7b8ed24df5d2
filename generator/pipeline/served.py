"""Simulate -> backfill -> serve: the one pipeline check, the alert proof, the promtool test
generator and the benchmarks use.

Each dataset (a scenario spec, a seed and a window) is simulated, its OpenMetrics written to a
file and backfilled with promtool in a background thread while the next one simulates; all
blocks then go into one TSDB served by a private Prometheus on 127.0.0.1. Windows of several
datasets served together must not overlap by more than Prometheus' 5 m lookback (`staggered`).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from generator.config import Config
from generator.pipeline.openmetrics import write_openmetrics
from generator.pipeline.spec import ScenarioSpec
from generator.pipeline.timings import Timings
from generator.prometheus import server
from generator.prometheus.client import Client

# A fixed window end (2024-11-27T00:00:00Z, a multiple of every interval used) keeps every
# proof reproducible and aligns subquery steps the same way promtool's epoch 0 does.
END_TS = 1_732_665_600
# Between staggered windows: longer than Prometheus' 5 m lookback, so a query over one
# scenario's window never sees another scenario's samples.
GAP_SECONDS = 900

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Dataset:
    """One simulated window: the scenario, the seed, (end_ts - duration, end_ts] and when the
    fault starts (seconds into the window; ignored by a healthy run)."""

    scenario: ScenarioSpec
    seed: int
    duration_seconds: int
    end_ts: int = END_TS
    fault_start_seconds: int = 1800

    @property
    def label(self) -> str:
        return f"{self.scenario} seed {self.seed}"


@dataclass(frozen=True)
class ScenarioRun:
    """One served dataset: its window, header, ground truth and Loki push body."""

    key: str  # the spec's text, without the era when it is the configured one
    spec: ScenarioSpec
    era: str
    start: int
    end: int
    header: dict[str, Any]
    truth: list[dict[str, Any]]
    # Loki's push API body: the streams the shipping method labels, [ns, line] values.
    push: dict[str, Any] = field(default_factory=dict)

    @property
    def streams(self) -> list[tuple[dict[str, str], list[str]]]:
        """(stream labels, log lines) per Loki stream."""
        return [(dict(s["stream"]), [line for _, line in s["values"]]) for s in self.push.get("streams", [])]

    def truth_at(self, ts: float) -> dict[str, Any]:
        """The last truth sample at or before ts."""
        index = int((ts - self.start) // self.header["scrape_interval"])
        return self.truth[max(0, min(index, len(self.truth) - 1))]


@dataclass(frozen=True)
class Served:
    """A running Prometheus and the datasets it serves, in the order asked for."""

    url: str
    runs: list[ScenarioRun]

    def client(self, timeout: float = 300.0) -> Client:
        return Client(self.url, timeout=timeout)


def staggered(specs: Sequence[ScenarioSpec], *, end_ts: int, duration_seconds: int, seed: int,
              step: int) -> list[Dataset]:
    """Datasets for these specs in back-to-back windows ending at end_ts, GAP_SECONDS apart."""
    end = end_ts // step * step
    return [Dataset(spec, seed, duration_seconds, end - i * (duration_seconds + GAP_SECONDS))
            for i, spec in enumerate(specs)]


def simulate(dataset: Dataset, config: Config):  # -> generator.sim.SimResult
    """Run the simulator for a dataset (the spec's era, else the configured one)."""
    from generator.sim import run

    spec = dataset.scenario
    return run(spec.faults, config, end_ts=dataset.end_ts, duration_seconds=dataset.duration_seconds,
               seed=dataset.seed, era=spec.era or config.era, fault_start_seconds=dataset.fault_start_seconds,
               fault_duration_seconds=spec.hold_seconds)


def _prepare(dataset: Dataset, config: Config, om: Path, families: frozenset[str] | None, aligned: bool,
             timings: Timings) -> ScenarioRun:
    started = time.perf_counter()
    result = simulate(dataset, config)
    timings.simulate += time.perf_counter() - started
    started = time.perf_counter()
    timings.bytes_written += write_openmetrics(result.openmetrics(aligned=aligned), om, families)
    timings.write += time.perf_counter() - started
    spec = dataset.scenario
    era = spec.era or config.era
    return ScenarioRun(spec.label(config.era), spec, era, dataset.end_ts - dataset.duration_seconds,
                       dataset.end_ts, result.header, result.truth, result.loki_push())


def _backfill(om: Path, blocks: Path, timings: Timings) -> None:
    started = time.perf_counter()
    server.backfill(om, blocks)
    om.unlink()
    timings.backfill += time.perf_counter() - started


@contextlib.contextmanager
def served(datasets: Sequence[Dataset], config: Config, *, families: frozenset[str] | None = None,
           aligned: bool = False, timings: Timings | None = None,
           progress: Progress | None = None) -> Iterator[Served]:
    """A private Prometheus serving these datasets; everything is removed on exit.

    `families`: write only these OpenMetrics families (None: all). Samples carry each
    replica's scrape offset (as real scrapes do) unless `aligned`: promtool unit tests can only
    feed samples on their interval grid.
    """
    timings = timings if timings is not None else Timings()
    say = progress or (lambda _: None)
    with tempfile.TemporaryDirectory(prefix="dashgen-pipeline-") as tmp:
        work, data_dir = Path(tmp), Path(tmp) / "data"
        data_dir.mkdir()
        runs: list[ScenarioRun] = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as backfiller:
            pending = []
            for index, dataset in enumerate(datasets):
                om = work / f"{index}.om"
                run = _prepare(dataset, config, om, families, aligned, timings)
                say(f"simulated {run.key} ({dataset.duration_seconds // 60} min)")
                runs.append(run)
                pending.append(backfiller.submit(_backfill, om, data_dir, timings))
            for future in pending:
                future.result()
        say(f"backfilled {len(runs)} scenario windows")
        started = time.perf_counter()
        with server.running(data_dir) as prom:
            timings.start += time.perf_counter() - started
            yield Served(prom.url, runs)
