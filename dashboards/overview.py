"""Toygres Overview: what on-call needs in five seconds."""

from generator import queries as q
from generator.authoring import variables as v
from generator.authoring.dashboard import DashboardSpec, Row
from generator.authoring.panels import GREEN, ORANGE, RED, YELLOW, Step, loki, prom, stat, timeseries
from generator.config import Config


def dashboard(c: Config) -> DashboardSpec:
    slo = c.slo_success_ratio
    headline = Row("Now", [
        stat("Active orchestrations",
             "Instances in flight now, from duroxide's own gauge summed over processes. "
             "Good: 10-50 (one instance-actor per live Postgres plus a few creates/deletes); "
             f"above {c.active_warning} something is stuck.",
             prom(q.active_orchestrations(c)), unit="short", decimals=0,
             steps=[Step(GREEN), Step(YELLOW, c.active_warning), Step(RED, c.active_critical)],
             measures="active_orchestrations"),
        stat("Success rate",
             f"Successful share of finished orchestrations (success / success+failed). "
             f"Good: at or above the {slo:.0%} SLO.",
             prom(q.success_ratio(c, "5m")), unit="percentunit", decimals=1, minimum=0, maximum=1,
             steps=[Step(RED), Step(ORANGE, slo - 0.02), Step(GREEN, slo)],
             measures="success_ratio"),
        stat("Failure rate",
             "Failed orchestrations per second. Good: 0; any sustained value means creates or "
             "deletes are failing for users.",
             prom(q.failure_rate_or_zero(c)), unit="ops", decimals=3,
             steps=[Step(GREEN), Step(ORANGE, 0.001), Step(RED, 0.01)], measures="failure_rate"),
        stat("Orchestrator queue",
             "Orchestration work items waiting for one of the 10 orchestration slots. "
             f"Good: near 0; above {c.queue_warning} the runtime is saturated.",
             prom(q.orchestrator_queue(c)), unit="short", decimals=0,
             steps=[Step(GREEN), Step(YELLOW, c.queue_warning), Step(RED, c.queue_critical)],
             measures="orchestrator_queue"),
        stat("Worker queue",
             "Activity work items waiting for one of the 10 worker slots. "
             f"Good: near 0; above {c.queue_warning} activities are backing up.",
             prom(q.worker_queue(c)), unit="short", decimals=0,
             steps=[Step(GREEN), Step(YELLOW, c.queue_warning), Step(RED, c.queue_critical)],
             measures="worker_queue"),
        stat("Provider p95",
             "95th percentile latency of the slowest kind of operation on the Postgres store. "
             f"Good: well under {c.provider_p95_warning_seconds * 1000:.0f} ms.",
             prom(q.provider_latency(c, 0.95)), unit="s", decimals=3,
             steps=[Step(GREEN), Step(YELLOW, c.provider_p95_warning_seconds),
                    Step(RED, c.provider_p95_critical_seconds)],
             measures="provider_p95"),
        stat("Error logs",
             "ERROR lines plus the WARN lines duroxide writes when the store or a dispatcher is in "
             "trouble (fetch and ack failures, session errors, poison) in the time range. A database "
             "outage is logged only at WARN, so an ERROR-only count would read 0 through it; "
             "application failures (WARN 'Activity failed') are left out: they are expected at a few "
             "percent and the failure panels show them. Good: 0.",
             loki(q.error_log_count(c), instant=True), unit="short", decimals=0,
             steps=[Step(GREEN), Step(RED, 1)], graph=False, no_value="0",
             datasource=v.LOKI_DS, shows="errors + store + poison + dispatcher"),
    ])
    trends = Row("Trends", [
        timeseries("Active orchestrations over time",
                   "In-flight instances per process summed. Good: flat, tracking live instances; "
                   "a steady climb means orchestrations are stuck.",
                   [prom(q.active_orchestrations(c), "active")], unit="short",
                   steps=[Step(GREEN), Step(YELLOW, c.active_warning), Step(RED, c.active_critical)],
                   measures="active_orchestrations"),
        timeseries("Success rate vs SLO",
                   f"Successful share of finished orchestrations over 5 min windows. Good: above "
                   f"the {slo:.0%} line.",
                   [prom(q.success_ratio(c, "5m"), "success rate")], unit="percentunit",
                   minimum=0, maximum=1, steps=[Step(RED), Step(GREEN, slo)], measures="success_ratio"),
    ])
    return DashboardSpec(
        title="Toygres Overview",
        description="Health of the Toygres control plane at a glance.",
        rows=(headline, trends),
        variables=(v.prometheus_datasource(c), v.loki_datasource(c), v.job(c)),
        tags=("overview",),
    )
