"""One simulated dataset for the whole session: a few scenarios in both eras, served by a real
Prometheus on 127.0.0.1 (started and stopped by the fixture)."""

from __future__ import annotations

import shutil
import time
from typing import Any, Iterator

import pytest

from generator.config import Config
from generator.pipeline import ScenarioSpec, served, staggered

SPECS = [ScenarioSpec.parse(text) for text in
         ("healthy,era=E2", "activity-failure-storm,era=E2", "database-slow,era=E2", "healthy,era=E1")]


@pytest.fixture(scope="session")
def dataset() -> Iterator[tuple[str, list[Any]]]:
    if shutil.which("prometheus") is None or shutil.which("promtool") is None:
        pytest.fail("prometheus and promtool are required (apt-get install prometheus); .ci/run installs them")
    config = Config()
    datasets = staggered(SPECS, end_ts=int(time.time()), duration_seconds=100 * 60, seed=7,
                         step=config.scrape_interval_seconds)
    with served(datasets, config) as prom:
        yield prom.url, prom.runs
