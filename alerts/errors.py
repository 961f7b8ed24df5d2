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
            "ToygresConfigurationErrors", group=GROUP, language="logql",
            # duroxide records no metric for an unregistered activity or orchestration (no
            # config_error in v0.1.15-0.1.26): it logs a WARN on every abandon (backoff 1, 2,
            # 4 ... 60 s) and poisons the message ~5 minutes later. The WARN lines are the one
            # early signal; any in 5 minutes is a deploy mismatch.
            query=q.unregistered_handler_logs(c, "5m"),
            threshold=Threshold(">", 0), for_="1m", severity="critical", noisy=False,
            dashboard_uid="toygres-logs", panel_title="Errors",
            summary="duroxide cannot find a registered activity or orchestration",
            description=("{{ $value }} 'not registered, abandoning' warnings in 5 minutes: something "
                         "was renamed without registration (deploy mismatch); its messages will be "
                         "poisoned within about 5 minutes."),
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
            # A renamed activity is abandoned 10 times with backoff (1, 2, 4 ... 60 s), then
            # poisoned: the first poison ~5 minutes after the deploy. (Failed acks do not
            # poison in duroxide: they fail the instance at once.)
            runbook_url=runbook(c, "ToygresPoisonMessages"), fires_in=("unregistered-activity",),
            signal="first-poison"),
    ]
