"""alertmanager.yml: the routing tree of Grafana's notification policy (alerting/render.py),
translated, so Prometheus/Loki alerts page and ticket exactly as Grafana-managed ones do."""

from __future__ import annotations

from typing import Any, Mapping

from generator.alerting import render
from generator.config import Config
from generator.errors import DefinitionError

# Grafana-only grouping labels: Prometheus alerts carry no Grafana folder.
_GRAFANA_ONLY = {"grafana_folder"}
_TIMINGS = ("group_wait", "group_interval", "repeat_interval")


def matcher(spec: list[str]) -> str:
    """Grafana's object matcher ["severity", "=~", "warning|info"] as `severity=~"warning|info"`."""
    name, op, value = spec
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{name}{op}"{escaped}"'


def _route(policy: Mapping[str, Any]) -> dict[str, Any]:
    route: dict[str, Any] = {"receiver": policy["receiver"]}
    if "group_by" in policy:
        route["group_by"] = [label for label in policy["group_by"] if label not in _GRAFANA_ONLY]
    for key in _TIMINGS:
        if key in policy:
            route[key] = policy[key]
    if "object_matchers" in policy:
        route["matchers"] = [matcher(m) for m in policy["object_matchers"]]
    if policy.get("routes"):
        route["routes"] = [_route(child) for child in policy["routes"]]
    return route


def _receivers(route: Mapping[str, Any]) -> set[str]:
    names = {route["receiver"]}
    for child in route.get("routes", ()):
        names |= _receivers(child)
    return names


def alertmanager_config(config: Config, receivers: Mapping[str, str]) -> dict[str, Any]:
    """The policy tree with one webhook receiver per contact point; `receivers` maps name -> URL."""
    (policy,) = render.policies(config)["policies"]
    route = _route(policy)
    missing = sorted(_receivers(route) - set(receivers))
    if missing:
        raise DefinitionError(f"alertmanager.yml: no webhook URL for receiver(s) {', '.join(missing)}")
    return {
        "route": route,
        "receivers": [{"name": name, "webhook_configs": [{"url": receivers[name], "send_resolved": True}]}
                      for name in sorted(receivers)],
    }
