"""Provider, infrastructure and configuration errors; poison messages."""

from generator.alerting.helpers import runbook
from generator.alerting.model import AlertRule, Threshold
from generator.config import Config

GROUP = "toygres-errors"


def rules(c: Config) -> list[AlertRule]:
    sel = f'job="{c.job}"'
    return [
        AlertRule(
            "ToygresProviderErrors", group=GROUP,
            query=(f'sum by (error_type) (rate(duroxide_provider_errors_total{{{sel}, '
                   f'error_type=~"deadlock|timeout|connection"}}[5m]))'),
            threshold=Threshold(">", 0), for_="5m", severity="critical",
            dashboard_uid="toygres-provider", panel_title="Provider errors by type",
            summary="The duroxide store reports {{ $labels.error_type }} errors",
            description=("{{ $value | humanize }} {{ $labels.error_type }} errors per second from "
                         "the provider (Postgres store) over 5 minutes."),
            runbook_url=runbook(c, "ToygresProviderErrors"), fires_in=("database-slow",)),
        AlertRule(
            "ToygresInfrastructureErrors", group=GROUP,
            query=(f"sum(rate(duroxide_orchestration_infrastructure_errors_total{{{sel}}}[5m])) "
                   f"+ sum(rate(duroxide_activity_infrastructure_errors_total{{{sel}}}[5m]))"),
            threshold=Threshold(">", 0), for_="5m", severity="critical",
            dashboard_uid="toygres-production-metrics", panel_title="Failures by error type",
            summary="duroxide reports infrastructure errors",
            description="{{ $value | humanize }} infrastructure errors per second (database, network or Kubernetes).",
            runbook_url=runbook(c, "ToygresInfrastructureErrors"), fires_in=("database-slow",)),
        AlertRule(
            "ToygresConfigurationErrors", group=GROUP,
            query=(f"sum(rate(duroxide_orchestration_configuration_errors_total{{{sel}}}[5m])) "
                   f"+ sum(rate(duroxide_activity_configuration_errors_total{{{sel}}}[5m]))"),
            threshold=Threshold(">", 0), for_="2m", severity="critical", noisy=False,
            dashboard_uid="toygres-production-metrics", panel_title="Activity outcomes (non-success)",
            summary="duroxide cannot find a registered activity or orchestration",
            description=("{{ $value | humanize }} configuration errors per second: something was "
                         "renamed without registration (deploy mismatch)."),
            runbook_url=runbook(c, "ToygresConfigurationErrors"), fires_in=("unregistered-activity",)),
        AlertRule(
            "ToygresPoisonMessages", group=GROUP,
            query=(f"sum(increase(duroxide_orchestration_poison_total{{{sel}}}[15m])) "
                   f"+ sum(increase(duroxide_activity_poison_total{{{sel}}}[15m]))"),
            threshold=Threshold(">", 0), for_="0m", severity="warning", noisy=False,
            dashboard_uid="toygres-queues-workers", panel_title="Poison messages",
            summary="duroxide gave up on messages (poison)",
            description="{{ $value | humanize }} messages were poisoned in 15 minutes: that work will never finish.",
            runbook_url=runbook(c, "ToygresPoisonMessages"), fires_in=("unregistered-activity",)),
    ]
