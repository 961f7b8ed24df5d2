"""Fixtures: a started Grafana emulator and a temp project with compiled output to deploy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from click.testing import CliRunner, Result

from generator.config import Config
from generator.deploy.command import deploy, diff
from tests.emulator import GrafanaEmulator

# Distinctive so a leak anywhere is found by substring search.
TOKEN = "glsa_SECRET_d3pl0y_t0k3n_do_not_print"
CONFIG = Config()
GRAFANA_VARS = ("GRAFANA_URL", "GRAFANA_TOKEN", "GRAFANA_USER", "GRAFANA_PASSWORD", "GRAFANA_ORG_ID",
                "GRAFANA_CA_BUNDLE")


def make_dashboard(uid: str, title: str | None = None, panels: int = 2, tags: list[str] | None = None) -> dict[str, Any]:
    """A small classic v1 dashboard as the compiler emits it (no id, no version)."""
    return {
        "uid": uid,
        "title": title or uid.replace("-", " ").title(),
        "tags": tags if tags is not None else [CONFIG.managed_tag, "toygres"],
        "schemaVersion": 39,
        "editable": True,
        "time": {"from": "now-1h", "to": "now"},
        "panels": [
            {"id": i + 1, "type": "timeseries", "title": f"Panel {i + 1}",
             "gridPos": {"h": 8, "w": 12, "x": 12 * (i % 2), "y": 8 * (i // 2)},
             "datasource": {"type": "prometheus", "uid": CONFIG.prometheus_uid},
             "targets": [{"refId": "A", "expr": f"sum(rate(duroxide_metric_{i}_total[$__rate_interval]))",
                          "datasource": {"type": "prometheus", "uid": CONFIG.prometheus_uid}}]}
            for i in range(panels)
        ],
    }


def alerting_document() -> dict[str, Any]:
    """A provisioning/alerting file: one group with two rules, a contact point, a policy tree."""
    def rule(uid: str, title: str, threshold: int) -> dict[str, Any]:
        return {"uid": uid, "title": title, "condition": "C", "for": "90s",
                "dashboardUid": "toygres-overview", "panelId": 1,
                "labels": {"severity": "warning"}, "annotations": {"summary": title},
                "data": [
                    {"refId": "A", "relativeTimeRange": {"from": 600, "to": 0}, "datasourceUid": CONFIG.prometheus_uid,
                     "model": {"refId": "A", "expr": "sum(duroxide_active_orchestrations)"}},
                    {"refId": "C", "relativeTimeRange": {"from": 0, "to": 0}, "datasourceUid": "__expr__",
                     "model": {"refId": "C", "type": "threshold", "expression": "A",
                               "conditions": [{"evaluator": {"type": "gt", "params": [threshold]}}]}}]}

    return {
        "apiVersion": 1,
        "groups": [{"orgId": 1, "name": "toygres-capacity", "folder": CONFIG.folder_title, "interval": "1m",
                    "rules": [rule("toygres-active-high", "Active orchestrations high", 100),
                              rule("toygres-active-critical", "Active orchestrations critical", 200)]}],
        "contactPoints": [{"orgId": 1, "name": "toygres-oncall",
                           "receivers": [{"uid": "toygres-oncall-webhook", "type": "webhook",
                                          "settings": {"url": "https://hooks.example/toygres",
                                                       "authorization_credentials": "$TOYGRES_PAGER_WEBHOOK_URL"}}]}],
        "policies": [{"orgId": 1, "receiver": "toygres-oncall", "group_by": ["alertname"]}],
    }


@dataclass
class Project:
    """A temp working directory holding observability/ and running dashgen deploy/diff in it."""

    root: Path
    grafana: GrafanaEmulator

    @property
    def observability(self) -> Path:
        return self.root / "observability"

    def write_dashboard(self, data: dict[str, Any]) -> Path:
        path = self.observability / "grafana" / "dashboards" / f"{data['uid']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return path

    def remove_dashboard(self, uid: str) -> None:
        (self.observability / "grafana" / "dashboards" / f"{uid}.json").unlink()

    def read_dashboard(self, uid: str) -> dict[str, Any]:
        path = self.observability / "grafana" / "dashboards" / f"{uid}.json"
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def write_alerting(self, document: dict[str, Any]) -> None:
        path = self.observability / "grafana" / "provisioning" / "alerting" / "toygres.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(document, sort_keys=True), encoding="utf-8")

    def env(self, **overrides: str | None) -> dict[str, str | None]:
        values: dict[str, str | None] = {name: None for name in GRAFANA_VARS}
        values.update({"GRAFANA_URL": self.grafana.url, "GRAFANA_TOKEN": TOKEN, "TOYGRES_PAGER_WEBHOOK_URL": "hook-s3cret"})
        values.update(overrides)
        return values

    def run(self, command: Any, *args: str, **env: str | None) -> Result:
        fast = ["--backoff", "0.01", "--timeout", "3"]
        return CliRunner().invoke(command, [*fast, *args], env=self.env(**env), catch_exceptions=False)

    def deploy(self, *args: str, **env: str | None) -> Result:
        return self.run(deploy, *args, **env)

    def diff(self, *args: str, **env: str | None) -> Result:
        return self.run(diff, *args, **env)


UIDS = ("toygres-overview", "toygres-queues", "toygres-logs")


@pytest.fixture
def grafana() -> Iterator[GrafanaEmulator]:
    emulator = GrafanaEmulator(tokens=None, hang_seconds=1.0)
    emulator.tokens[TOKEN] = emulator.tokens.pop("admin-token")
    with emulator:
        emulator.add_datasource(CONFIG.prometheus_uid, CONFIG.prometheus_name)
        emulator.add_datasource(CONFIG.loki_uid, CONFIG.loki_name, "loki")
        emulator.clear_log()
        yield emulator


@pytest.fixture
def project(tmp_path: Path, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.chdir(tmp_path)
    proj = Project(tmp_path, grafana)
    for uid in UIDS:
        proj.write_dashboard(make_dashboard(uid))
    datasources = proj.observability / "grafana" / "provisioning" / "datasources" / "datasources.yaml"
    datasources.parent.mkdir(parents=True)
    datasources.write_text(yaml.safe_dump({"apiVersion": 1, "datasources": [
        {"name": CONFIG.prometheus_name, "type": "prometheus", "uid": CONFIG.prometheus_uid, "url": "$PROMETHEUS_URL"},
        {"name": CONFIG.loki_name, "type": "loki", "uid": CONFIG.loki_uid, "url": "$LOKI_URL"}]}), encoding="utf-8")
    return proj


def dashboard_writes(grafana: GrafanaEmulator) -> int:
    return len(grafana.requests("POST", r"^/api/dashboards/db$"))
