"""The data a preview shows: one simulated scenario in a private Prometheus, and its log lines.

`scenario()` is the one place that simulates and serves; it runs the same simulate -> promtool
backfill -> loopback Prometheus steps `dashgen check` uses, so switching it to a shared cached
pipeline is a one-function change.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from generator.alerting.logql_eval import LogEntry, entries_from_result
from generator.config import Config
from generator.prometheus import server
from generator.sim import run as simulate

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


@contextlib.contextmanager
def scenario(name: str, config: Config, *, duration: int, seed: int, end_ts: int | None = None) -> Iterator[Dataset]:
    """Simulate `name`, backfill it into a fresh TSDB and serve it on 127.0.0.1 until exit."""
    step = config.scrape_interval_seconds
    end = int(end_ts if end_ts is not None else time.time()) // step * step
    result = simulate([name], config, end_ts=end, duration_seconds=duration, seed=seed, era=config.era)
    with tempfile.TemporaryDirectory(prefix="dashgen-preview-") as tmp:
        openmetrics = Path(tmp) / f"{name}.om"
        with open(openmetrics, "w", encoding="utf-8") as handle:
            for chunk in result.openmetrics():
                handle.write(chunk)
        server.backfill(openmetrics, Path(tmp) / "data")
        openmetrics.unlink()
        with server.running(Path(tmp) / "data") as prom:
            yield Dataset(name, prom.url, float(end - duration + WARMUP_SECONDS), float(end),
                          tuple(entries_from_result(result)))
