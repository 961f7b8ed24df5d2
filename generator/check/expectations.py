"""Which measures must show data in which scenario: an empty panel there is a broken panel.

A rate of failures is legitimately empty while nothing fails; a queue depth or an active count
never is. Scenario names are the simulator's (generator/sim/scenarios.py).
"""

from __future__ import annotations

from typing import Sequence

ALWAYS = frozenset({"active_orchestrations", "active_orchestrations_per_process", "orchestrator_queue",
                    "worker_queue", "activity_rate", "activity_rate_total", "completion_rate",
                    "continue_as_new_rate", "success_ratio", "provider_p95", "activity_p50", "activity_p95",
                    "activity_p99", "activity_success_ratio"})

IN_SCENARIO: dict[str, frozenset[str]] = {
    "failure_rate": frozenset({"activity-failure-storm", "database-down"}),
    "provider_error_rate": frozenset({"database-slow"}),
    "activity_failure_rate": frozenset({"activity-failure-storm"}),
}


def must_show(measure: str, faults: Sequence[str]) -> bool:
    """Whether a panel measuring this must show data while these faults are simulated."""
    return measure in ALWAYS or bool(set(faults) & IN_SCENARIO.get(measure, frozenset()))


# Where duroxide's own metric cannot tell the truth, whatever the query: a disagreement there is
# reported as a warning naming the limitation, not as an error in the panel. Each carries why.
_FAILED_ACK = ("a failed ack fails the instance with only the unlabelled failures_total{error_type="
               "\"infrastructure_error\"} twin: no completion line, no labelled failure (orchestration.rs:954-1003), "
               "so labelled failure and completion panels cannot count those failures")
KNOWN_DEVIATIONS: dict[tuple[str, str], str] = {
    (measure, scenario): _FAILED_ACK
    for measure in ("failure_rate", "completion_rate", "success_ratio")
    for scenario in ("database-slow", "store-lock-contention")
}
# reference (duroxide-metrics.md, Poison): poisoned at fetch (O:544, 1273, 1398), an orchestration
# ends Failed with no completion and no failure metric; only orchestration_poison_total counts it.
_POISON_AT_FETCH = ("an orchestration poisoned at fetch (unregistered: abandoned 10 times, then poisoned, "
                    "orchestration.rs:544, 679) ends Failed with only orchestration_poison_total: no completion, "
                    "no failures_total, so completion and failure panels cannot count those failures")
KNOWN_DEVIATIONS.update({
    (measure, "unregistered-orchestration"): _POISON_AT_FETCH
    for measure in ("failure_rate", "completion_rate", "success_ratio")
})


# Era-wide limitations.
KNOWN_ERA_DEVIATIONS: dict[tuple[str, str], str] = {
    ("orchestrator_queue", "E1"): "duroxide <= 0.1.14 sets the queue gauges once at start-up; they never move",
    ("worker_queue", "E1"): "duroxide <= 0.1.14 sets the queue gauges once at start-up; they never move",
    # reference, "The E1 era in detail": the +1 is dead code from v0.1.10 and there is no poller
    ("active_orchestrations", "E1"): "duroxide 0.1.10-0.1.14 set the active gauge from the store at start-up "
                                     "only and then just subtract completions: it drifts below the truth",
    ("active_orchestrations_per_process", "E1"): "duroxide 0.1.10-0.1.14 set the active gauge from the store at "
                                                 "start-up only and then just subtract completions",
}


def known_deviation(measure: str, faults: Sequence[str], era: str) -> str | None:
    """Why duroxide's metric cannot show this measure truthfully under these faults, or None."""
    for fault in faults:
        if (measure, fault) in KNOWN_DEVIATIONS:
            return KNOWN_DEVIATIONS[(measure, fault)]
    return KNOWN_ERA_DEVIATIONS.get((measure, era))


# Metrics duroxide itself drives below zero in an era (a panel showing them is not at fault).
KNOWN_NEGATIVE: dict[tuple[str, str], str] = {
    ("duroxide_active_orchestrations", "E1"): KNOWN_ERA_DEVIATIONS[("active_orchestrations", "E1")],
    ("duroxide_active_orchestrations", "E2"):
        "between 60 s polls each process subtracts its completions, including those of instances started "
        "after the poll (never added): a process's raw gauge can dip below zero until the next poll",
}
