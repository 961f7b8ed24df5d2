"""When the thing a rule detects truly began, read from the simulation's ground truth.

Some rules cannot fire soon after a fault's onset whatever their threshold: a burn-rate alert
waits until the budget really burns that fast over its long window, a poison alert until
duroxide has failed a delivery ten times. For those the report also measures the latency from
this signal onset, which is the alert machinery's own delay; the fault-onset figure is kept.

A burn-rate signal is an oracle rule: the rule's own condition computed from the ground truth,
evaluated at the rule's own evaluation instants with the rule's own `for`. The signal is the
instant that oracle went pending on its way to its first firing after the fault. A condition
that truly holds for less than `for` (in an outage the 5-minute window can hold no completion
at all, so its ratio is undefined and the condition lapses) is no burn the rule is meant to
page on, and a signal taken at its first instant would hold the rule to a firing no correct
rule can make (seed 118: the true condition held 2m15s, then no orchestration finished for
7 minutes).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from generator.config import Config
from generator.proof.evaluation import evaluation_times

Truth = Sequence[dict[str, Any]]


@dataclass(frozen=True)
class Evaluation:
    """How the rule whose signal is sought is evaluated: its `for` and its group's interval."""

    for_seconds: int
    interval_seconds: int


Signal = Callable[[Truth, float, int, Config, Evaluation], "float | None"]


def _totals(sample: dict[str, Any]) -> tuple[float, float]:
    orchestrations = sample["orchestrations"].values()
    return (float(sum(o.get("success", 0) for o in orchestrations)),
            float(sum(o.get("failed", 0) for o in orchestrations)))


def _error_ratio(truth: Truth, index: int, steps: int) -> float | None:
    if index - steps < 0:
        return None
    good_now, bad_now = _totals(truth[index])
    good_then, bad_then = _totals(truth[index - steps])
    good, bad = good_now - good_then, bad_now - bad_then
    return bad / (good + bad) if good + bad > 0 else None


def oracle_onset(holds: Callable[[int], bool], truth: Truth, fault: float,
                 evaluation: Evaluation) -> float | None:
    """When an oracle rule, true at evaluation instant t when `holds(index of the truth's latest
    sample at or before t)`, went pending on the way to its first firing at or after `fault`."""
    stamps = [float(s["ts"]) for s in truth]
    if not stamps:
        return None
    active: float | None = None
    for t in evaluation_times(max(fault, stamps[0]), stamps[-1], evaluation.interval_seconds):
        if holds(bisect_right(stamps, t) - 1):
            if active is None:
                active = t
            if t - active >= evaluation.for_seconds:
                return active
        else:
            active = None
    return None


def _burn(long_seconds: int, short_seconds: int, factor: Callable[[Config], float]) -> Signal:
    def onset(truth: Truth, fault: float, interval: int, config: Config,
              evaluation: Evaluation) -> float | None:
        threshold = factor(config) * (1 - config.slo_success_ratio)

        def holds(index: int) -> bool:
            long = _error_ratio(truth, index, long_seconds // interval)
            short = _error_ratio(truth, index, short_seconds // interval)
            return long is not None and short is not None and long > threshold and short > threshold
        return oracle_onset(holds, truth, fault, evaluation)
    return onset


def first_poison(truth: Truth, fault: float, interval: int, config: Config,
                 evaluation: Evaluation) -> float | None:
    """The first scrape instant at or after the fault by which a message was poisoned."""
    before = None
    for sample in truth:
        count = sum((sample.get("poisoned") or {}).values())
        if sample["ts"] >= fault and before is not None and count > before:
            return float(sample["ts"])
        before = count
    return None


SIGNALS: dict[str, Signal] = {
    # Multiwindow burn rates as the SRE workbook defines them (and our SLO rules alert on).
    "slo-fast-burn": _burn(3600, 300, lambda c: c.slo_fast_burn_factor),
    "slo-slow-burn": _burn(6 * 3600, 1800, lambda c: c.slo_slow_burn_factor),
    "first-poison": first_poison,
}
