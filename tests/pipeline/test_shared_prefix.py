"""Datasets of one seed simulated together continue one shared healthy prefix in forked copies
(generator.sim.prefix): each served run is the run simulated on its own, byte for byte (truth,
Loki body, header, OpenMetrics size), and a real Prometheus serves each window's samples."""

from __future__ import annotations

import dataclasses
import importlib
import os
import shutil
from pathlib import Path

import pytest

from generator.config import Config
from generator.pipeline import Cache, ScenarioSpec, Timings, served
from generator.pipeline.served import END_TS, simulate, staggered
from generator.sim import prefix as shared

served_module = importlib.import_module("generator.pipeline.served")
needs_prometheus = pytest.mark.skipif(shutil.which("prometheus") is None or shutil.which("promtool") is None,
                                      reason="prometheus/promtool not installed")


@needs_prometheus
@pytest.mark.skipif(not hasattr(os, "fork"), reason="prefix sharing forks (POSIX)")
def test_datasets_continued_from_a_shared_prefix_are_the_runs_simulated_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = [ScenarioSpec.parse(s) for s in ("healthy", "replica-restart", "burst")]
    datasets = [dataclasses.replace(d, fault_start_seconds=600)
                for d in staggered(specs, end_ts=END_TS, duration_seconds=1200, seed=2, step=15)]
    prefixes = []
    real = shared.simulate_prefix
    monkeypatch.setattr(shared, "simulate_prefix", lambda key: prefixes.append(key) or real(key))
    monkeypatch.setattr(served_module, "_workers", lambda misses: 2)  # the pool path on any machine
    timings = Timings()
    config = Config()
    with served(datasets, config, timings=timings, cache=Cache(None)) as prom:
        runs = prom.runs
        counts = [prom.client().query("count(duroxide_orchestration_starts_total)", run.end)
                  for run in runs]
    assert len(prefixes) == 1, "the three datasets share one prefix"
    alone = [simulate(d, config) for d in datasets]
    for run, result in zip(runs, alone):
        assert run.header == result.header
        assert run.truth == result.truth, run.key
        assert run.push == result.loki_push(with_events=True), run.key
    assert timings.bytes_written == sum(len("".join(r.openmetrics())) for r in alone)
    assert all(series and series[0].samples[0][1] > 0 for series in counts)
