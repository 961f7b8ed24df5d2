"""The OpenTelemetry collector: OTLP in on 4317/4318 (duroxide's E1 metrics and any OTLP
logs), a Prometheus exporter for E1's series, and one log pipeline into Loki that gives every
line exactly the stream labels the Logs dashboard selects, replacing the old push script."""

from __future__ import annotations

from typing import Any

from generator.config import Config
from generator.stack.logs import stream_attributes
from generator.stack.topology import (COLLECTOR, COLLECTOR_EXPORTER_PORT, COLLECTOR_LOKI_PORT,
                                      COLLECTOR_TELEMETRY_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT)

# Where the stack mounts Toygres' log directory (~/.toygres locally: $TOYGRES_LOG_DIR).
LOG_DIR = "/var/log/toygres"
# Records read from the file carry this attribute (filelog's include_file_name).
_FROM_FILE = 'attributes["log.file.name"] != nil'


def _file_statements(config: Config) -> list[str]:
    """The push script's labelling, for lines read from the file: level "error" / "warn" from
    the line's level word, everything else (INFO, DEBUG) "info"; job and source="server"."""
    return [
        f'set(attributes["level"], "INFO") where {_FROM_FILE} and attributes["level"] != "ERROR" '
        'and attributes["level"] != "WARN"',
        f'set(attributes["level"], ConvertCase(attributes["level"], "lower")) where {_FROM_FILE}',
        f'set(attributes["job"], "{config.job}") where {_FROM_FILE}',
        f'set(attributes["source"], "server") where {_FROM_FILE}',
        f'delete_key(attributes, "log.file.name") where {_FROM_FILE}',
    ]


def collector_config(config: Config) -> dict[str, Any]:
    labels = [a for a in stream_attributes(config) if not a.startswith("service.")]
    receivers: dict[str, Any] = {
        "otlp": {"protocols": {"grpc": {"endpoint": f"0.0.0.0:{OTLP_GRPC_PORT}"},
                               "http": {"endpoint": f"0.0.0.0:{OTLP_HTTP_PORT}"}}},
        # Loki's push API: the simulator (and any Promtail) push here; stream labels arrive as
        # log record attributes.
        "loki": {"protocols": {"http": {"endpoint": f"0.0.0.0:{COLLECTOR_LOKI_PORT}"}},
                 "use_incoming_timestamp": True},
    }
    log_receivers = ["loki", "otlp"]
    processors: dict[str, Any] = {"batch": {}}
    log_processors: list[str] = []
    if config.log_shipping == "push":
        # Toygres writes text lines to a file locally; read them where the push script did.
        receivers["filelog/toygres"] = {
            "include": [f"{LOG_DIR}/*.log"], "start_at": "end",
            "operators": [{"type": "regex_parser", "regex": r"^\S+\s+(?P<level>[A-Z]+) ", "on_error": "send"}]}
        log_receivers.append("filelog/toygres")
        processors["transform/push-labels"] = {"log_statements": [
            {"context": "log", "statements": _file_statements(config)}]}
        log_processors.append("transform/push-labels")
    if labels:
        # Loki indexes resource attributes only: move the stream labels up to the resource.
        processors["groupbyattrs/streams"] = {"keys": labels}
        log_processors.append("groupbyattrs/streams")
    log_processors.append("batch")
    return {
        "receivers": receivers,
        "processors": processors,
        "exporters": {
            # duroxide's E1 series, as the reference describes them: resource attributes
            # (service_name, service_version) become labels; stale series live 180 minutes.
            "prometheus": {"endpoint": f"0.0.0.0:{COLLECTOR_EXPORTER_PORT}", "metric_expiration": "180m",
                           "resource_to_telemetry_conversion": {"enabled": True}},
            "otlphttp/loki": {"endpoint": f"{config.loki_url.rstrip('/')}/otlp"},
        },
        "extensions": {"health_check": {"endpoint": f"0.0.0.0:{COLLECTOR.port}"}},
        "service": {
            "extensions": ["health_check"],
            "telemetry": {"metrics": {"address": f"0.0.0.0:{COLLECTOR_TELEMETRY_PORT}"}},
            "pipelines": {
                "metrics": {"receivers": ["otlp"], "processors": ["batch"], "exporters": ["prometheus"]},
                "logs": {"receivers": sorted(log_receivers), "processors": log_processors,
                         "exporters": ["otlphttp/loki"]},
            },
        },
    }
