"""Prometheus' `for` state machine as the proof emulates it, per label set."""

from __future__ import annotations

import pytest

from generator.proof.evaluation import Firing, apply_for, evaluation_times, label_set

A = (("error_type", "timeout"),)
B = (("error_type", "deadlock"),)

# name: (present {labels: {t: value}}, hold seconds, expected firings)
CASES = {
    "for-0-fires-at-once": ({A: {60: 1.0}}, 0, [Firing(A, 60, 60, 120, 1.0)]),
    "pending-until-for-elapses": ({A: {60: 1.0, 120: 2.0, 180: 3.0}}, 120, [Firing(A, 60, 180, 240, 3.0)]),
    "gap-resets-pending": ({A: {60: 1.0, 180: 1.0, 240: 1.0}}, 120, [Firing(A, 60, None, 120, None),
                                                                      Firing(A, 180, None, 300, None)]),
    "still-firing-at-the-end": ({A: {t: 1.0 for t in range(0, 301, 60)}}, 60, [Firing(A, 0, 60, None, 1.0)]),
    "label-sets-are-independent": ({A: {0: 1.0, 60: 1.0}, B: {60: 5.0, 120: 5.0}}, 60,
                                   [Firing(A, 0, 60, 120, 1.0), Firing(B, 60, 120, 180, 5.0)]),
    "never-present": ({}, 0, []),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_for_state_machine(case: str) -> None:
    present, hold, expected = CASES[case]
    assert apply_for(present, evaluation_times(0, 300, 60), hold) == expected


@pytest.mark.parametrize("start, end, interval, expected", [
    (0, 180, 60, [0, 60, 120, 180]),
    (30, 180, 60, [60, 120, 180]),
    (0, 59, 60, [0]),
], ids=["aligned", "first-tick-after-start", "one-tick"])
def test_evaluation_times_are_interval_ticks(start: int, end: int, interval: int, expected: list[int]) -> None:
    assert evaluation_times(start, end, interval) == expected


def test_alert_identity_drops_the_metric_name() -> None:
    assert label_set({"__name__": "up", "job": "toygres", "a": "1"}) == (("a", "1"), ("job", "toygres"))
