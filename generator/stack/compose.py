"""docker-compose.yml: every service with a pinned image, the generated configs mounted, and
the variables that differ between environments read from the env file (env.*.example)."""

from __future__ import annotations

from typing import Any

from generator.canonical import dump_yaml
from generator.compile.provisioning import DASHBOARDS_PATH
from generator.config import Config
from generator.stack import alertmanager, loki
from generator.stack.topology import (ALERT_SINK, ALERTMANAGER, COLLECTOR, COLLECTOR_EXPORTER_PORT,
                                      COLLECTOR_LOKI_PORT, GRAFANA, LOKI, OTLP_GRPC_PORT, OTLP_HTTP_PORT,
                                      PROMETHEUS, RECEIVER_ENV, SIMULATOR, Placement)

# File names under observability/stack/ (compose resolves relative paths from there).
PROMETHEUS_FILE = "prometheus.yml"
ALERTMANAGER_FILE = "alertmanager.yml"
LOKI_FILE = "loki.yml"
COLLECTOR_FILE = "otel-collector.yml"
COLLECTOR_CONFIG_PATH = "/etc/otelcol-contrib/config.yaml"


def env(name: str, default: str) -> str:
    """A compose interpolation with the local default: ${NAME:-default}."""
    return f"${{{name}:-{default}}}"


def receiver_urls(config: Config) -> dict[str, str]:
    """Each receiver's URL from its variable, defaulting to the stack's alert sink."""
    local = Placement.compose(config).receivers
    return {name: env(var, local[name]) for name, var in RECEIVER_ENV.items()}


def _published(port: int) -> str:
    return f"{port}:{port}"


def compose(config: Config) -> dict[str, Any]:
    receivers = receiver_urls(config)
    services: dict[str, Any] = {
        GRAFANA.name: {
            "image": GRAFANA.image, "ports": [_published(GRAFANA.port)],
            "environment": {
                "GF_SECURITY_ADMIN_PASSWORD": env("GRAFANA_ADMIN_PASSWORD", "admin"),
                "PROMETHEUS_URL": env("PROMETHEUS_URL", config.prometheus_url),
                "LOKI_URL": env("LOKI_URL", config.loki_url),
                # Grafana's contact points and Alertmanager's receivers read the same variables.
                **{var: receivers[name] for name, var in RECEIVER_ENV.items()},
            },
            "volumes": [
                "../grafana/provisioning/datasources:/etc/grafana/provisioning/datasources:ro",
                "../grafana/provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro",
                "../grafana/provisioning/alerting:/etc/grafana/provisioning/alerting:ro",
                f"../grafana/dashboards:{DASHBOARDS_PATH}:ro",
            ],
            "depends_on": [PROMETHEUS.name, LOKI.name],
        },
        PROMETHEUS.name: {
            "image": PROMETHEUS.image, "ports": [_published(PROMETHEUS.port)],
            "command": ["--config.file=/etc/prometheus/prometheus.yml",
                        f"--storage.tsdb.retention.time={config.metrics_retention_days}d",
                        "--web.enable-lifecycle"],
            "volumes": [f"./{PROMETHEUS_FILE}:/etc/prometheus/prometheus.yml:ro",
                        "../prometheus/rules:/etc/prometheus/rules:ro"],
            "depends_on": [ALERTMANAGER.name, SIMULATOR.name],
        },
        ALERTMANAGER.name: {
            "image": ALERTMANAGER.image, "ports": [_published(ALERTMANAGER.port)],
            "command": ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"],
            # The generated alertmanager.yml with each receiver URL from the environment
            # (Alertmanager itself cannot read variables); see configs below.
            "configs": [{"source": "alertmanager", "target": "/etc/alertmanager/alertmanager.yml"}],
            "depends_on": [ALERT_SINK.name],
        },
        LOKI.name: {
            "image": LOKI.image, "ports": [_published(LOKI.port)],
            "command": [f"-config.file=/etc/loki/{LOKI_FILE}"],
            "volumes": [f"./{LOKI_FILE}:/etc/loki/{LOKI_FILE}:ro",
                        f"../loki/rules:{loki.RULES_DIR}/{loki.RULES_TENANT}:ro"],
        },
        COLLECTOR.name: {
            "image": COLLECTOR.image,
            "ports": [_published(p) for p in (OTLP_GRPC_PORT, OTLP_HTTP_PORT, COLLECTOR_EXPORTER_PORT, COLLECTOR.port)],
            "command": [f"--config={COLLECTOR_CONFIG_PATH}"],
            "volumes": [f"./{COLLECTOR_FILE}:{COLLECTOR_CONFIG_PATH}:ro",
                        # Toygres' text log (~/.toygres locally), tailed by the filelog receiver.
                        f"{env('TOYGRES_LOG_DIR', './toygres-logs')}:/var/log/toygres:ro"],
            "depends_on": [LOKI.name],
        },
        SIMULATOR.name: {
            "image": SIMULATOR.image, "working_dir": "/src",
            # Read-write: pip builds the project in place.
            "volumes": ["../..:/src"],
            "command": ["sh", "-c",
                        f"pip install --quiet /src && dashgen simulate --serve --scenario "
                        f"{env('SIMULATOR_SCENARIO', 'healthy')} --era {config.era} --host 0.0.0.0 "
                        f"--port {SIMULATOR.port} --loki-url http://{COLLECTOR.name}:{COLLECTOR_LOKI_PORT}"],
            "ports": [_published(SIMULATOR.port)],
            "depends_on": [COLLECTOR.name],
        },
        ALERT_SINK.name: {
            "image": ALERT_SINK.image,
            "command": ["python", "/sink.py", "--host", "0.0.0.0", "--port", str(ALERT_SINK.port)],
            "volumes": ["../../generator/stack/sink.py:/sink.py:ro"],
            "ports": [_published(ALERT_SINK.port)],
        },
    }
    am = alertmanager.alertmanager_config(config, receivers)
    return {
        "name": "toygres-observability",
        "services": services,
        "configs": {"alertmanager": {"content": dump_yaml(am, "alertmanager.yml with receiver URLs from the environment.")}},
    }
