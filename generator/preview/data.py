"""The data a preview shows: one simulated scenario in a private Prometheus, and its log lines.

`scenario()` is the one place previews get data: the shared simulate -> promtool backfill ->
loopback Prometheus pipeline `dashgen check` uses (generator/pipeline), over the same fixed
window, so pictures are reproducible.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Iterator

from generator.proof.logql_eval import LogEntry
from generator.config import Config
from generator.pipeline.served import Dataset as PipelineDataset
from generator.pipeline.served import ScenarioRun, served
from generator.pipeline.spec import ScenarioSpec

# Skip the first minutes of the window, as check does: rates need history before they mean anything.
WARMUP_SECONDS = 600


@dataclass(frozen=True)
class Dataset:
    """A served scenario: where to query, which window to show, and its log lines (Loki streams)."""

    scenario: str
    prometheus_url: str
    start: float
    end: float
    logs: tuple[LogEntry, ...]


def log_entries(run: ScenarioRun) -> tuple[LogEntry, ...]:
    """The run's Loki streams as entries (stream labels, seconds, line)."""
    return tuple(LogEntry(tuple(sorted(stream["stream"].items())), int(ns) / 1e9, line)
                 for stream in run.push.get("streams", []) for ns, line in stream["values"])


@contextlib.contextmanager
def scenario(name: str, config: Config, *, duration: int, seed: int) -> Iterator[Dataset]:
    """Serve the scenario spec `name` (e.g. healthy, database-slow, queue-backlog,hold=90m)."""
    spec = ScenarioSpec.parse(name)
    with served([PipelineDataset(spec, seed, duration)], config) as prometheus:
        [run] = prometheus.runs
        yield Dataset(name, prometheus.url, float(run.start + WARMUP_SECONDS), float(run.end), log_entries(run))
