"""A deploy plan (live Grafana vs compiled) as two snapshots, so `dashgen diff` against Grafana
goes through the same semantic differ and reporters as the diff against a git ref."""

from __future__ import annotations

from typing import Any

from generator.deploy.normalise import normalise_dashboard
from generator.deploy.plan import Kind, Plan, Resource
from generator.review.model import Snapshot


def _rules(group: Any, name: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for rule in (group or {}).get("rules") or []:
        if isinstance(rule, dict) and rule.get("uid"):
            out[str(rule["uid"])] = {**rule, "group": name, "interval": (group or {}).get("interval")}
    return out


def _point(body: Any, uid: str) -> dict[str, Any]:
    body = dict(body or {})
    receiver = {"uid": uid, "type": body.get("type"), "settings": body.get("settings") or {},
                "disableResolveMessage": bool(body.get("disableResolveMessage", False))}
    return {"receivers": [receiver]}


def snapshots(plan: Plan, grafana_label: str) -> tuple[Snapshot, Snapshot, list[str]]:
    """(live, compiled, notes) from a survey; notes say what blocks or skips a deploy."""
    live, compiled = Snapshot(grafana_label), Snapshot("compiled")
    notes = [f"data source {ds.uid} ({ds.name}) is missing in Grafana: deploy stops until it exists"
             for ds in plan.missing_datasources]
    for action in plan.actions:
        if action.kind in (Kind.DRIFTED, Kind.BLOCKED):
            notes.append(f"{action.resource.value} {action.key}: {action.kind.value} ({action.reason})")
        elif action.kind is Kind.STALE:
            notes.append(f"{action.resource.value} {action.key}: in Grafana, not in code (--prune deletes it)")
        if action.resource is Resource.FOLDER:
            if action.kind is not Kind.UNCHANGED:
                notes.append(f"folder {action.key}: {action.kind.value} {action.reason}".rstrip())
        elif action.resource is Resource.DASHBOARD:
            if action.desired is not None:
                compiled.dashboards[action.key] = normalise_dashboard(action.desired)
            body = (action.live or {}).get("dashboard") if isinstance(action.live, dict) else None
            if body:
                live.dashboards[action.key] = normalise_dashboard(body)
            elif action.kind in (Kind.DELETE, Kind.STALE):
                live.dashboards[action.key] = {"uid": action.key, "title": action.title}
        elif action.resource is Resource.RULE_GROUP:
            desired_group, live_group = action.comparable or (action.desired, None)
            compiled.rules.update(_rules(desired_group, action.title))
            live.rules.update(_rules(live_group, action.title))
        elif action.resource is Resource.CONTACT_POINT:
            desired_point, live_point = action.comparable or (action.desired, None)
            compiled.contact_points[action.title] = _point(desired_point, action.key)
            if live_point is not None:
                live.contact_points[action.title] = _point(live_point, action.key)
        elif action.resource is Resource.POLICIES:
            desired_tree, live_tree = action.comparable or (action.desired, None)
            compiled.policies, live.policies = desired_tree, live_tree
    return live, compiled, notes
