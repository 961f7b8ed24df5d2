"""One simulated dataset for the whole session: a few scenarios in both eras, served by a real
Prometheus on 127.0.0.1 (started and stopped by the fixture)."""

from __future__ import annotations

import shutil
from typing import Any, Iterator

import pytest

from generator.check.datasets import served
from generator.config import Config

SPECS = [("healthy", "E2"), ("activity-failure-storm", "E2"), ("database-slow", "E2"), ("healthy", "E1")]


@pytest.fixture(scope="session")
def dataset() -> Iterator[tuple[str, list[Any]]]:
    if shutil.which("prometheus") is None or shutil.which("promtool") is None:
        pytest.fail("prometheus and promtool are required (apt-get install prometheus); .ci/run installs them")
    with served(SPECS, Config(), duration=100 * 60, seed=7) as (url, runs):
        yield url, runs
