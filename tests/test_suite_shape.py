"""The suite's own shape: the slow files it starts first exist and xdist keeps that order, and
`make bench` prints the recorded run's CPU floor (cpu seconds / CPUs) beside its wall time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.goals import last_test_run
from tests.conftest import ROOT, SLOW_FIRST


@pytest.mark.parametrize("name", SLOW_FIRST)
def test_every_slow_first_file_exists(name: str) -> None:
    # A renamed or split file would silently fall back to collection order.
    assert (ROOT / name).is_file()


def test_xdist_keeps_the_collection_order(pytestconfig: pytest.Config) -> None:
    pytest.importorskip("xdist")
    assert pytestconfig.option.loadscopereorder is False


RECORD = {"finished": 1795935737, "wall_seconds": 1500.0, "workers": "2", "exit_status": 0, "collected": 1390,
          "failed": 0, "load_before": 12.0, "load_after": 14.0, "cpus": 2, "cold": True, "datasets_used": 60,
          "datasets_made": 60}


@pytest.mark.parametrize("extra, shown", [
    ({"cpu_seconds": 901.0}, "901 CPU seconds, so at least 450 s of wall alone on 2 CPUs"),
    ({}, None),
], ids=["with-cpu", "older-record-without-cpu"])
def test_bench_prints_the_cpu_floor_of_the_recorded_run(tmp_path: Path, extra: dict, shown: str | None) -> None:
    path = tmp_path / "last-test-run.json"
    path.write_text(json.dumps({**RECORD, **extra}), encoding="utf-8")
    line = last_test_run(path)
    assert "1500 s wall" in line and "NOT MET" in line
    if shown is None:
        assert "CPU seconds" not in line
    else:
        assert shown in line
