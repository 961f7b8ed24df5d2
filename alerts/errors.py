"""Provider, infrastructure and configuration errors; poison messages."""

from generator import queries as q
from generator.alerting.helpers import concrete, dashboard, job_selector
from generator.alerting.model import AlertRule, Threshold
from generator.config import Config

GROUP = "toygres-errors"


def rules(c: Config) -> list[AlertRule]:
    sel = job_selector(c)
    return [
        AlertRule(
            "ToygresProviderErrors", group=GROUP,
            query=(f'sum by (error_type) (rate(duroxide_provider_errors_total{{{sel}, '
                   f'error_type=~"deadlock|timeout|connection"}}[5m]))'),
            threshold=Threshold(">", 0), for_="5m", severity="critical",
            dashboard_uid=dashboard("provider"), panel_title="Provider errors by type",
            summary="The duroxide store reports {{ $labels.error_type }} errors",
            description=("{{ $value | humanize }} {{ $labels.error_type }} errors per second from "
                         "the provider (Postgres store) over 5 minutes."),
            fires_in=("database-slow",)),
        AlertRule(
            "ToygresInfrastructureErrors", group=GROUP,
            query=concrete(c, q.infrastructure_errors(c)),
            threshold=Threshold(">", 0), for_="5m", severity="critical",
            dashboard_uid=dashboard("production_metrics"), panel_title="Failures by error type",
            summary="duroxide reports infrastructure errors",
            description="{{ $value | humanize }} infrastructure errors per second (database, network or Kubernetes).",
            fires_in=("database-slow",)),
        AlertRule(
            "ToygresConfigurationErrors", group=GROUP,
            query=concrete(c, q.configuration_errors(c)),
            threshold=Threshold(">", 0), for_="2m", severity="critical", noisy=False,
            dashboard_uid=dashboard("production_metrics"), panel_title="Activity outcomes (non-success)",
            summary="duroxide cannot find a registered activity or orchestration",
            description=("{{ $value | humanize }} configuration errors per second: something was "
                         "renamed without registration (deploy mismatch)."),
            fires_in=("unregistered-activity",)),
        AlertRule(
            "ToygresPoisonMessages", group=GROUP,
            # A poison counter's series is born at its first increment, which increase() cannot
            # see: events_in_window counts those whole.
            query=" + ".join(q.events_in_window(f"{m}{{{sel}}}", "15m")
                             for m in ("duroxide_orchestration_poison_total", "duroxide_activity_poison_total")),
            threshold=Threshold(">", 0), for_="0m", severity="warning", noisy=False,
            dashboard_uid=dashboard("queues_workers"), panel_title="Poison messages",
            summary="duroxide gave up on messages (poison)",
            description="{{ $value | humanize }} messages were poisoned in 15 minutes: that work will never finish.",
            # Store locks outlasting the statement timeout fail every ack: 10 deliveries in ~2
            # minutes. (A renamed activity on duroxide >= 0.1.10 poisons too, but only after
            # its 5-minute backoff: unregistered-activity-backoff.)
            fires_in=("store-lock-contention",),
            signal="first-poison"),
    ]
