"""Simulated datasets for checks: each scenario simulated in its own time window, backfilled
into one TSDB with promtool (overlapping the next simulation), then served by one Prometheus.

Windows are staggered back from now with gaps longer than Prometheus' 5 m lookback, so a
query over one scenario's window never sees another scenario's samples.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from generator.config import Config
from generator.prometheus import server
from generator.check.log_truth import LogLine
from generator.sim import SimResult, run as simulate
from generator.sim.logs import format_line, stream_labels

GAP_SECONDS = 900


@dataclass(frozen=True)
class ScenarioRun:
    """One scenario's window, its ground truth and its log lines."""

    key: str  # scenario name, with "@E1" when run in the other era
    era: str
    start: int
    end: int
    header: dict[str, Any]
    truth: list[dict[str, Any]]
    # Loki streams as the shipping method labels them: (stream labels, log lines).
    streams: list[tuple[dict[str, str], list[str]]]
    # Every line with the catalogue event it is (the truth log panels are compared with).
    log_lines: tuple[LogLine, ...] = ()

    def truth_at(self, ts: float) -> dict[str, Any]:
        """The last truth sample at or before ts."""
        index = int((ts - self.start) // self.header["scrape_interval"])
        return self.truth[max(0, min(index, len(self.truth) - 1))]


@dataclass
class Timings:
    simulate: float = 0.0
    backfill: float = 0.0
    start: float = 0.0
    queries: float = 0.0
    rules: float = 0.0


def _key(name: str, era: str, default_era: str) -> str:
    return name if era == default_era else f"{name}@{era}"


def _prepare(spec: tuple[str, str], end_ts: int, config: Config, duration: int, seed: int,
             workdir: Path, timings: Timings) -> tuple[ScenarioRun, Path]:
    name, era = spec
    started = time.perf_counter()
    result = simulate([name], config, end_ts=end_ts, duration_seconds=duration, seed=seed, era=era)
    path = workdir / f"{name}-{era}.om"
    with open(path, "w", encoding="utf-8") as handle:
        for chunk in result.openmetrics():
            handle.write(chunk)
    push = result.loki_push()
    streams = [(dict(s["stream"]), [line for _, line in s["values"]]) for s in push.get("streams", [])]
    run = ScenarioRun(_key(name, era, config.era), era, end_ts - duration, end_ts, result.header,
                      result.truth, streams, log_lines(result))
    timings.simulate += time.perf_counter() - started
    return run, path


def log_lines(result: SimResult) -> tuple[LogLine, ...]:
    """The run's lines as Loki stores them, each with its catalogue event and fields."""
    options = result.options
    out = []
    for record in result.logs.ordered():
        line = format_line(result.to_micros(record.t), record)
        labels = dict(stream_labels(record, options.log_shipping, options.job, line))
        fields = {k: v[1:-1] if v.startswith('"') else v for k, v in record.fields}
        out.append(LogLine(labels, line, record.event, record.level, fields))
    return tuple(out)


@contextlib.contextmanager
def served(specs: Sequence[tuple[str, str]], config: Config, *, duration: int, seed: int,
           end_ts: int | None = None, progress: Callable[[str], None] = lambda _: None,
           timings: Timings | None = None) -> Iterator[tuple[str, list[ScenarioRun]]]:
    """(Prometheus URL, runs) for these (scenario, era) pairs; all cleaned up on exit."""
    timings = timings or Timings()
    step = config.scrape_interval_seconds
    end = int(end_ts if end_ts is not None else time.time()) // step * step
    with tempfile.TemporaryDirectory(prefix="dashgen-check-") as tmp:
        workdir, data_dir = Path(tmp), Path(tmp) / "data"
        runs: list[ScenarioRun] = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as backfiller:
            pending: list[concurrent.futures.Future[None]] = []
            for index, spec in enumerate(specs):
                window_end = end - index * (duration + GAP_SECONDS)
                run, path = _prepare(spec, window_end, config, duration, seed, workdir, timings)
                progress(f"simulated {run.key} ({duration // 60} min)")
                runs.append(run)
                pending.append(backfiller.submit(_backfill, path, data_dir, timings))
            for future in pending:
                future.result()
        progress(f"backfilled {len(runs)} scenario windows")
        started = time.perf_counter()
        with server.running(data_dir) as prom:
            timings.start += time.perf_counter() - started
            yield prom.url, runs


def _backfill(path: Path, data_dir: Path, timings: Timings) -> None:
    started = time.perf_counter()
    server.backfill(path, data_dir)
    path.unlink()
    timings.backfill += time.perf_counter() - started
