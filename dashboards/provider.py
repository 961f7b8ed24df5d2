"""Toygres Provider / Database: the Postgres store behind duroxide."""

from generator import queries as q
from generator.authoring import variables as v
from generator.authoring.dashboard import DashboardSpec, Row
from generator.authoring.panels import GREEN, RED, YELLOW, Step, prom, stat, timeseries
from generator.config import Config


def dashboard(c: Config) -> DashboardSpec:
    latency = [Step(GREEN), Step(YELLOW, c.provider_p95_warning_seconds),
               Step(RED, c.provider_p95_critical_seconds)]
    return DashboardSpec(
        title="Toygres Provider / Database",
        description="Latency, rate and errors of duroxide's provider operations on Postgres.",
        rows=(
            Row("Latency", [
                stat("Provider p95 (slowest operation)",
                     "95th percentile latency of the slowest kind of provider operation (E2's "
                     "per-operation summaries cannot be merged into one overall figure). "
                     "Good: a few ms.",
                     prom(q.provider_latency(c, 0.95)), unit="s", decimals=3, steps=latency,
                     width=6, height=8, measures="provider_p95"),
                timeseries("Operation latency p50 / p95 / p99 by operation",
                           "Latency percentiles per provider operation. Good: fetch/ack under "
                           f"{c.provider_p95_warning_seconds * 1000:.0f} ms; a rise across all "
                           "operations means the database is slow.",
                           [prom(q.provider_latency(c, 0.5, ("operation",)), "p50 {{operation}}"),
                            prom(q.provider_latency(c, 0.95, ("operation",)), "p95 {{operation}}"),
                            prom(q.provider_latency(c, 0.99, ("operation",)), "p99 {{operation}}")],
                           unit="s", steps=latency, width=18,
                           no_truth="per-operation quantiles: the truth bounds only the slowest operation's "
                                    "p95 (the stat beside this), not yet each operation's p50/p95/p99"),
            ]),
            Row("Throughput and errors", [
                timeseries("Operation rate by operation and status",
                           "Provider operations per second. Good: dominated by idle fetches "
                           "(~10/s per dispatcher); status=\"error\" near 0.",
                           [prom(q.provider_rate(c), "{{operation}} {{status}}")], unit="ops",
                           no_truth="the ground truth counts provider operations only in 5-minute totals, "
                                    "and idle polls are accounted once per scrape interval, not as events"),
                timeseries("Provider errors by type",
                           "Provider errors per second: deadlock, timeout, connection, other. "
                           "Good: none; timeouts and deadlocks mean an overloaded database.",
                           [prom(q.provider_errors(c), "{{error_type}}")], unit="ops",
                           steps=[Step(GREEN), Step(RED, 0.01)], measures="provider_error_rate"),
            ]),
        ),
        variables=(v.prometheus_datasource(c), v.job(c)),
        tags=("provider", "database"),
    )
