"""Provider, infrastructure and configuration errors; poison messages."""

from generator import queries as q
from generator.alerting.helpers import concrete, runbook
from generator.alerting.model import AlertRule, Threshold
from generator.config import Config

GROUP = "toygres-errors"


def rules(c: Config) -> list[AlertRule]:
    sel = f'{c.job_label}="{c.job}"'
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
            query=concrete(c, q.infrastructure_errors(c)),
            threshold=Threshold(">", 0), for_="5m", severity="critical",
            dashboard_uid="toygres-production-metrics", panel_title="Failures by error type",
            summary="duroxide reports infrastructure errors",
            description="{{ $value | humanize }} infrastructure errors per second (database, network or Kubernetes).",
            runbook_url=runbook(c, "ToygresInfrastructureErrors"), fires_in=("database-slow",)),
        AlertRule(
            "ToygresConfigurationErrors", group=GROUP,
            query=concrete(c, q.configuration_errors(c)),
            threshold=Threshold(">", 0), for_="2m", severity="critical", noisy=False,
            dashboard_uid="toygres-production-metrics", panel_title="Activity outcomes (non-success)",
            summary="duroxide cannot find a registered activity or orchestration",
            description=("{{ $value | humanize }} configuration errors per second: something was "
                         "renamed without registration (deploy mismatch)."),
            runbook_url=runbook(c, "ToygresConfigurationErrors"), fires_in=("unregistered-activity",)),
        AlertRule(
            "ToygresPoisonMessages", group=GROUP,
            # A poison counter's series is born at its first increment, which increase() cannot
            # see; so series older than the window count their increase and series born inside
            # it count their whole value (every poison they ever saw happened in the window).
            query=" + ".join(
                f"(sum(increase({m}{{{sel}}}[15m]) and {m}{{{sel}}} offset 15m) or vector(0)) + "
                f"(sum({m}{{{sel}}} unless {m}{{{sel}}} offset 15m) or vector(0))"
                for m in ("duroxide_orchestration_poison_total", "duroxide_activity_poison_total")),
            threshold=Threshold(">", 0), for_="0m", severity="warning", noisy=False,
            dashboard_uid="toygres-queues-workers", panel_title="Poison messages",
            summary="duroxide gave up on messages (poison)",
            description="{{ $value | humanize }} messages were poisoned in 15 minutes: that work will never finish.",
            # Store locks outlasting the statement timeout fail every ack: 10 deliveries in ~2
            # minutes. (A renamed activity on duroxide >= 0.1.10 poisons too, but only after
            # its 5-minute backoff: unregistered-activity-backoff.)
            runbook_url=runbook(c, "ToygresPoisonMessages"), fires_in=("store-lock-contention",),
            signal="first-poison"),
    ]
