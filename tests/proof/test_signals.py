"""Ground-truth signals: when a burn rate truly crosses its threshold, when a message is first
poisoned, computed from synthetic truth samples."""

from __future__ import annotations

from typing import Any

import pytest

from generator.proof.signals import SIGNALS, Evaluation, oracle_onset
from generator.config import Config

CONFIG = Config()
STEP = 15
# ToygresSLOFastBurn's `for` and its group's evaluation interval.
FAST = Evaluation(for_seconds=120, interval_seconds=60)


def truth(failed_from: int | None, minutes: int = 240, per_minute: int = 1,
          poison_at: int | None = None) -> list[dict[str, Any]]:
    """One completion a minute (success, or failed after `failed_from` minutes)."""
    samples, good, bad = [], 0, 0
    for i in range(minutes * 60 // STEP + 1):
        t = i * STEP
        if t % 60 == 0 and t:
            if failed_from is not None and t >= failed_from * 60:
                bad += per_minute
            else:
                good += per_minute
        poisoned = 1 if poison_at is not None and t >= poison_at * 60 else 0
        samples.append({"ts": t, "orchestrations": {"x": {"success": good, "failed": bad}},
                        "poisoned": {"orchestration": poisoned, "activity": 0}})
    return samples


@pytest.mark.parametrize("signal,samples,fault,expected_minute", [
    # 72 % of the last hour failed: 44 of 60 one-a-minute completions, 43-44 minutes in.
    pytest.param("slo-fast-burn", truth(60), 3600, (60 + 43, 60 + 44), id="fast-burn-total-outage-after-1h"),
    pytest.param("slo-fast-burn", truth(None), 3600, None, id="fast-burn-healthy"),
    # 30 % of the last 6 hours: 109 of 360, 108-109 minutes into a total outage.
    pytest.param("slo-slow-burn", truth(360, minutes=720), 6 * 3600, (360 + 108, 360 + 109),
                 id="slow-burn-after-6h-of-history"),
    pytest.param("first-poison", truth(None, poison_at=100), 3600, (100, 100), id="first-poison"),
    pytest.param("first-poison", truth(None), 3600, None, id="no-poison"),
])
def test_signal_onset(signal: str, samples: list[dict[str, Any]], fault: float,
                      expected_minute: tuple[int, int] | None) -> None:
    onset = SIGNALS[signal](samples, fault, STEP, CONFIG, FAST)
    if expected_minute is None:
        assert onset is None
    else:
        assert onset is not None and expected_minute[0] * 60 <= onset <= expected_minute[1] * 60


def events(successes: range, failures: list[int], minutes: int) -> list[dict[str, Any]]:
    """Truth samples every STEP seconds with one completion at each listed minute."""
    samples = []
    for i in range(minutes * 60 // STEP + 1):
        t = i * STEP
        good = sum(1 for m in successes if m * 60 <= t)
        bad = sum(1 for m in failures if m * 60 <= t)
        samples.append({"ts": t, "orchestrations": {"x": {"success": good, "failed": bad}}})
    return samples


def test_a_burn_that_lapses_before_for_is_no_signal_the_next_one_is() -> None:
    """Seed 118's shape: the true condition holds for less than the rule's `for`, then lapses
    because no orchestration finished in the short window, then burns for good.

    Successes at minutes 1-60, failures at 61-101, none until failures resume at 115. At minute m
    the hour (m-60, m] holds 120-m successes and 41 failures: 41 / (161 - m) first exceeds 0.72
    at m = 105 (41/56 = 0.73); the 5 minutes (100, 105] hold minute 101's failure, (101, 106]
    nothing (undefined). So the condition holds over [105, 106): one evaluation, less than the
    2-minute `for`. From 115 every minute fails and it holds for good: the signal is 115."""
    samples = events(range(1, 61), list(range(61, 102)) + list(range(115, 180)), 180)
    assert SIGNALS["slo-fast-burn"](samples, 3600, STEP, CONFIG, FAST) == 115 * 60
    # A rule with no `for` would page on the blip itself, and its oracle says so.
    assert SIGNALS["slo-fast-burn"](samples, 3600, STEP, CONFIG, Evaluation(0, 60)) == 105 * 60


@pytest.mark.parametrize("held,expected", [
    # Evaluations at 600, 660 true and 720 false: pending 60 s, never `for` (120 s).
    pytest.param((600, 720), 1200, id="held-2m-at-two-evaluations-is-no-signal"),
    # 600, 660, 720 true: pending for 120 s at 720, which fires: the signal is 600.
    pytest.param((600, 780), 600, id="held-at-three-evaluations-is-the-signal"),
    # Starting between evaluations: pending at the first evaluation inside, 660.
    pytest.param((630, 900), 660, id="pending-at-the-first-evaluation-inside"),
])
def test_oracle_goes_pending_where_a_rule_reading_the_truth_would(held: tuple[int, int], expected: int) -> None:
    samples = [{"ts": t} for t in range(0, 3600, STEP)]
    start, end = held

    def holds(index: int) -> bool:
        t = samples[index]["ts"]
        return start <= t < end or t >= 1200
    assert oracle_onset(holds, samples, 0, FAST) == expected
