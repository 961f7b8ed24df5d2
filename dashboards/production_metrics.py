"""Toygres Production Metrics: orchestration and activity behaviour in depth."""

from generator import queries as q
from generator.authoring import variables as v
from generator.authoring.dashboard import DashboardSpec, Row
from generator.authoring.panels import GREEN, RED, YELLOW, Step, bargauge, prom, timeseries
from generator.config import Config


def dashboard(c: Config) -> DashboardSpec:
    orchestrations = Row("Orchestrations", [
        timeseries("Turn rate by orchestration, version, initiated_by",
                   "Orchestration turns per second (starts_total counts every turn: start, "
                   "activity result, timer). version=\"unknown\" is a new instance's first turn; "
                   "initiated_by=\"continueAsNew\" the first turn of a new execution. Good: steady.",
                   [prom(q.turn_rate(c, ("orchestration_name", "version", "initiated_by")),
                         "{{orchestration_name}} {{version}} {{initiated_by}}")],
                   unit="ops", width=12,
                   no_truth="starts_total counts every turn duroxide ran, including turns whose ack failed "
                            "and that ran again; the ground truth counts committed turns only"),
        timeseries("Completions by status",
                   "Terminal turns per second by status. continuedAsNew is an actor cycling, not "
                   "an instance ending. Good: failed near 0.",
                   [prom(q.completion_rate(c), "{{status}}")], unit="ops", width=12,
                   measures="completion_rate"),
        timeseries("Failures by error type",
                   "Failed orchestrations per second by error type and category. Good: none; "
                   "infrastructure or configuration errors need an operator.",
                   [prom(q.failure_rate(c, ("error_type", "error_category"), q.ORCH),
                         "{{error_type}} ({{error_category}})")],
                   unit="ops", width=8, measures="failure_rate"),
        timeseries("Turn duration p50 / p95 / p99",
                   "Duration of one orchestration turn (duroxide times turns, not whole "
                   "orchestrations). Good: turns are replays and take milliseconds.",
                   [prom(q.turn_duration(c, 0.5), "p50 {{orchestration_name}}"),
                    prom(q.turn_duration(c, 0.95), "p95 {{orchestration_name}}"),
                    prom(q.turn_duration(c, 0.99), "p99 {{orchestration_name}}")],
                   unit="s", width=8,
                   no_truth="the ground truth keeps no turn durations (the simulator draws them for the "
                            "metric only), so nothing independent can check these quantiles"),
        timeseries("Continue-as-new rate",
                   "Executions ended by continue-as-new per second. Good: one per live instance "
                   "every ~31 s (instance-actor) plus the system-pruner; a drop to 0 means actors "
                   "stopped cycling. Counted from completions (status continuedAsNew), not "
                   "continue_as_new_total: that one gains a series per execution_id, and in E1 "
                   "(duroxide <= 0.1.14) OpenTelemetry moves every label set past 2000 into one "
                   "{otel_metric_overflow=\"true\"} series without orchestration_name, so a sum by "
                   "orchestration_name over it undercounts from then on.",
                   [prom(q.continue_as_new_rate(c), "{{orchestration_name}}")], unit="ops", width=8,
                   measures="continue_as_new_rate"),
        timeseries("History size p95",
                   "95th percentile history size in events. Good: small and flat thanks to "
                   "continue-as-new; growth means an orchestration never truncates its history.",
                   [prom(q.history_size(c, 0.95), "{{orchestration_name}}")], unit="short",
                   width=24, height=6,
                   no_truth="the ground truth keeps no history sizes (the simulator counts them for the "
                            "metric only)"),
    ])
    activities = Row("Activities", [
        timeseries("Activity throughput",
                   "Activity executions per second by activity. Good: steady, health checks "
                   "dominating (four per actor cycle).",
                   [prom(q.activity_rate(c), "{{activity_name}}")], unit="ops", width=12,
                   measures="activity_rate"),
        timeseries("Activity outcomes (non-success)",
                   "Failed activity executions per second by activity and outcome "
                   "(app_error; cancelled only when a lock renewal fails). An unregistered "
                   "activity never shows here: duroxide abandons it with backoff, then poisons "
                   "it (see Queues and Workers). Good: none. Retries are separate "
                   "executions: retry_attempt is always \"0\".",
                   [prom(q.activity_failures(c), "{{activity_name}} {{outcome}}")], unit="ops",
                   width=12, measures="activity_failure_rate"),
        timeseries("Activity success ratio",
                   "Successful share of activity executions. Good: above 99 %.",
                   [prom(q.activity_success_ratio(c), "success ratio")], unit="percentunit",
                   minimum=0, maximum=1, steps=[Step(RED), Step(YELLOW, 0.95), Step(GREEN, 0.99)],
                   width=8, measures="activity_success_ratio"),
        timeseries("Activity p50 / p95 / p99",
                   "Latency percentiles of successful executions by activity. Good: health checks and "
                   "wait-for-ready (one pod-list call) under 1 s; deploy-postgres-v2 under ~8 s; "
                   "get-connection-strings up to ~50 s is normal (it waits for the load balancer's IP).",
                   [prom(q.activity_latency(c, 0.5), "p50 {{activity_name}}"),
                    prom(q.activity_latency(c, 0.95), "p95 {{activity_name}}"),
                    prom(q.activity_latency(c, 0.99), "p99 {{activity_name}}")],
                   unit="s", width=16,
                   measures={"A": "activity_p50", "B": "activity_p95", "C": "activity_p99"}),
        bargauge("Slowest activities (p95)",
                 "The ten activities with the highest p95 latency of successful executions. Good: "
                 "get-connection-strings and deploy-postgres-v2 on top; a CMS activity up here points at the database.",
                 [prom(f"topk(10, {q.activity_latency(c, 0.95)})", "{{activity_name}}",
                       instant=True)],
                 unit="s", width=24, height=9, measures="activity_p95"),
    ])
    return DashboardSpec(
        title="Toygres Production Metrics",
        description="Orchestration turns, outcomes and latencies; activity throughput and latency.",
        rows=(orchestrations, activities),
        variables=(v.prometheus_datasource(c), v.job(c), v.orchestration(c), v.activity(c)),
        tags=("orchestrations", "activities"),
    )
