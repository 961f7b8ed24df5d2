"""Named Toygres queries, shared by dashboards and alerts and kept apart from layout.

Each returns PromQL (or LogQL) text for a Config; the comments say why the query is shaped the
way it is, because most of the shapes exist to avoid a way duroxide's metrics can mislead.
"""

from __future__ import annotations

from generator.authoring import logql
from generator.authoring.promql import quantile, ratio, selector, sum_rate
from generator.config import Config

ORCH = 'orchestration_name=~"$orchestration_name"'
ACT = 'activity_name=~"$activity_name"'

STARTS = "duroxide_orchestration_starts_total"
COMPLETIONS = "duroxide_orchestration_completions_total"
FAILURES = "duroxide_orchestration_failures_total"
ACTIVITY_EXECUTIONS = "duroxide_activity_executions_total"


def events_in_window(selector_text: str, window: str) -> str:
    """Events a counter counted in the window, including those of series born inside it.

    A duroxide counter series appears at its first increment (a new orchestration version, the
    first failure of a kind, the first poison), which increase() cannot see; over long windows
    those lost first events delay alerts. Series older than the window count their increase;
    series born inside it count their whole value.
    """
    s, w = selector_text, window
    return (f"((sum(increase({s}[{w}]) and {s} offset {w}) or vector(0)) "
            f"+ (sum({s} unless {s} offset {w}) or vector(0)))")


def active_orchestrations(c: Config) -> str:
    """In-flight instances as of duroxide's latest gauge poll.

    duroxide sets the gauge to the store's global count of Running executions at start-up and
    every gauge_poll_interval, in every process; between polls it only falls (-1 per
    completion or failure; the +1 for a new instance never runs). So: max over the poll
    interval (the latest poll's exact count, or the previous one's if larger), then max over
    processes (each reports the same global count; a sum would read N times the truth).
    Never starts_total - completions_total: both are cumulative, reset on restart, and
    continue-as-new counts as a completion while the instance lives on (~1000 vs 10-50).
    """
    window = f"{c.gauge_poll_interval_seconds}s"
    return f"max (max_over_time({selector(c, 'duroxide_active_orchestrations')}[{window}]))"


def active_orchestrations_per_process(c: Config) -> str:
    """Each process's raw gauge: the global count at its last poll minus its own completions since."""
    return f"max by (instance) ({selector(c, 'duroxide_active_orchestrations')})"


def success_ratio(c: Config, window: str = "$__rate_interval") -> str:
    """Successful share of terminal outcomes; continuedAsNew is no outcome and is left out."""
    good = sum_rate(c, COMPLETIONS, 'status="success"', window=window)
    total = sum_rate(c, COMPLETIONS, 'status=~"success|failed"', window=window)
    return ratio(good, total)


def failure_rate(c: Config, labels: tuple[str, ...] = (), *matchers: str) -> str:
    """Failed orchestrations per second (the E2 copy without orchestration_name excluded)."""
    return sum_rate(c, FAILURES, *matchers, labels=labels)


def failure_rate_or_zero(c: Config) -> str:
    """The total failure rate, 0 rather than "No data" while nothing has ever failed (the
    failures series only exist after the first failure)."""
    return f"{failure_rate(c)} or on() vector(0)"


def turn_rate(c: Config, labels: tuple[str, ...] = ()) -> str:
    """Orchestration turns per second: starts_total counts every turn, not every instance."""
    return sum_rate(c, STARTS, ORCH, labels=labels)


def completion_rate(c: Config, labels: tuple[str, ...] = ("status",)) -> str:
    return sum_rate(c, COMPLETIONS, ORCH, labels=labels)


def continue_as_new_rate(c: Config) -> str:
    """Executions ended by continue-as-new per second. Not from continue_as_new_total: it is
    labelled with the ending execution_id, so each of its series is born at its one and only
    increment, which rate() never sees (the panel read 0 while actors cycled twice a minute).
    The completions counter records the same terminal turns under one series per version; in E1
    it also stays far below OpenTelemetry's 2000 label sets per instrument, which
    continue_as_new_total passes within a day (later values: {otel_metric_overflow="true"})."""
    return sum_rate(c, COMPLETIONS, ORCH, 'status="continuedAsNew"', labels=("orchestration_name",))


def turn_duration(c: Config, q: float) -> str:
    """Quantile of one turn's duration (duroxide times turns, not whole orchestrations)."""
    return quantile(c, q, "duroxide_orchestration_duration_seconds", ORCH,
                    labels=("orchestration_name",))


def history_size(c: Config, q: float) -> str:
    return quantile(c, q, "duroxide_orchestration_history_size", ORCH,
                    labels=("orchestration_name",))


def orchestrator_queue(c: Config) -> str:
    """Items waiting for an orchestration slot. The queue lives in the shared store and every
    replica reports the same number, so take the max across processes, not the sum."""
    return f"max ({selector(c, 'duroxide_orchestrator_queue_depth')})"


def worker_queue(c: Config) -> str:
    return f"max ({selector(c, 'duroxide_worker_queue_depth')})"


def activity_rate(c: Config, labels: tuple[str, ...] = ("activity_name",), *matchers: str) -> str:
    """Activity executions per second (the E2 outcome-only copy excluded by the guard)."""
    return sum_rate(c, ACTIVITY_EXECUTIONS, ACT, *matchers, labels=labels)


def activity_success_ratio(c: Config) -> str:
    good = sum_rate(c, ACTIVITY_EXECUTIONS, ACT, 'outcome="success"')
    return ratio(good, sum_rate(c, ACTIVITY_EXECUTIONS, ACT))


def activity_latency(c: Config, q: float, labels: tuple[str, ...] = ("activity_name",)) -> str:
    """Latency of successful executions. Failures are timed too (a refused connection fails
    in ms, a timeout after seconds) and E2's per-outcome summaries cannot be merged, so the
    one latency both eras can show exactly per activity is that of successes."""
    return quantile(c, q, "duroxide_activity_duration_seconds", ACT, 'outcome="success"', labels=labels)


def activity_failures(c: Config) -> str:
    return sum_rate(c, ACTIVITY_EXECUTIONS, ACT, 'outcome!="success"',
                    labels=("activity_name", "outcome"))


def _both_sides(c: Config, orchestration: str, activity: str) -> str:
    """Orchestration plus activity errors per second. `or vector(0)`: a counter nothing has
    incremented yet has no series, and one empty side would make the whole sum empty."""
    return f"({sum_rate(c, orchestration)} or vector(0)) + ({sum_rate(c, activity)} or vector(0))"


def infrastructure_errors(c: Config) -> str:
    """Infra errors: activity ones carry no activity_name (outcome="infra_error") in duroxide."""
    return _both_sides(c, "duroxide_orchestration_infrastructure_errors_total",
                       "duroxide_activity_infrastructure_errors_total")


UNREGISTERED = "not registered, abandoning with"


def unregistered_handler_logs(c: Config, window: str = "$__auto") -> str:
    """WARN lines for messages naming an activity or orchestration no process registered.

    duroxide records no metric for them (config_error and
    activity_configuration_errors_total are never recorded in v0.1.15-0.1.26): it abandons the
    message with a growing backoff and logs "Activity/Orchestration not registered, abandoning
    with Ns backoff" each time, and only ~5 minutes later poisons it. These lines are the
    first and only early sign of a deploy that renamed a handler."""
    query = f'{logql.stream(c, "warn")} |= "{UNREGISTERED}"'
    return f"sum({logql.count_over_time(query, window)})"


def provider_latency(c: Config, q: float, labels: tuple[str, ...] = ()) -> str:
    """Provider (Postgres store) operation latency quantile per operation, or without labels
    the slowest operation's. Not the quantile over all operations: E2 exports per-process
    summaries per operation, which cannot be merged, so "slowest operation" is the one
    definition both eras can compute (and idle fetches would dilute an overall figure)."""
    if labels:
        return quantile(c, q, "duroxide_provider_operation_duration_seconds", labels=labels)
    return f"max ({quantile(c, q, 'duroxide_provider_operation_duration_seconds', labels=('operation',))})"


def provider_rate(c: Config, labels: tuple[str, ...] = ("operation", "status")) -> str:
    return sum_rate(c, "duroxide_provider_operation_duration_seconds_count", labels=labels)


def provider_errors(c: Config, labels: tuple[str, ...] = ("error_type",)) -> str:
    return sum_rate(c, "duroxide_provider_errors_total", labels=labels)


def poison_rate(c: Config, kind: str) -> str:
    """Poisoned messages per second; 0 (not "No data") until the first poison creates the series."""
    return f"{sum_rate(c, f'duroxide_{kind}_poison_total')} or vector(0)"


def log_volume_by_level(c: Config) -> str:
    """Lines per interval by level, for the `$instance_id` the logs dashboard selects."""
    query = logql.with_instance(c) + logql.level_of(c)
    return f"sum by (level) ({logql.count_over_time(query)})"


def error_log_rate(c: Config) -> str:
    """ERROR lines per interval for the selected `$instance_id`."""
    return f"sum({logql.count_over_time(logql.with_instance(c, 'error'))})"


def error_log_count(c: Config, window: str = "$__range") -> str:
    """ERROR lines plus the store and dispatcher WARNs in the window (one number). duroxide
    writes a database outage only at WARN (fetch, ack and session failures), so an ERROR-only
    count reads 0 in the worst incident; application WARNs (a failed activity) are expected at a
    few percent and have their own panels, so they are left out."""
    return f"sum({logql.count_over_time(logql.errors_and_trouble(c), window)})"


def trouble_log_rate(c: Config) -> str:
    """Store and dispatcher trouble lines per interval, by level, for the selected instance."""
    return f"sum by (level) ({logql.count_over_time(logql.trouble(c, instance=True) + logql.level_of(c))})"
