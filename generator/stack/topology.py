"""The stack's services in one place: pinned images, ports, health endpoints, and where each
service reaches the others (compose service names, or loopback ports for the live tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from generator.config import Config


@dataclass(frozen=True)
class Service:
    """One container of the compose stack."""

    name: str
    # Pinned: a `:latest` image changes under the stack without a diff in this repository.
    image: str
    # The port the service listens on inside the stack and publishes on the host.
    port: int
    # A GET that answers 2xx when the service is healthy (`make stack-status` probes it).
    health_path: str
    summary: str


# Versions chosen together: Grafana 11.3 reads schemaVersion 39 dashboards and the v1 alerting
# provisioning format; Loki >= 3.0 ingests OTLP logs natively; the collector 0.110 still ships
# the loki receiver (Promtail-compatible push API) next to filelog and the Prometheus exporter.
GRAFANA = Service("grafana", "grafana/grafana:11.3.0", 3000, "/api/health", "dashboards and Grafana alerting")
PROMETHEUS = Service("prometheus", "prom/prometheus:v2.53.0", 9090, "/-/ready", "scrapes Toygres, evaluates the rules")
ALERTMANAGER = Service("alertmanager", "prom/alertmanager:v0.27.0", 9093, "/-/ready",
                       "routes Prometheus and Loki alerts by severity")
LOKI = Service("loki", "grafana/loki:3.1.0", 3100, "/ready", "log store; evaluates the LogQL alert")
COLLECTOR = Service("otel-collector", "otel/opentelemetry-collector-contrib:0.110.0", 13133, "/",
                    "OTLP in (E1 metrics, logs), Prometheus exporter, logs to Loki")
SIMULATOR = Service("simulator", "python:3.11-slim", 8080, "/metrics", "the simulated Toygres workload")
ALERT_SINK = Service("alert-sink", "python:3.11-slim", 8081, "/healthz",
                     "webhook receiver that prints every notification (local only)")

SERVICES: tuple[Service, ...] = (GRAFANA, PROMETHEUS, ALERTMANAGER, LOKI, COLLECTOR, SIMULATOR, ALERT_SINK)

# The collector's other ports: OTLP in (gRPC, HTTP), the Prometheus exporter duroxide's E1 era
# is scraped from (the reference's :8889), the Loki push API receiver, its own metrics.
OTLP_GRPC_PORT = 4317
OTLP_HTTP_PORT = 4318
COLLECTOR_EXPORTER_PORT = 8889
COLLECTOR_LOKI_PORT = 3500
COLLECTOR_TELEMETRY_PORT = 8888
# The scrape job of the collector's exporter: E1 series carry job="otel-collector" and
# exported_job="toygres" (duroxide-metrics.md), so the job name is part of the contract.
COLLECTOR_JOB = "otel-collector"

# Alert receivers: the same names as Grafana's contact points (alerting/render.py), so both
# alerting paths page and ticket the same way. Each URL comes from this environment variable.
RECEIVER_ENV = {"toygres-pager": "TOYGRES_PAGER_WEBHOOK_URL", "toygres-tickets": "TOYGRES_TICKET_WEBHOOK_URL"}


def host_port(url: str) -> str:
    """`http://alertmanager:9093` -> `alertmanager:9093` (Prometheus targets have no scheme)."""
    parts = urlsplit(url)
    return parts.netloc or url


@dataclass(frozen=True)
class Placement:
    """Where the generated configs find each other and their mounted files.

    The default is the compose stack (service names, container paths). The live tests place
    the same configs on loopback ports and temporary directories with `Placement.loopback`.
    """

    toygres_targets: tuple[str, ...]
    alertmanager: str
    # The collector's Prometheus exporter; None where no collector runs (the live tests).
    collector_exporter: str | None
    rule_files: tuple[str, ...]
    receivers: Mapping[str, str]
    self_targets: Mapping[str, str]

    @classmethod
    def compose(cls, config: Config) -> "Placement":
        return cls(
            toygres_targets=(config.toygres_target,),
            alertmanager=host_port(config.alertmanager_url),
            collector_exporter=f"{COLLECTOR.name}:{COLLECTOR_EXPORTER_PORT}",
            rule_files=("/etc/prometheus/rules/*.yml",),
            receivers={name: f"http://{ALERT_SINK.name}:{ALERT_SINK.port}/{name}" for name in RECEIVER_ENV},
            self_targets={PROMETHEUS.name: f"localhost:{PROMETHEUS.port}",
                          ALERTMANAGER.name: f"{ALERTMANAGER.name}:{ALERTMANAGER.port}",
                          LOKI.name: f"{LOKI.name}:{LOKI.port}",
                          "otel-collector-self": f"{COLLECTOR.name}:{COLLECTOR_TELEMETRY_PORT}"})

    @classmethod
    def loopback(cls, *, toygres_ports: tuple[int, ...], alertmanager_port: int, prometheus_port: int,
                 rule_files: tuple[str, ...], receivers: Mapping[str, str]) -> "Placement":
        """Everything on 127.0.0.1: the simulator, Alertmanager and the test's webhook server."""
        return cls(
            toygres_targets=tuple(f"127.0.0.1:{p}" for p in toygres_ports),
            alertmanager=f"127.0.0.1:{alertmanager_port}",
            collector_exporter=None,
            rule_files=rule_files,
            receivers=dict(receivers),
            self_targets={PROMETHEUS.name: f"127.0.0.1:{prometheus_port}",
                          ALERTMANAGER.name: f"127.0.0.1:{alertmanager_port}"})
