"""Grafana file-provisioning documents: data sources (fixed uids, URLs from $ENV) and the
dashboard provider (folder "Toygres", fixed folderUid)."""

from __future__ import annotations

from typing import Any

from generator.config import Config

# Where the docker-compose stack mounts observability/grafana/dashboards inside Grafana.
DASHBOARDS_PATH = "/var/lib/grafana/dashboards/toygres"


def datasources(config: Config) -> dict[str, Any]:
    """Prometheus and Loki with fixed uids; URLs come from Grafana's environment.

    Grafana interpolates only `$VAR` / `${VAR}` (no `:-default`), so the local defaults
    (config.prometheus_url / loki_url) are set by the docker-compose stack; see datasource_note().
    """
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "name": config.prometheus_name, "type": "prometheus", "uid": config.prometheus_uid,
                "access": "proxy", "url": "${PROMETHEUS_URL}",
                "isDefault": True, "editable": False,
                # $__rate_interval = max(4 x timeInterval, $__interval): the real scrape interval.
                "jsonData": {"timeInterval": f"{config.scrape_interval_seconds}s",
                             "httpMethod": "POST"},
            },
            {
                "name": config.loki_name, "type": "loki", "uid": config.loki_uid,
                "access": "proxy", "url": "${LOKI_URL}",
                "isDefault": False, "editable": False, "jsonData": {"maxLines": 1000},
            },
        ],
    }


def dashboard_provider(config: Config) -> dict[str, Any]:
    return {
        "apiVersion": 1,
        "providers": [{
            "name": "toygres", "orgId": 1, "folder": config.folder_title,
            "folderUid": config.folder_uid, "type": "file", "disableDeletion": False,
            "updateIntervalSeconds": 30, "allowUiUpdates": False,
            "options": {"path": DASHBOARDS_PATH, "foldersFromFilesStructure": False},
        }],
    }


def datasource_note(config: Config) -> str:
    """The header comment of datasources.yaml: where the URLs come from."""
    return (f"URLs come from Grafana's environment: PROMETHEUS_URL (local: {config.prometheus_url}), "
            f"LOKI_URL (local: {config.loki_url}).")
