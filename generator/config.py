"""One frozen configuration object for every selector, data source, threshold and output
setting, with per-environment overrides read from YAML (never from code edits)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ConfigError

ENV_DIR = Path(__file__).resolve().parent.parent / "observability" / "env"


@dataclass(frozen=True)
class Config:
    """Settings shared by dashboards, alerts, lint, the simulator and deploy."""

    # Fixed data source uids: provisioned data sources keep them across restarts, so every
    # panel reference stays valid. Change only together with an existing Grafana's uids.
    prometheus_uid: str = "toygres-prometheus"
    prometheus_name: str = "Toygres Prometheus"
    loki_uid: str = "toygres-loki"
    loki_name: str = "Toygres Loki"
    # Default URLs written into datasources.yaml behind $PROMETHEUS_URL / $LOKI_URL.
    prometheus_url: str = "http://prometheus:9090"
    loki_url: str = "http://loki:3100"

    # The label that names the Toygres scrape job and its value. E2 (duroxide >= 0.1.15):
    # Prometheus scrapes the app, job="toygres". E1 (OTLP through the collector): the series
    # carry job="otel-collector" and exported_job="toygres", so set job_label: exported_job.
    job_label: str = "job"
    job: str = "toygres"
    # AKS scrapes Toygres twice: job="toygres" (the service endpoint) and a second job that
    # scrapes the annotated pod ("kubernetes-pods"), so every series exists twice and a query
    # that does not select the job reads double. "" = scraped once (local). The simulator
    # reproduces it; lint's promql/job-unselected holds on every deployment regardless.
    second_scrape_job: str = ""
    # Target labels the scrape configs add to every Toygres series, "name=value,...": the
    # reference's scrape configs add `service` and `component` (values are this project's).
    scrape_target_labels: str = ""
    # Which duroxide export era the deployment runs; the simulator's default and lint's view.
    era: str = "E2"

    # The real scrape interval. Grafana's $__rate_interval is 4x this (set as the data
    # source's timeInterval); rate windows shorter than 2x this show "No data".
    scrape_interval_seconds: int = 15

    # Log shipping method, which decides the Loki stream labels:
    # push ({job, level, source}), promtail ({level, orchestration_name, ...}) or otlp
    # ({service_name} only).
    log_shipping: str = "push"
    # Toygres' tracing filter, which decides which lines exist at all: "local" is toygres-
    # server's built-in default (duroxide::runtime at DEBUG: started/completed lines), what the
    # push script shipped from ~/.toygres/server.log; "kubernetes" the AKS configmap's
    # (duroxide=info: no DEBUG lines). Used by the simulator that check and the alert proof run.
    log_filter: str = "local"

    # Dashboard JSON schema version: 39 suits Grafana 10.4 / 11.x; 41 for 11.6 / 12.0.
    schema_version: int = 39
    # Grafana folder for every managed dashboard and alert rule; the uid is fixed so
    # provisioning, deploy and links agree.
    folder_title: str = "Toygres"
    folder_uid: str = "toygres"
    # Tag that marks a dashboard as managed by this tool (deploy prunes only these).
    managed_tag: str = "toygres-managed"

    # Success-rate SLO over orchestration completions (operators asked for 95 %).
    slo_success_ratio: float = 0.95
    # duroxide's gauge_poll_interval (RuntimeOptions default 60 s, v0.1.18+): how often every
    # process re-sets the active and queue gauges from the store. The active panels take the
    # max over this window, which holds the latest poll's exact count.
    gauge_poll_interval_seconds: int = 60
    # Active orchestrations: Toygres runs 10-50 in normal operation.
    active_warning: int = 100
    active_critical: int = 200
    # Queue depth (items waiting): 10 orchestration and 10 worker slots drain ~20 items fast.
    queue_warning: int = 20
    queue_critical: int = 100
    # Orchestrator queue alert. Toygres' orchestrations wait on their own turns, so the queue
    # holds at most about one message per live instance (~30 with 30 instances): it never
    # reaches queue_warning even when every turn is starved. 10 = the orchestration slots'
    # worth of messages waiting (healthy: 0; measured 17-24 when turns wait on store locks).
    orchestrator_queue_warning: int = 10
    # Unfinished instance creates over 30 minutes (started minus finished): healthy creates
    # finish in about a minute, so this hovers near 0; 10 hung creates means they are stuck.
    stuck_creates_warning: int = 10
    # Provider (Postgres store) p95 latency of the slowest operation kind: ~15-40 ms when
    # healthy, with 5-minute peaks up to ~95 ms over a simulated day; 250 ms leaves that margin
    # and is still crossed within minutes when the store is 20x slower (~0.4 s).
    provider_p95_warning_seconds: float = 0.25
    provider_p95_critical_seconds: float = 1.0
    # Activity p99 for the activities not slow by design (get-connection-strings and
    # deploy-postgres are excluded): those top out at ~30 s (delete-postgres, system-prune-2;
    # wait-for-ready is one sub-second call, ~60 s only at HEAD), so 90 s is 3x that margin.
    activity_p99_warning_seconds: float = 90.0
    # CMS activities are single queries on the Postgres that also holds the duroxide store:
    # healthy p99 is at most 0.3 s (observed max 301 ms; simulated 24 h max 0.3 s), so 1 s
    # means the database is slow; 90 s would never catch them.
    cms_activity_p99_warning_seconds: float = 1.0
    # ERROR log lines per minute (the alert counts 5 minutes). duroxide logs ERROR only for
    # infrastructure and configuration failures: none in a healthy run, ~7/min when the store
    # is slow. 1/min catches that within a minute of the first errors; 5/min needed ~4 minutes
    # of accumulation and missed the goal.
    error_logs_per_minute_warning: float = 1.0
    # Infrastructure errors (orchestration plus activity) in 5 minutes. A healthy Toygres has a
    # few a day: an activity still running when its orchestration ends or continues as new is
    # orphaned, and duroxide counts its ack as an infrastructure error (reference, point 4).
    # On seeds 1 and 2 (24 h healthy each: 10 and 7 of them) no 5 minutes held more than one;
    # on report seed 105 two came 30 s apart, and with "> 0" they kept the alert pending 5
    # minutes: it fired. A slow store fails 15-35 acks in each of the first 5-minute windows
    # after the onset (database-slow, seeds 1-3).
    infrastructure_errors_per_5m_critical: float = 3.0

    # Where alert runbooks live; each alert links to `<base>#<alert name in lower case>`.
    runbook_base_url: str = "https://github.com/toygres/observability/blob/main/docs/runbooks.md"
    # Alert evaluation interval (Grafana rule groups and Prometheus rule files).
    alert_evaluation_interval_seconds: int = 60
    # SLO burn-rate alerting (Google SRE workbook, ch. 5; as Sloth and Pyrra generate):
    # page when 2 % of a 30-day budget burns in 1 h (14.4x), ticket when 5 % burns in 6 h (6x).
    slo_fast_burn_factor: float = 14.4
    slo_slow_burn_factor: float = 6.0

    # The observability stack (generator/stack/, observability/stack/). Where Prometheus
    # scrapes Toygres' /metrics (E2; in E1 the collector's exporter): the stack's simulator
    # locally; on AKS the toygres-server service. host:port, as Prometheus targets are written.
    toygres_target: str = "simulator:8080"
    # Where Prometheus and the Loki ruler send alerts.
    alertmanager_url: str = "http://alertmanager:9093"
    # How long Prometheus keeps samples and Loki keeps log lines (Loki's compactor deletes
    # older chunks). 30 days covers the SLO window; two weeks of logs covers an incident review.
    metrics_retention_days: int = 30
    log_retention_days: int = 14

    def replace(self, **changes: Any) -> "Config":
        return dataclasses.replace(self, **changes)

    @property
    def job_matcher(self) -> str:
        """The label matcher every Toygres query carries, bound to the $job variable."""
        return f'{self.job_label}=~"$job"'


FIELDS = {f.name: f for f in dataclasses.fields(Config)}
CHOICES = {"era": ("E1", "E2"), "log_shipping": ("push", "promtail", "otlp"),
           "log_filter": ("local", "kubernetes")}


def from_mapping(data: Any, source: str) -> Config:
    """A Config from a mapping of overrides; unknown keys and wrong types are errors."""
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of settings, got {type(data).__name__}")
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in FIELDS:
            known = ", ".join(sorted(FIELDS))
            raise ConfigError(f"{source}: unknown setting {key!r} (known: {known})")
        default = getattr(Config(), key)
        if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value) is not type(default):
            raise ConfigError(
                f"{source}: setting {key!r} must be {type(default).__name__}, got {value!r}"
            )
        if key in CHOICES and value not in CHOICES[key]:
            raise ConfigError(f"{source}: setting {key!r} must be one of {CHOICES[key]}, got {value!r}")
        changes[key] = value
    return Config(**changes)


def load(env: str | None) -> Config:
    """Config for a named environment (observability/env/NAME.yaml) or a YAML file path."""
    if env is None:
        return Config()
    path = Path(env)
    if not path.suffix:
        path = ENV_DIR / f"{env}.yaml"
    if not path.is_file():
        raise ConfigError(f"{path}: environment file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
                          "save it as UTF-8") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}".splitlines()[0]) from None
    return from_mapping(data, str(path))
