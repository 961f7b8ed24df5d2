"""Activity and provider latency."""

from generator import queries as q
from generator.alerting.helpers import concrete, dashboard
from generator.alerting.model import AlertRule, Threshold
from generator.authoring.promql import quantile
from generator.config import Config

GROUP = "toygres-latency"
# Activities that are slow by design: get-connection-strings sleeps inside the activity for the
# load balancer's IP (up to 10 x 5 s), deploy-postgres(-v2) applies the manifests. Newest
# wait-for-ready is one sub-second pod-list call, so it is judged like the rest (a slow one means
# the Kubernetes API is slow). CMS activities have their own budget below.
SLOW_BY_DESIGN = 'activity_name!~".*::(get-connection-strings|deploy-postgres(-v2)?|cms-.*)"'
# CMS activities: single queries on the Postgres that also holds the duroxide store.
CMS = 'activity_name=~".*::cms-.*"'


def rules(c: Config) -> list[AlertRule]:
    def p99(matcher: str) -> str:
        return concrete(c, quantile(c, 0.99, "duroxide_activity_duration_seconds", matcher, labels=("activity_name",)))

    # Two budgets: CMS queries take ~50 ms, so 90 s could never catch a slow database.
    activity_p99 = (f"{p99(CMS)} > {c.cms_activity_p99_warning_seconds:g} "
                    f"or {p99(SLOW_BY_DESIGN)} > {c.activity_p99_warning_seconds:g}")
    return [
        AlertRule(
            "ToygresActivityLatencyHigh", group=GROUP, query=activity_p99,
            threshold=None, for_="5m",
            severity="warning", dashboard_uid=dashboard("production_metrics"),
            panel_title="Activity p50 / p95 / p99",
            summary="An activity is much slower than usual",
            description=("p99 of {{ $labels.activity_name }} is {{ $value | humanizeDuration }} "
                         f"(thresholds: {c.cms_activity_p99_warning_seconds:g}s for cms-* queries, "
                         f"{c.activity_p99_warning_seconds:g}s for the rest; get-connection-strings "
                         "and deploy-postgres are excluded as slow by design)."),
            fires_in=("database-slow",)),
        AlertRule(
            "ToygresProviderLatencyHigh", group=GROUP, query=concrete(c, q.provider_latency(c, 0.95)),
            threshold=Threshold(">", c.provider_p95_warning_seconds), for_="10m",
            severity="warning", dashboard_uid=dashboard("provider"),
            panel_title="Provider p95 (slowest operation)",
            summary="The duroxide store (Postgres) is slow",
            description=("Provider p95 latency is {{ $value | humanizeDuration }} (threshold "
                         f"{c.provider_p95_warning_seconds * 1000:g} ms): every orchestration "
                         "and activity waits on it."),
            fires_in=("database-slow",)),
    ]
