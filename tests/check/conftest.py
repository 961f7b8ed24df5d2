"""One simulated dataset for the whole session: a few scenarios in both eras, served by a real
Prometheus on 127.0.0.1 (started and stopped by the fixture). The windows are `dashgen check`'s
own (seed 1, 2 h, fixed slots), so they come from the dataset cache when a check or an earlier
session simulated them."""

from __future__ import annotations

import shutil
from typing import Any, Iterator

import pytest

from generator.config import Config
from generator.check.engine import DEFAULT_DURATION
from generator.pipeline import END_TS, ScenarioSpec, served, staggered

SPECS = [ScenarioSpec.parse(text) for text in
         ("healthy,era=E2", "activity-failure-storm,era=E2", "database-slow,era=E2", "healthy,era=E1",
          # the orchestrator queue varies only when turns are slow (the mutation suite needs it)
          "store-lock-contention,era=E2")]


@pytest.fixture(scope="session")
def dataset() -> Iterator[tuple[str, list[Any]]]:
    if shutil.which("prometheus") is None or shutil.which("promtool") is None:
        pytest.fail("prometheus and promtool are required (apt-get install prometheus); .ci/run installs them")
    config = Config()
    datasets = staggered(SPECS, end_ts=END_TS, duration_seconds=DEFAULT_DURATION, seed=1,
                         step=config.scrape_interval_seconds, default_era=config.era, truth_grids=True)
    with served(datasets, config) as prom:
        yield prom.url, prom.runs
