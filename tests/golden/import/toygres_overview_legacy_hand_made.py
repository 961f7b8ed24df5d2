"""Toygres Overview (legacy, hand-made) (imported by `dashgen import`)."""

# Imported from legacy-toygres-overview.json (uid legacy-toygres-overview); edit this module, not
#   the JSON.
# Migrated (docs/import.md):
#   - 5 data source name(s) -> {type, uid} references (schemaVersion 33 migration; names that are no
#     variable keep the name as uid: check it)
# On compile (house conventions, docs/import.md): keys the original leaves unset take the builders'
#   values, the description gains the generated-file note, tags gain 'toygres-managed' and
#   'toygres', the 'Toygres dashboards' link is added and schemaVersion is 39.

from generator.authoring.dashboard import DashboardSpec, Row
from generator.authoring.panels import prom, stat, timeseries
from generator.config import Config

DS_PROMETHEUS = {"type": "prometheus", "uid": "Prometheus"}


def dashboard(c: Config) -> DashboardSpec:
    return DashboardSpec(
        title="Toygres Overview (legacy, hand-made)",
        description="A reconstruction of the dashboard Toygres' operators used before this "
                    "project: every panel here lied or could never show data.",
        rows=(
            Row(None, [
                stat(
                    "Active orchestrations",
                    "Starts minus completions.",
                    prom(
                        'sum(duroxide_orchestration_starts_total{job="toygres"}) - sum(duroxide_orchestration_completions_total{job="toygres"})',
                        datasource=DS_PROMETHEUS,
                    ),
                    unit="short",
                    datasource=DS_PROMETHEUS,
                ),
                timeseries(
                    "Activity retries",
                    "Retries per second.",
                    [
                        prom(
                            'sum(rate(duroxide_activity_retries_total{job="toygres"}[5m]))',
                            datasource=DS_PROMETHEUS,
                        ),
                        prom(
                            'sum(rate(duroxide_activity_executions_total{job="toygres", '
                            'activity_name!="", retry_attempt="1"}[5m]))',
                            datasource=DS_PROMETHEUS,
                        ),
                    ],
                    unit="ops",
                    minimum=None,
                    datasource=DS_PROMETHEUS,
                ),
                timeseries(
                    "Activity p95",
                    "p95 latency.",
                    [
                        prom(
                            'histogram_quantile(0.95, rate(duroxide_activity_duration_seconds_bucket{job="toygres"}[1m]))',
                            datasource=DS_PROMETHEUS,
                        ),
                    ],
                    unit="s",
                    minimum=None,
                    datasource=DS_PROMETHEUS,
                ),
                timeseries(
                    "Activity throughput",
                    "Executions per second.",
                    [
                        prom(
                            'sum(rate(duroxide_activity_executions_total{job="toygres"}[15s]))',
                            datasource=DS_PROMETHEUS,
                        ),
                    ],
                    unit="ops",
                    minimum=None,
                    datasource=DS_PROMETHEUS,
                ),
                stat(
                    "Connection pool size",
                    "",
                    prom(
                        'max(duroxide_provider_connection_pool_size{job="toygres"})',
                        datasource=DS_PROMETHEUS,
                    ),
                    unit=None,
                    datasource=DS_PROMETHEUS,
                ),
            ]),
        ),
        uid="legacy-toygres-overview",
    )
