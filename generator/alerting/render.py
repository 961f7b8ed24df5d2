"""Render rules to Grafana's alerting provisioning format and to Prometheus/Loki rule files."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Sequence

from generator.alerting.model import OPS, AlertRule, RecordingRule
from generator.config import Config
from generator.parsers.literals import parse_duration

TEAM_LABEL = {"team": "toygres"}
MAX_UID = 40


def rule_uid(name: str) -> str:
    """A fixed uid from the rule name (kebab case, at most 40 characters)."""
    kebab = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()
    return kebab[:MAX_UID]


def duration_seconds(text: str) -> int:
    """Whole seconds in a rule's Prometheus duration (`for`, `interval`)."""
    return int(parse_duration(text))


def _query_model(rule: AlertRule, config: Config) -> dict[str, Any]:
    if rule.language == "logql":
        ds = {"type": "loki", "uid": config.loki_uid}
        return {"refId": "A", "datasourceUid": config.loki_uid, "relativeTimeRange": {"from": 600, "to": 0},
                "model": {"refId": "A", "expr": rule.query, "queryType": "instant", "datasource": ds,
                          "editorMode": "code", "intervalMs": 1000, "maxDataPoints": 43200}}
    ds = {"type": "prometheus", "uid": config.prometheus_uid}
    return {"refId": "A", "datasourceUid": config.prometheus_uid, "relativeTimeRange": {"from": 600, "to": 0},
            "model": {"refId": "A", "expr": rule.query, "instant": True, "range": False, "datasource": ds,
                      "editorMode": "code", "intervalMs": 1000, "maxDataPoints": 43200}}


def _expression(ref: str, model: dict[str, Any]) -> dict[str, Any]:
    ds = {"type": "__expr__", "uid": "__expr__"}
    return {"refId": ref, "datasourceUid": "__expr__", "relativeTimeRange": {"from": 0, "to": 0},
            "model": {"refId": ref, "datasource": ds, **model}}


def grafana_rule(rule: AlertRule, panels: dict[tuple[str, str], int], config: Config) -> dict[str, Any]:
    """Query A, reduce B (last value; count of series for filter-style queries), threshold C."""
    if rule.threshold is None:
        reduce = {"type": "reduce", "expression": "A", "reducer": "count", "settings": {"mode": "dropNN"}}
        evaluator = {"type": "gt", "params": [0]}
    else:
        reduce = {"type": "reduce", "expression": "A", "reducer": "last", "settings": {"mode": "dropNN"}}
        op = OPS[rule.threshold.op]
        evaluator = {"type": op, "params": [rule.threshold.value]}
    threshold = {"type": "threshold", "expression": "B", "conditions": [{"evaluator": evaluator}]}
    return {
        "uid": rule_uid(rule.name), "title": rule.name, "condition": "C",
        "data": [_query_model(rule, config), _expression("B", reduce), _expression("C", threshold)],
        "dashboardUid": rule.dashboard_uid, "panelId": panels[(rule.dashboard_uid, rule.panel_title)],
        # An empty result means "condition false" for every rule here (absent() covers gaps).
        "noDataState": "OK", "execErrState": "Error", "for": rule.for_,
        "annotations": {"summary": rule.summary, "description": rule.description,
                        "runbook_url": rule.runbook_url},
        "labels": {"severity": rule.severity, **TEAM_LABEL, **rule.labels}, "isPaused": False,
    }


def grafana_rule_groups(alerts: Sequence[AlertRule], panels: dict[tuple[str, str], int],
                        config: Config) -> dict[str, Any]:
    groups: dict[str, list[AlertRule]] = defaultdict(list)
    for rule in alerts:
        groups[rule.group].append(rule)
    interval = f"{config.alert_evaluation_interval_seconds}s"
    return {"apiVersion": 1, "groups": [
        {"orgId": 1, "name": name, "folder": config.folder_title, "interval": interval,
         "rules": [grafana_rule(r, panels, config) for r in sorted(rules, key=lambda r: r.name)]}
        for name, rules in sorted(groups.items())]}


# The environment variables contact points declare; deploy substitutes these and no others (a
# `${GRAFANA_TOKEN}` slipped into a URL must not copy the deploy token into Grafana).
CONTACT_POINT_VARIABLES = ("TOYGRES_PAGER_WEBHOOK_URL", "TOYGRES_TICKET_WEBHOOK_URL")


def contact_points(config: Config) -> dict[str, Any]:
    """Pager for critical, tickets for the rest; URLs from $TOYGRES_*_WEBHOOK_URL at start-up."""
    def point(name: str, env: str) -> dict[str, Any]:
        return {"orgId": 1, "name": name, "receivers": [
            {"uid": name, "type": "webhook", "disableResolveMessage": False,
             "settings": {"url": f"${{{env}}}", "httpMethod": "POST"}}]}
    return {"apiVersion": 1, "contactPoints": [point("toygres-pager", "TOYGRES_PAGER_WEBHOOK_URL"),
                                               point("toygres-tickets", "TOYGRES_TICKET_WEBHOOK_URL")]}


def policies(config: Config) -> dict[str, Any]:
    """Route by severity: critical pages, warning and info become tickets."""
    return {"apiVersion": 1, "policies": [{
        "orgId": 1, "receiver": "toygres-tickets", "group_by": ["grafana_folder", "alertname"],
        "group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h",
        "routes": [
            {"receiver": "toygres-pager", "object_matchers": [["severity", "=", "critical"]],
             "group_wait": "30s", "repeat_interval": "1h"},
            {"receiver": "toygres-tickets", "object_matchers": [["severity", "=~", "warning|info"]]},
        ]}]}


def rule_file(group: str, rules: Sequence[AlertRule | RecordingRule], config: Config) -> dict[str, Any]:
    """A Prometheus (or Loki ruler) rule file with one group."""
    out: list[dict[str, Any]] = []
    for rule in rules:
        if isinstance(rule, RecordingRule):
            out.append({"record": rule.record, "expr": rule.expr})
            continue
        entry: dict[str, Any] = {
            "alert": rule.name, "expr": rule.expr,
            "labels": {"severity": rule.severity, **TEAM_LABEL, **rule.labels},
            "annotations": {"summary": rule.summary, "description": rule.description,
                            "runbook_url": rule.runbook_url,
                            "dashboard_uid": rule.dashboard_uid, "panel": rule.panel_title},
        }
        if duration_seconds(rule.for_):
            entry["for"] = rule.for_
        out.append(entry)
    interval = f"{config.alert_evaluation_interval_seconds}s"
    return {"groups": [{"name": group, "interval": interval, "rules": out}]}
