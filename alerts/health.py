"""Instance actors no longer cycling, and Toygres metrics gone entirely."""

from generator.alerting.helpers import dashboard, job_selector
from generator.alerting.model import AlertRule
from generator.catalogue import ACTIVITY_PREFIX
from generator.config import Config

GROUP = "toygres-health"


def rules(c: Config) -> list[AlertRule]:
    sel = job_selector(c)
    checks = (f'duroxide_activity_executions_total{{{sel}, '
              f'activity_name="{ACTIVITY_PREFIX}cms-record-health-check", outcome="success"}}')
    return [
        AlertRule(
            "ToygresActorsNotCycling", group=GROUP,
            # No successful health check in the last minute (30 actors record ~1 a second;
            # one actor every ~31 s), although actors recorded some in the last hour (so an
            # empty fleet is quiet), while Toygres is being scraped (so exporter-down is
            # ToygresMetricsAbsent's page, not this one). count_over_time, not the gauge's
            # value: a backfilled or stale gauge would still answer for 5 minutes.
            query=(f"(sum(rate({checks}[1m])) or vector(0)) == 0 and on() sum(increase({checks}[1h])) > 0 "
                   f"and on() count(count_over_time(duroxide_worker_queue_depth{{{sel}}}[1m])) > 0"),
            threshold=None, for_="3m", severity="critical",
            dashboard_uid=dashboard("production_metrics"), panel_title="Activity throughput",
            summary="Instance actors stopped recording health checks",
            description=("No successful health check for 4 minutes although actors recorded them "
                         "within the hour: instance health is unknown to Toygres."),
            fires_in=("database-down",)),
        AlertRule(
            "ToygresMetricsAbsent", group=GROUP,
            # absent_over_time over 1 minute (4 missed scrapes), not absent(): absent() waits
            # out the 5-minute lookback wherever no staleness marker is written (a collector
            # that stops exporting, backfilled data), so it would page 10 minutes late.
            query=f"absent_over_time(duroxide_orchestrator_queue_depth{{{sel}}}[1m])",
            threshold=None, for_="5m", severity="critical", noisy=False,
            dashboard_uid=dashboard("overview"), panel_title="Active orchestrations",
            summary="No duroxide metrics from Toygres",
            description=(f"No sample of duroxide_orchestrator_queue_depth{{{sel}}} for 6 minutes: "
                         "the exporter, the scrape or the OTLP collector is down (or job is wrong)."),
            fires_in=("exporter-down",)),
    ]
