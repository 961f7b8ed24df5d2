"""Which measures must show data in which scenario: an empty panel there is a broken panel.

A rate of failures is legitimately empty while nothing fails; a queue depth or an active count
never is. Scenario names are the simulator's (generator/sim/scenarios.py).
"""

from __future__ import annotations

ALWAYS = frozenset({"active_orchestrations", "orchestrator_queue", "worker_queue", "activity_rate",
                    "activity_rate_total", "completion_rate", "success_ratio", "provider_p95",
                    "activity_p95", "activity_success_ratio"})

IN_SCENARIO: dict[str, frozenset[str]] = {
    "failure_rate": frozenset({"activity-failure-storm", "database-down"}),
    "provider_error_rate": frozenset({"database-slow"}),
}


def must_show(measure: str, scenario: str) -> bool:
    base = scenario.split("@", 1)[0]
    return measure in ALWAYS or base in IN_SCENARIO.get(measure, frozenset())
