"""When the thing a rule detects truly began, read from the simulation's ground truth.

Some rules cannot fire soon after a fault's onset whatever their threshold: a burn-rate alert
waits until the budget really burns that fast over its long window, a poison alert until
duroxide has failed a delivery ten times. For those the report also measures the latency from
this signal onset, which is the alert machinery's own delay; the fault-onset figure is kept.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from generator.config import Config

Truth = Sequence[dict[str, Any]]
Signal = Callable[[Truth, float, int, Config], "float | None"]


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


def _burn(long_seconds: int, short_seconds: int, factor: Callable[[Config], float]) -> Signal:
    def onset(truth: Truth, fault: float, interval: int, config: Config) -> float | None:
        threshold = factor(config) * (1 - config.slo_success_ratio)
        for index, sample in enumerate(truth):
            if sample["ts"] < fault:
                continue
            long = _error_ratio(truth, index, long_seconds // interval)
            short = _error_ratio(truth, index, short_seconds // interval)
            if long is not None and short is not None and long > threshold and short > threshold:
                return float(sample["ts"])
        return None
    return onset


def first_poison(truth: Truth, fault: float, interval: int, config: Config) -> float | None:
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
