"""Loki's configuration: single binary on the filesystem, retention enforced by the compactor,
OTLP ingestion that indexes exactly the configured stream labels, the LogQL alert rules of
observability/loki/rules/ evaluated by the ruler and sent to Alertmanager."""

from __future__ import annotations

from typing import Any

from generator.config import Config
from generator.stack.logs import stream_attributes
from generator.stack.topology import LOKI

DATA_DIR = "/loki"
# The ruler's local store reads <directory>/<tenant>/*.yml; with auth disabled the tenant is "fake".
RULES_DIR = "/etc/loki/rules"
RULES_TENANT = "fake"


def loki_config(config: Config) -> dict[str, Any]:
    retention = f"{config.log_retention_days * 24}h"
    return {
        "auth_enabled": False,
        "server": {"http_listen_port": LOKI.port, "grpc_listen_port": 9096, "log_level": "warn"},
        "common": {
            "instance_addr": "127.0.0.1", "path_prefix": DATA_DIR, "replication_factor": 1,
            "ring": {"kvstore": {"store": "inmemory"}},
            "storage": {"filesystem": {"chunks_directory": f"{DATA_DIR}/chunks",
                                       "rules_directory": f"{DATA_DIR}/rules"}},
        },
        "schema_config": {"configs": [{
            "from": "2024-01-01", "store": "tsdb", "object_store": "filesystem", "schema": "v13",
            "index": {"prefix": "index_", "period": "24h"}}]},
        # Without retention_enabled Loki keeps every chunk forever, whatever retention_period says.
        "compactor": {"working_directory": f"{DATA_DIR}/compactor", "retention_enabled": True,
                      "delete_request_store": "filesystem", "compaction_interval": "10m"},
        "limits_config": {
            "retention_period": retention,
            "allow_structured_metadata": True,
            # Loki >= 3.1 would add a service_name label guessed from job/app/...: a label the
            # Logs dashboard never selects and the simulator never sends.
            "discover_service_name": [],
            "otlp_config": {"resource_attributes": {
                # Only the shipping method's stream labels become index labels; Loki's default
                # list (k8s.*, service.*, ...) would add labels no query selects.
                "ignore_defaults": True,
                "attributes_config": [{"action": "index_label",
                                       "attributes": list(stream_attributes(config))}]}},
        },
        "ruler": {
            "alertmanager_url": config.alertmanager_url, "enable_api": True,
            "evaluation_interval": f"{config.alert_evaluation_interval_seconds}s",
            "rule_path": f"{DATA_DIR}/rules-temp",
            "storage": {"type": "local", "local": {"directory": RULES_DIR}},
        },
        "analytics": {"reporting_enabled": False},
    }
