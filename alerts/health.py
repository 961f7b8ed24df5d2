"""Instance actors no longer cycling, and Toygres metrics gone entirely."""

from generator.alerting.helpers import runbook
from generator.alerting.model import AlertRule, Threshold
from generator.catalogue import ACTIVITY_PREFIX
from generator.config import Config

GROUP = "toygres-health"


def rules(c: Config) -> list[AlertRule]:
    sel = f'job="{c.job}"'
    health_checks = (f'sum(rate(duroxide_activity_executions_total{{{sel}, '
                     f'activity_name="{ACTIVITY_PREFIX}cms-record-health-check", outcome="success"}}[10m]))')
    return [
        AlertRule(
            "ToygresActorsNotCycling", group=GROUP,
            # Live instances exist but their actors record no successful health check.
            query=f"({health_checks} or vector(0)) == 0 and on() sum(duroxide_active_orchestrations{{{sel}}}) > 0",
            threshold=None, for_="10m", severity="critical",
            dashboard_uid="toygres-production-metrics", panel_title="Activity throughput",
            summary="Instance actors stopped recording health checks",
            description=("No successful health check in 10 minutes while instances are live: "
                         "instance health is unknown to Toygres."),
            runbook_url=runbook(c, "ToygresActorsNotCycling"), fires_in=("database-down",)),
        AlertRule(
            "ToygresMetricsAbsent", group=GROUP,
            query=f"absent(duroxide_orchestrator_queue_depth{{{sel}}})",
            threshold=None, for_="5m", severity="critical", noisy=False,
            dashboard_uid="toygres-overview", panel_title="Active orchestrations",
            summary="No duroxide metrics from Toygres",
            description=(f"No series of duroxide_orchestrator_queue_depth{{{sel}}} for 5 minutes: "
                         "the exporter, the scrape or the OTLP collector is down (or job is wrong)."),
            runbook_url=runbook(c, "ToygresMetricsAbsent"), fires_in=("exporter-down",)),
    ]
