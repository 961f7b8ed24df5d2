"""The 95 % orchestration success SLO as multi-window, multi-burn-rate alerts."""

from generator.alerting.helpers import runbook
from generator.alerting.model import AlertRule, RecordingRule, Threshold
from generator.config import Config

GROUP = "toygres-slo"
WINDOWS = ("5m", "30m", "1h", "6h")


def error_ratio(c: Config, window: str) -> str:
    """Failed share of finished orchestrations (continuedAsNew is no outcome)."""
    sel = f'job="{c.job}"'
    failed = f'sum(rate(duroxide_orchestration_completions_total{{{sel}, status="failed"}}[{window}]))'
    total = f'sum(rate(duroxide_orchestration_completions_total{{{sel}, status=~"success|failed"}}[{window}]))'
    return f"({failed} / ({total} > 0))"


def record_name(window: str) -> str:
    return f"toygres:orchestration_error_ratio:rate{window}"


def rules(c: Config) -> list[AlertRule | RecordingRule]:
    budget = 1 - c.slo_success_ratio
    fast = c.slo_fast_burn_factor * budget
    slow = c.slo_slow_burn_factor * budget
    recorded = [RecordingRule(record_name(w), error_ratio(c, w), GROUP) for w in WINDOWS]
    # Grafana alerts query Prometheus directly (our recording rules may not be loaded
    # there), so the burn-rate conditions inline the ratios.
    fast_query = f"{error_ratio(c, '1h')} > {fast:g} and {error_ratio(c, '5m')}"
    slow_query = f"{error_ratio(c, '6h')} > {slow:g} and {error_ratio(c, '30m')}"
    common = dict(group=GROUP, dashboard_uid="toygres-overview", panel_title="Success rate",
                  fires_in=("activity-failure-storm", "database-down"), noisy=True)
    return recorded + [
        AlertRule(
            "ToygresSLOFastBurn", query=fast_query, threshold=Threshold(">", round(fast, 6)),
            for_="2m", severity="critical",
            summary="Orchestrations are failing fast enough to burn the 95 % SLO budget",
            description=("{{ $value | humanizePercentage }} of orchestrations failed over the last "
                         f"5 minutes and the last hour (more than {c.slo_fast_burn_factor:g}x the "
                         "error budget): users' creates and deletes are failing now."),
            runbook_url=runbook(c, "ToygresSLOFastBurn"), **common),
        AlertRule(
            "ToygresSLOSlowBurn", query=slow_query, threshold=Threshold(">", round(slow, 6)),
            for_="15m", severity="warning",
            summary="Orchestration failures are steadily eating the 95 % SLO budget",
            description=("{{ $value | humanizePercentage }} of orchestrations failed over the last "
                         f"30 minutes and 6 hours (more than {c.slo_slow_burn_factor:g}x the error "
                         "budget): at this rate the month's budget is gone in days."),
            runbook_url=runbook(c, "ToygresSLOSlowBurn"), labels={"ticket": "true"}, **common),
    ]
