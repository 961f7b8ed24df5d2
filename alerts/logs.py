"""Error log rate from Loki (a Grafana-managed or Loki-ruler rule; LogQL, not PromQL)."""

from generator import queries as q
from generator.alerting.helpers import dashboard
from generator.alerting.model import AlertRule, Threshold
from generator.config import Config

GROUP = "toygres-logs"


def rules(c: Config) -> list[AlertRule]:
    return [
        AlertRule(
            "ToygresErrorLogRate", group=GROUP, language="logql",
            query=q.error_log_count(c, "5m"),
            threshold=Threshold(">", c.error_logs_per_minute_warning * 5), for_="5m",
            severity="warning", dashboard_uid=dashboard("logs"), panel_title="Errors",
            summary="duroxide is logging errors",
            description=("{{ $value }} ERROR lines in 5 minutes (infrastructure or configuration "
                         "failures): search the Toygres Logs dashboard by instance_id."),
            fires_in=("database-slow",)),
    ]
