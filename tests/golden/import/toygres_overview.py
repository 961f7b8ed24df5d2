"""Toygres Overview (imported by `dashgen import`)."""

# Imported from toygres-overview.json (uid toygres-overview); edit this module, not the JSON.
# On compile (house conventions, docs/import.md): keys the original leaves unset take the builders'
#   values, the description gains the generated-file note, tags gain 'toygres-managed' and
#   'toygres', the 'Toygres dashboards' link is added and schemaVersion is 39.

from generator import queries as q
from generator.authoring import variables as v
from generator.authoring.dashboard import DashboardSpec, Row
from generator.authoring.panels import LOKI_DS, Step, loki, prom, stat, timeseries
from generator.config import Config


def dashboard(c: Config) -> DashboardSpec:
    return DashboardSpec(
        title="Toygres Overview",
        description="Health of the Toygres control plane at a glance.",
        rows=(
            Row("Now", [
                stat(
                    "Active orchestrations",
                    "Instances in flight now, from duroxide's own gauge summed over processes. "
                    "Good: 10-50 (one instance-actor per live Postgres plus a few "
                    "creates/deletes); above 100 something is stuck.",
                    prom(q.active_orchestrations(c)),
                    unit="short",
                    steps=[Step("green"), Step("yellow", 100), Step("red", 200)],
                    decimals=0,
                ),
                stat(
                    "Success rate",
                    "Successful share of finished orchestrations (success / success+failed). "
                    "Good: at or above the 95% SLO.",
                    prom(q.success_ratio(c, "5m")),
                    unit="percentunit",
                    steps=[Step("red"), Step("orange", 0.9299999999999999), Step("green", 0.95)],
                    minimum=0,
                    maximum=1,
                    decimals=1,
                ),
                stat(
                    "Failure rate",
                    "Failed orchestrations per second. Good: 0; any sustained value means "
                    "creates or deletes are failing for users.",
                    prom(q.failure_rate_or_zero(c)),
                    unit="ops",
                    steps=[Step("green"), Step("orange", 0.001), Step("red", 0.01)],
                    decimals=3,
                ),
                stat(
                    "Orchestrator queue",
                    "Orchestration work items waiting for one of the 10 orchestration slots. "
                    "Good: near 0; above 20 the runtime is saturated.",
                    prom(q.orchestrator_queue(c)),
                    unit="short",
                    steps=[Step("green"), Step("yellow", 20), Step("red", 100)],
                    decimals=0,
                ),
                stat(
                    "Worker queue",
                    "Activity work items waiting for one of the 10 worker slots. Good: near 0; "
                    "above 20 activities are backing up.",
                    prom(q.worker_queue(c)),
                    unit="short",
                    steps=[Step("green"), Step("yellow", 20), Step("red", 100)],
                    decimals=0,
                ),
                stat(
                    "Provider p95",
                    "95th percentile latency of the slowest kind of operation on the Postgres "
                    "store. Good: well under 250 ms.",
                    prom(q.provider_latency(c, 0.95)),
                    unit="s",
                    steps=[Step("green"), Step("yellow", 0.25), Step("red", 1.0)],
                    decimals=3,
                ),
                stat(
                    "Error logs",
                    "ERROR lines plus the WARN lines duroxide writes when the store or a "
                    "dispatcher is in trouble (fetch and ack failures, session errors, poison) "
                    "in the time range. A database outage is logged only at WARN, so an "
                    "ERROR-only count would read 0 through it; application failures (WARN "
                    "'Activity failed') are left out: they are expected at a few percent and "
                    "the failure panels show them. Good: 0.",
                    loki(q.error_log_count(c), instant=True),
                    unit="short",
                    steps=[Step("green"), Step("red", 1)],
                    decimals=0,
                    graph=False,
                    no_value="0",
                    datasource=LOKI_DS,
                ),
            ]),
            Row("Trends", [
                timeseries(
                    "Active orchestrations over time",
                    "In-flight instances per process summed. Good: flat, tracking live "
                    "instances; a steady climb means orchestrations are stuck.",
                    [prom(q.active_orchestrations(c), "active")],
                    unit="short",
                    steps=[Step("green"), Step("yellow", 100), Step("red", 200)],
                ),
                timeseries(
                    "Success rate vs SLO",
                    "Successful share of finished orchestrations over 5 min windows. Good: "
                    "above the 95% line.",
                    [prom(q.success_ratio(c, "5m"), "success rate")],
                    unit="percentunit",
                    steps=[Step("red"), Step("green", 0.95)],
                    maximum=1,
                ),
            ]),
        ),
        variables=(v.prometheus_datasource(c), v.loki_datasource(c), v.job(c)),
        tags=("overview",),
        uid="toygres-overview",
    )
