"""The 95 % orchestration success SLO as multi-window, multi-burn-rate alerts."""

from generator import queries as q
from generator.alerting.helpers import dashboard, job_selector
from generator.alerting.model import AlertRule, RecordingRule, Threshold
from generator.config import Config
from generator.pipeline.spec import scenario

GROUP = "toygres-slo"
WINDOWS = ("5m", "30m", "1h", "6h")


def error_ratio(c: Config, window: str) -> str:
    """Failed share of finished orchestrations (continuedAsNew is no outcome)."""
    sel = job_selector(c)
    failed = q.events_in_window(f'duroxide_orchestration_completions_total{{{sel}, status="failed"}}', window)
    total = q.events_in_window(
        f'duroxide_orchestration_completions_total{{{sel}, status=~"success|failed"}}', window)
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
    # Proven in a CMS outage held for 4.5 hours. A 95 % SLO's 14.4x burn is a 72 % failure
    # ratio over both windows; at Toygres' ~44 completions an hour no 20-30 minute fault
    # reaches it (measured max: 1 h ratio 0.60 in database-down, 0.20 in the failure storm),
    # and a total outage needs ~40 minutes. The 6x burn is a 30 % ratio over 6 hours: in an
    # outage nothing succeeds and orchestrations fail at F an hour, so after T hours the ratio is
    # F*T / (F*T + S*(6-T)), S being the healthy completions an hour; it needs about 2.5-3 hours.
    # Held 150 minutes, 4 of the 10 report seeds never reached it. Measured on seeds 1-12 with a
    # 4 h outage, the 6x signal came 110-173 minutes in; the outage is held 4.5 h, an hour and a
    # half past the slowest. See docs/alerts.md.
    common = dict(group=GROUP, dashboard_uid=dashboard("overview"), panel_title="Success rate",
                  fires_in=(scenario("database-down", hold="4h30m"),), noisy=True)
    return recorded + [
        AlertRule(
            "ToygresSLOFastBurn", query=fast_query, threshold=Threshold(">", round(fast, 6)),
            for_="2m", severity="critical",
            summary="Orchestrations are failing fast enough to burn the 95 % SLO budget",
            description=("{{ $value | humanizePercentage }} of orchestrations failed over the last "
                         f"5 minutes and the last hour (more than {c.slo_fast_burn_factor:g}x the "
                         "error budget): users' creates and deletes are failing now."),
            signal="slo-fast-burn", **common),
        AlertRule(
            "ToygresSLOSlowBurn", query=slow_query, threshold=Threshold(">", round(slow, 6)),
            for_="15m", severity="warning",
            summary="Orchestration failures are steadily eating the 95 % SLO budget",
            description=("{{ $value | humanizePercentage }} of orchestrations failed over the last "
                         f"30 minutes and 6 hours (more than {c.slo_slow_burn_factor:g}x the error "
                         "budget): at this rate the month's budget is gone in days."),
            labels={"ticket": "true"}, signal="slo-slow-burn",
            **common),
    ]
