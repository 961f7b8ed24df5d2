"""Which measures must show data in which scenario: an empty panel there is a broken panel.

A rate of failures is legitimately empty while nothing fails; a queue depth or an active count
never is. Scenario names are the simulator's (generator/sim/scenarios.py).
"""

from __future__ import annotations

from typing import Sequence

ALWAYS = frozenset({"active_orchestrations", "orchestrator_queue", "worker_queue", "activity_rate",
                    "activity_rate_total", "completion_rate", "success_ratio", "provider_p95",
                    "activity_p95", "activity_success_ratio"})

IN_SCENARIO: dict[str, frozenset[str]] = {
    "failure_rate": frozenset({"activity-failure-storm", "database-down"}),
    "provider_error_rate": frozenset({"database-slow"}),
}


def must_show(measure: str, faults: Sequence[str]) -> bool:
    """Whether a panel measuring this must show data while these faults are simulated."""
    return measure in ALWAYS or bool(set(faults) & IN_SCENARIO.get(measure, frozenset()))


# Where duroxide's own metric cannot tell the truth, whatever the query: a disagreement there is
# reported as a warning naming the limitation, not as an error in the panel. Each carries why.
KNOWN_DEVIATIONS: dict[tuple[str, str], str] = {
    ("active_orchestrations", "store-lock-contention"):
        "duroxide's gauge adds 1 each time a brand-new instance's first turn is retried after a "
        "failed ack (up to 10 deliveries), so under store lock contention it over-counts until "
        "those instances finish; no query over the gauge can correct that",
}


# Era-wide limitations.
KNOWN_ERA_DEVIATIONS: dict[tuple[str, str], str] = {
    ("orchestrator_queue", "E1"): "duroxide <= 0.1.14 sets the queue gauges once at start-up; they never move",
    ("worker_queue", "E1"): "duroxide <= 0.1.14 sets the queue gauges once at start-up; they never move",
}


def known_deviation(measure: str, faults: Sequence[str], era: str) -> str | None:
    """Why duroxide's metric cannot show this measure truthfully under these faults, or None."""
    for fault in faults:
        if (measure, fault) in KNOWN_DEVIATIONS:
            return KNOWN_DEVIATIONS[(measure, fault)]
    return KNOWN_ERA_DEVIATIONS.get((measure, era))
