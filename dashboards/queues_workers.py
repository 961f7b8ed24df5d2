"""Toygres Queues and Workers: backlog, throughput and poison messages."""

from generator import queries as q
from generator.authoring import variables as v
from generator.authoring.dashboard import DashboardSpec, Row
from generator.authoring.panels import GREEN, RED, YELLOW, Step, prom, timeseries
from generator.config import Config


def dashboard(c: Config) -> DashboardSpec:
    depth = [Step(GREEN), Step(YELLOW, c.queue_warning), Step(RED, c.queue_critical)]
    return DashboardSpec(
        title="Toygres Queues and Workers",
        description="Queue depth, processing throughput and poison messages of duroxide.",
        rows=(
            Row("Queues", [
                timeseries("Orchestrator queue depth",
                           "Orchestration items waiting for a slot (10 slots). Good: near 0. "
                           "Duroxide <= 0.1.14 (E1) set this gauge once at start-up: flat there "
                           "means stale, not idle.",
                           [prom(q.orchestrator_queue(c), "orchestrator queue")], unit="short",
                           steps=depth, measures="orchestrator_queue"),
                timeseries("Worker queue depth",
                           "Activity items waiting for a worker slot (10 slots). Good: near 0; "
                           "a growing queue means activities arrive faster than workers finish.",
                           [prom(q.worker_queue(c), "worker queue")], unit="short", steps=depth,
                           measures="worker_queue"),
            ]),
            Row("Throughput", [
                timeseries("Orchestration turns processed",
                           "Orchestration turns per second across all slots. Good: steady; flat "
                           "while the orchestrator queue grows means saturation.",
                           [prom(q.turn_rate(c), "turns/s")], unit="ops",
                           no_truth="starts_total counts every turn duroxide ran, including turns whose "
                                    "ack failed and that ran again; the ground truth counts committed turns only"),
                timeseries("Activities processed",
                           "Activity executions per second across all worker slots. Good: "
                           "steady; flat while the worker queue grows means saturation.",
                           [prom(q.activity_rate(c, ()), "activities/s")], unit="ops",
                           measures="activity_rate_total"),
            ]),
            Row("Poison", [
                timeseries("Poison messages",
                           "Messages duroxide gave up on after repeated failures (duroxide >= "
                           "0.1.15 only). Good: 0; each one is work that will never finish.",
                           [prom(q.poison_rate(c, "orchestration"), "orchestration poison"),
                            prom(q.poison_rate(c, "activity"), "activity poison")],
                           unit="ops", steps=[Step(GREEN), Step(RED, 0.0001)],
                           measures={"A": "orchestration_poison_rate", "B": "activity_poison_rate"}),
            ]),
        ),
        variables=(v.prometheus_datasource(c), v.job(c), v.orchestration(c), v.activity(c)),
        tags=("queues", "workers"),
    )
