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
            # Per second over 5 minutes: more than N in 5 minutes (an orphaned activity or two
            # is normal; generator/config.py).
            threshold=Threshold(">", round(c.infrastructure_errors_per_5m_critical / 300, 6)), for_="5m",
            severity="critical",
            dashboard_uid=dashboard("production_metrics"), panel_title="Failures by error type",
            summary="duroxide reports infrastructure errors",
            description=("{{ $value | humanize }} infrastructure errors per second over 5 minutes (more than "
                         f"{c.infrastructure_errors_per_5m_critical:g} in 5 minutes: database, network or "
                         "Kubernetes)."),
            fires_in=("database-slow",)),
        AlertRule(
            "ToygresConfigurationErrors", group=GROUP, language="logql",
            # duroxide records no metric for an unregistered activity or orchestration (no
            # config_error in v0.1.15-0.1.26): it logs a WARN on every abandon (backoff 1, 2,
            # 4 ... 60 s) and poisons the message ~5 minutes later. The WARN lines are the one
            # early signal; any in 5 minutes is a deploy mismatch.
            query=q.unregistered_handler_logs(c, "5m"),
            threshold=Threshold(">", 0), for_="1m", severity="critical", noisy=False,
            dashboard_uid=dashboard("logs"), panel_title="Errors",
            summary="duroxide cannot find a registered activity or orchestration",
            description=("{{ $value }} 'not registered, abandoning' warnings in 5 minutes: something "
                         "was renamed without registration (deploy mismatch); its messages will be "
                         "poisoned within about 5 minutes."),
            fires_in=("unregistered-activity", "unregistered-orchestration"), shows="configuration"),
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
            # A renamed activity is abandoned 10 times with backoff (1, 2, 4 ... 60 s), then
            # poisoned: the first poison ~5 minutes after the deploy. (Failed acks do not
            # poison in duroxide: they fail the instance at once.) A renamed orchestration takes
            # the same path at fetch (orchestration.rs:544, 679).
            fires_in=("unregistered-activity", "unregistered-orchestration"),
            signal="first-poison"),
    ]
