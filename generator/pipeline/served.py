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
import functools
import multiprocessing
import os
import pickle
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from generator.config import Config
from generator.pipeline.cache import Cache, entry_key
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
    # The truth also keeps latency quantile grids (`dashgen check` bounds quantile panels with them).
    truth_grids: bool = False

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

    @functools.cached_property
    def log_lines(self) -> list[Any]:
        """Every line with the catalogue event the simulator recorded for it (check's log truth).
        Built once per run: check proves each LogQL target against every run's lines."""
        from generator.check.log_truth import lines_of

        return lines_of(self.push)

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


def _slots(specs: Sequence[ScenarioSpec], default_era: str) -> list[int]:
    """Each spec's window slot: fixed for a plain scenario in either era (its place in the
    scenario list), so the same spec gets the same window, hence the same cache entry, whichever
    other specs are checked with it; composed or held specs take the slots after those."""
    from generator.sim.scenarios import SCENARIOS

    names = list(SCENARIOS)
    fixed = len(names) * 2
    slots, extra = [], fixed
    for spec in specs:
        if len(spec.faults) == 1 and spec.hold_seconds is None and spec.faults[0] in names:
            era = 0 if (spec.era or default_era) == "E2" else 1
            slots.append(era * len(names) + names.index(spec.faults[0]))
        else:
            slots.append(extra)
            extra += 1
    return slots


def staggered(specs: Sequence[ScenarioSpec], *, end_ts: int, duration_seconds: int, seed: int,
              step: int, default_era: str = "E2", truth_grids: bool = False) -> list[Dataset]:
    """Datasets for these specs in windows ending at end_ts and before it, GAP_SECONDS apart,
    one fixed slot per plain scenario (so windows never overlap and repeat runs hit the cache)."""
    end = end_ts // step * step
    return [Dataset(spec, seed, duration_seconds, end - slot * (duration_seconds + GAP_SECONDS),
                    truth_grids=truth_grids)
            for spec, slot in zip(specs, _slots(specs, default_era))]


def simulate(dataset: Dataset, config: Config):  # -> generator.sim.SimResult
    """Run the simulator for a dataset (the spec's era, else the configured one)."""
    from generator.sim import run

    spec = dataset.scenario
    return run(spec.faults, config, end_ts=dataset.end_ts, duration_seconds=dataset.duration_seconds,
               seed=dataset.seed, era=spec.era or config.era, fault_start_seconds=dataset.fault_start_seconds,
               fault_duration_seconds=spec.hold_seconds, truth_grids=dataset.truth_grids)


def sim_options(dataset: Dataset, config: Config):  # -> generator.sim.SimOptions
    """The validated simulator options a dataset runs with (what the cache key hashes)."""
    from generator.sim import build_options

    spec = dataset.scenario
    return build_options(config, scenarios=spec.faults, end_ts=dataset.end_ts,
                         duration_seconds=dataset.duration_seconds, seed=dataset.seed, era=spec.era or config.era,
                         fault_start_seconds=dataset.fault_start_seconds, fault_duration_seconds=spec.hold_seconds,
                         truth_grids=dataset.truth_grids)


def dataset_key(dataset: Dataset, config: Config, families: frozenset[str] | None, aligned: bool) -> str:
    """The cache key: the simulator's code, every simulator option, and how it was exported."""
    return entry_key({"options": sim_options(dataset, config), "families": families, "aligned": aligned})


def _record(run: ScenarioRun) -> dict[str, Any]:
    return {"spec": str(run.spec), "era": run.era, "start": run.start, "end": run.end, "header": run.header,
            "truth": run.truth, "push": run.push}


def _from_record(record: dict[str, Any], config: Config) -> ScenarioRun:
    spec = ScenarioSpec.parse(record["spec"])
    return ScenarioRun(spec.label(config.era), spec, record["era"], int(record["start"]), int(record["end"]),
                       record["header"], record["truth"], record["push"])


def _prepare(dataset: Dataset, config: Config, om: Path, families: frozenset[str] | None,
             aligned: bool) -> tuple[ScenarioRun | bytes, Timings]:
    """Simulate one dataset and write its OpenMetrics to `om` (runs in a worker process):
    continued from its shared prefix in a forked copy when one was simulated for it."""
    from generator.sim import prefix as shared

    options = sim_options(dataset, config)
    prefix = _PREFIXES.get(shared.prefix_key(options))
    if prefix is not None and shared.fits(prefix, options):
        # The run comes back pickled once, as bytes (not re-pickled on its way through this worker).
        return shared.in_fork(prefix, options, functools.partial(_finish_pickled, dataset, config, om, families,
                                                                 aligned, time.perf_counter()))
    return _finish(dataset, config, om, families, aligned, time.perf_counter(), simulate(dataset, config))


def _finish_pickled(*args: Any) -> tuple[bytes, Timings]:
    run, timings = _finish(*args)
    return pickle.dumps(run, pickle.HIGHEST_PROTOCOL), timings


def _finish(dataset: Dataset, config: Config, om: Path, families: frozenset[str] | None, aligned: bool,
            started: float, result: Any) -> tuple[ScenarioRun, Timings]:
    """Write a simulated dataset's OpenMetrics to `om`; its run and what each step took."""
    timings = Timings()
    timings.simulate += time.perf_counter() - started
    started = time.perf_counter()
    timings.bytes_written += write_openmetrics(result.openmetrics(aligned=aligned), om, families)
    timings.write += time.perf_counter() - started
    spec = dataset.scenario
    era = spec.era or config.era
    run = ScenarioRun(spec.label(config.era), spec, era, dataset.end_ts - dataset.duration_seconds,
                      dataset.end_ts, result.header, result.truth, result.loki_push(with_events=True))
    return run, timings


# Shared healthy prefixes (generator.sim.prefix) of the datasets being simulated: set before the
# worker pool forks, so every worker holds an unconsumed copy and forks again per dataset.
_PREFIXES: dict[Any, Any] = {}
# fork() carries the prefixes into the workers (and is what the pool used before on Linux).
_FORK = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None


def _share_prefixes(options: Sequence[Any]) -> float:
    """Simulate, here, the prefix of every group of two or more datasets that share one;
    returns the seconds it took."""
    from generator.sim import prefix as shared

    _PREFIXES.clear()
    if _FORK is None:
        return 0.0
    counts: dict[Any, int] = {}
    for o in options:
        key = shared.prefix_key(o)
        if key is not None and shared.fits_reservation(o):
            counts[key] = counts.get(key, 0) + 1
    started = time.perf_counter()
    for key, count in counts.items():
        if count > 1:
            _PREFIXES[key] = shared.simulate_prefix(key)
    return time.perf_counter() - started


# How much longer than a healthy window a scenario's window takes to simulate (about; only the
# order datasets start in depends on it): the runaway client and the burst grow the fleet.
_RELATIVE_COST = {"runaway-client": 8.0, "burst": 3.0, "queue-backlog": 2.0}


def _cost(dataset: Dataset) -> float:
    return dataset.duration_seconds * max(_RELATIVE_COST.get(f, 1.0) for f in dataset.scenario.faults)


def _workers(misses: int) -> int:
    """Datasets simulated at once: one per core (the backfill thread waits on promtool)."""
    return max(1, min(misses, os.cpu_count() or 1))


def _backfill(om: Path, blocks: Path, data_dir: Path, timings: Timings, cache: Cache, key: str,
              run: ScenarioRun) -> None:
    """promtool into this dataset's own block directory, store it in the cache, then move its
    blocks into the served TSDB."""
    started = time.perf_counter()
    server.backfill(om, blocks)
    om.unlink()
    timings.backfill += time.perf_counter() - started
    cache.put(key, _record(run), blocks)
    for block in blocks.iterdir():
        block.rename(data_dir / block.name)


@contextlib.contextmanager
def served(datasets: Sequence[Dataset], config: Config, *, families: frozenset[str] | None = None,
           aligned: bool = False, timings: Timings | None = None,
           progress: Progress | None = None, cache: Cache | None = None) -> Iterator[Served]:
    """A private Prometheus serving these datasets; everything is removed on exit.

    `families`: write only these OpenMetrics families (None: all). Samples carry each
    replica's scrape offset (as real scrapes do) unless `aligned`: promtool unit tests can only
    feed samples on their interval grid. `cache`: where simulated datasets are reused from and
    stored (default .dashgen/cache/; `Cache(None)` bypasses it).
    """
    timings = timings if timings is not None else Timings()
    cache = cache if cache is not None else Cache()
    say = progress or (lambda _: None)
    with tempfile.TemporaryDirectory(prefix="dashgen-pipeline-") as tmp:
        work, data_dir = Path(tmp), Path(tmp) / "data"
        data_dir.mkdir()
        runs: list[ScenarioRun | None] = [None] * len(datasets)
        keys = [dataset_key(dataset, config, families, aligned) for dataset in datasets]

        def lookup(todo: list[tuple[int, Dataset, str]]) -> list[tuple[int, Dataset, str]]:
            misses = []
            for index, dataset, key in todo:
                record = cache.get(key, data_dir)
                if record is None:
                    misses.append((index, dataset, key))
                    continue
                runs[index] = _from_record(record, config)
                timings.cache_hits += 1
                say(f"cached {runs[index].key} ({dataset.duration_seconds // 60} min)")  # type: ignore[union-attr]
            return misses

        misses = lookup([(index, dataset, keys[index]) for index, dataset in enumerate(datasets)])
        # Another run (a parallel test worker, a second check) may be making the same entries:
        # wait for it under a lock per key, then take what it stored instead of simulating again.
        with cache.building([key for _, _, key in misses]):
            misses = lookup(misses)
            timings.cache_misses += len(misses)
            _simulate(misses, config, families, aligned, work, data_dir, runs, timings, say, cache)
        started = time.perf_counter()
        with server.running(data_dir) as prom:
            timings.start += time.perf_counter() - started
            yield Served(prom.url, [run for run in runs if run is not None])


def _simulate(misses: list[tuple[int, Dataset, str]], config: Config, families: frozenset[str] | None,
              aligned: bool, work: Path, data_dir: Path, runs: list[ScenarioRun | None], timings: Timings,
              say: Progress, cache: Cache) -> None:
    """Simulate the missing datasets (one per core), backfill each as the next simulates, and
    store each in the cache."""
    started = time.perf_counter()
    workers = _workers(len(misses))
    if workers > 1:
        # Before the pool forks its workers, so each inherits them.
        timings.simulate += _share_prefixes([sim_options(dataset, config) for _, dataset, _ in misses])
    pool: contextlib.AbstractContextManager[Any] = (
        concurrent.futures.ProcessPoolExecutor(workers, mp_context=_FORK) if workers > 1 else contextlib.nullcontext())
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as backfiller, pool as simulators:
            args = [(dataset, config, work / f"{index}.om", families, aligned) for index, dataset, _ in misses]
            if simulators is not None:
                # Longest first, taken as each finishes: the longest run does not start last and
                # hold up the phase's end, and each run's backfill starts as soon as it is written.
                order = sorted(range(len(misses)), key=lambda n: -_cost(misses[n][1]))
                futures = {simulators.submit(_prepare, *args[n]): n for n in order}
                finished: Iterator[tuple[int, Any]] = (
                    (futures[f], f) for f in concurrent.futures.as_completed(futures))
            else:
                finished = ((n, None) for n in range(len(misses)))
            pending = []
            for n, future in finished:
                index, dataset, key = misses[n]
                # Inline (one worker): simulate here, so the backfill thread overlaps the next one.
                made, spent = future.result() if future is not None else _prepare(*args[n])
                run = pickle.loads(made) if isinstance(made, bytes) else made
                timings.simulate += spent.simulate
                timings.write += spent.write
                timings.bytes_written += spent.bytes_written
                runs[index] = run
                say(f"simulated {run.key} ({dataset.duration_seconds // 60} min)")
                pending.append(backfiller.submit(_backfill, work / f"{index}.om", work / f"blocks-{index}",
                                                 data_dir, timings, cache, key, run))
            timings.simulate_wall += time.perf_counter() - started
            for done in pending:
                done.result()
    finally:
        _PREFIXES.clear()  # the workers hold their copies; this process needs none
    if misses:
        say(f"backfilled {len(misses)} scenario windows ({workers} simulating at once)")
