"""Error and store-trouble log rate from Loki (a Grafana-managed or Loki-ruler rule; LogQL)."""

from generator import queries as q
from generator.alerting.helpers import dashboard
from generator.alerting.model import AlertRule, Threshold
from generator.config import Config

GROUP = "toygres-logs"


def rules(c: Config) -> list[AlertRule]:
    return [
        # Counts what the Overview's "Error logs" figure counts (and `dashgen check` proves the
        # rule's selection against that panel's claim): ERROR lines plus the store and
        # dispatcher WARNs, because a database outage is logged only at WARN.
        AlertRule(
            "ToygresErrorLogRate", group=GROUP, language="logql",
            query=q.error_log_count(c, "5m"),
            threshold=Threshold(">", c.error_logs_per_minute_warning * 5), for_="5m",
            severity="warning", dashboard_uid=dashboard("overview"), panel_title="Error logs",
            summary="duroxide is logging errors or store trouble",
            description=("{{ $value }} ERROR or store/dispatcher WARN lines in 5 minutes (failed fetches "
                         "or acks, poison, infrastructure failures): open the Toygres Logs dashboard's "
                         "'Store and dispatcher trouble' panel, no instance selected."),
            fires_in=("database-down", "database-slow")),
    ]
