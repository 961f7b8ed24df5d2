"""The derived bounds on small hand-made truths (no simulation, no Prometheus): each kind accepts
what the query's sampling allows and rejects what it cannot explain, and a comparison of nothing
is never a pass."""

from __future__ import annotations

from typing import Any

import pytest

from generator.check.compare import compare
from generator.check.evaluate import Result, Window
from generator.check.measures import MEASURES
from generator.check.quantiles import quantile_bounds
from generator.pipeline import ScenarioRun, ScenarioSpec
from generator.prometheus.client import Series

START, STEP = 1_000_000, 15
N = 60  # 15 minutes of truth


def _sample(i: int, **fields: Any) -> dict[str, Any]:
    base = {"kind": "sample", "ts": START + i * STEP, "active": {"total": 10}, "orchestrator_queue": 0,
            "worker_queue": 0, "targets_scraped": 1, "replicas_up": 1, "replica_restarts": 0,
            "orchestrations": {"o": {"success": 0, "failed": 0, "continuedAsNew": 0, "turns": 0, "failures": {}}},
            "activities": {}, "range": {}}
    base.update(fields)
    return base


def _run(samples: list[dict[str, Any]]) -> ScenarioRun:
    header = {"scrape_interval": STEP, "replicas": 1}
    return ScenarioRun("healthy", ScenarioSpec.parse("healthy"), "E2", START, START + (len(samples) - 1) * STEP,
                       header, samples)


def _result(values: dict[float, float]) -> Result:
    return Result(None, "healthy", [Series({}, sorted(values.items()))])  # type: ignore[arg-type]


WINDOW = Window(START + 600, START + (N - 1) * STEP, STEP, 60)
TIMES = [WINDOW.start + i * STEP for i in range(int((WINDOW.end - WINDOW.start) // STEP) + 1)]


def _queue_run(rise_at: int) -> ScenarioRun:
    """The orchestrator queue is 0, then 5 from sample `rise_at` on."""
    samples = []
    for i in range(N):
        q = 5 if i >= rise_at else 0
        samples.append(_sample(i, orchestrator_queue=q, range={"orchestrator_queue": [q, q] if i != rise_at else [0, 5]}))
    return _run(samples)


@pytest.mark.parametrize("shift, ok", [(0, True), (60, True), (75, True), (150, False)],
                         ids=["on-time", "one-poll-late", "poll-and-scrape-late", "two-polls-late"])
def test_gauge_may_lag_one_poll_and_one_scrape_not_more(shift: int, ok: bool) -> None:
    rise = 50
    run = _queue_run(rise)
    rise_ts = START + rise * STEP
    panel = {t: 5.0 if t >= rise_ts + shift else 0.0 for t in TIMES}
    [verdict] = compare(MEASURES["orchestrator_queue"], _result(panel), run, WINDOW)
    assert verdict.ok is ok and verdict.compared == len(TIMES)


@pytest.mark.parametrize("shown, ok", [(5.0, True), (0.0, True), (9.0, False)])
def test_a_gauge_read_during_an_outage_may_show_the_sample_stamped_after_the_last_scraped_instant(
        shown: float, ok: bool) -> None:
    """Seed 81257, exporter-down: the queue rose between instant 44 (scraped) and 45, the outage
    began at 45, and the replica's last sample (stamped at its scrape offset, before 45) shows the
    rise. Prometheus serves that sample for 5 minutes; it is true, and a value the truth never
    held (9) is still a lie."""
    samples = []
    for i in range(N):
        q = 5 if i >= 45 else 0
        samples.append(_sample(i, orchestrator_queue=q, targets_scraped=0 if i >= 45 else 1,
                               range={"orchestrator_queue": [0, 5] if i == 45 else [q, q]}))
    run = _run(samples)
    panel = {t: (shown if t >= START + 45 * STEP else 0.0) for t in TIMES}
    [verdict] = compare(MEASURES["orchestrator_queue"], _result(panel), run, WINDOW)
    assert verdict.ok is ok and verdict.compared == len(TIMES)


def test_a_gauge_compared_at_no_instant_fails() -> None:
    run = _queue_run(50)
    off_grid = {t + 7: 0.0 for t in TIMES}  # points between the truth's instants
    [verdict] = compare(MEASURES["orchestrator_queue"], _result(off_grid), run, WINDOW)
    assert not verdict.ok and verdict.compared == 0


def _ratio_run(bad_from: int) -> ScenarioRun:
    """One success a sample; from `bad_from` on also one failure a sample (ratio 0.5)."""
    samples = []
    for i in range(N):
        failed = max(0, i - bad_from + 1)
        samples.append(_sample(i, orchestrations={"o": {"success": i, "failed": failed, "continuedAsNew": 0,
                                                        "turns": 0, "failures": {}}}))
    return _run(samples)


@pytest.mark.parametrize("shown, ok", [(0.5, True), (1.0, False), (0.25, False)],
                         ids=["truth", "failures-hidden", "half"])
def test_success_ratio_bounds_are_the_events_the_window_cannot_see(shown: float, ok: bool) -> None:
    run = _ratio_run(bad_from=0)
    window = Window(START + 600, START + (N - 1) * STEP, STEP, 60)
    panel = {t: shown for t in TIMES}
    [verdict] = compare(MEASURES["success_ratio"], _result(panel), run, window)
    assert verdict.ok is ok


@pytest.mark.parametrize("count, share_close", [(5000, True), (20, False)], ids=["many", "few"])
def test_quantile_bounds_narrow_with_observations(count: int, share_close: bool) -> None:
    grid = [i / 100 for i in range(101)]  # uniform on [0, 1]: Q(u) = u
    low, truth, high = quantile_bounds(MEASURES["activity_p95"], count, grid, "E2")
    assert truth == pytest.approx(0.95) and low <= truth <= high
    assert (high - low < 0.1) is share_close


def test_e1_quantile_bounds_widen_to_bucket_edges() -> None:
    grid = [0.02 + 0.0001 * i for i in range(101)]  # everything inside the (0.01, 0.05] bucket
    low, _, high = quantile_bounds(MEASURES["activity_p95"], 5000, grid, "E1")
    assert (low, high) == (0.01, 0.05)
