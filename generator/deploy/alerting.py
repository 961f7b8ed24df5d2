"""Alerting provisioning files -> provisioning API bodies, and comparable forms to detect change.

The file format (what Grafana's file provisioner reads) and the HTTP API format differ: the API
wants the folder by uid, the group interval in seconds, and dashboard links as annotations.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Mapping

from generator.alerting.render import CONTACT_POINT_VARIABLES
from generator.config import Config
from generator.deploy.compiled import AlertingDocument
from generator.deploy.errors import CompiledOutputError
from generator.parsers.literals import parse_duration

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
DECLARED_VARIABLES = frozenset(CONTACT_POINT_VARIABLES)
# Grafana answers GET /contact-points with secure settings masked as this value.
REDACTED = "[REDACTED]"
# Defaults Grafana fills in, so a rule read back compares equal to the one sent.
RULE_DEFAULTS: dict[str, Any] = {"noDataState": "NoData", "execErrState": "Error", "for": "0s",
                                 "isPaused": False, "annotations": {}, "labels": {}}
RULE_KEYS = ("uid", "title", "condition", "data", "noDataState", "execErrState", "for", "annotations",
             "labels", "isPaused", "notification_settings")


@dataclass(frozen=True)
class RuleGroup:
    """A rule group ready for PUT /api/v1/provisioning/folder/:folderUid/rule-groups/:group."""

    folder_uid: str
    name: str
    body: dict[str, Any]
    source: str


@dataclass(frozen=True)
class ContactPoint:
    """One receiver of a contact point, as the API's embedded contact point."""

    uid: str
    name: str
    body: dict[str, Any]
    source: str


def duration_seconds(value: Any, where: str) -> float:
    """Seconds in a Prometheus-style duration ("1m30s") or a number of seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if text == "":
        return 0.0
    try:
        return parse_duration(text)
    except ValueError:
        raise CompiledOutputError(f"{where}: invalid duration {text!r}") from None


def _rule_body(rule: dict[str, Any], folder_uid: str, group: str, where: str) -> dict[str, Any]:
    uid = rule.get("uid")
    if not isinstance(uid, str) or not uid:
        raise CompiledOutputError(f"{where}: rule {rule.get('title')!r} has no uid (needed to update it in place)")
    body = {key: copy.deepcopy(rule[key]) for key in RULE_KEYS if key in rule}
    for key, default in RULE_DEFAULTS.items():
        body.setdefault(key, copy.deepcopy(default))
    annotations = dict(body["annotations"])
    # The file format's dashboardUid/panelId become these annotations in the API model.
    if rule.get("dashboardUid"):
        annotations["__dashboardUid__"] = str(rule["dashboardUid"])
    if rule.get("panelId") is not None:
        annotations["__panelId__"] = str(rule["panelId"])
    body["annotations"] = annotations
    body["folderUID"] = folder_uid
    body["ruleGroup"] = group
    return body


def rule_groups(documents: tuple[AlertingDocument, ...], config: Config) -> list[RuleGroup]:
    """Every compiled rule group as an API body; groups may only live in the managed folder."""
    groups: list[RuleGroup] = []
    seen: set[tuple[str, str]] = set()
    for doc in documents:
        for group in doc.groups:
            name = str(group.get("name") or "")
            where = f"{doc.path}: group {name!r}"
            if not name:
                raise CompiledOutputError(f"{doc.path}: a rule group has no name")
            folder_uid = str(group.get("folderUid") or "")
            if not folder_uid:
                if group.get("folder") != config.folder_title:
                    raise CompiledOutputError(
                        f"{where}: folder {group.get('folder')!r} is not the managed folder {config.folder_title!r}")
                folder_uid = config.folder_uid
            if (folder_uid, name) in seen:
                raise CompiledOutputError(f"{where}: defined twice")
            seen.add((folder_uid, name))
            rules = [_rule_body(r, folder_uid, name, where) for r in group.get("rules") or []]
            titles = [r.get("title") for r in rules]
            if len(set(titles)) != len(titles):
                raise CompiledOutputError(f"{where}: rule titles must be unique within the group")
            interval = int(duration_seconds(group.get("interval", "1m"), where))
            body = {"title": name, "folderUid": folder_uid, "interval": interval, "rules": rules}
            groups.append(RuleGroup(folder_uid=folder_uid, name=name, body=body, source=str(doc.path)))
    return groups


def _expand(value: Any, environ: Mapping[str, str], where: str, declared: frozenset[str]) -> Any:
    """$VAR / ${VAR} expanded the way Grafana's file provisioner would (secrets stay out of files),
    for the variables the alert definitions declare only."""
    if isinstance(value, dict):
        return {k: _expand(v, environ, where, declared) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, environ, where, declared) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in declared:
            raise CompiledOutputError(
                f"{where}: references ${name}, which the alert definitions do not declare; only "
                f"{', '.join(sorted(declared)) or 'declared variables'} are substituted (no other environment "
                "variable is copied into Grafana)")
        if name not in environ:
            raise CompiledOutputError(f"{where}: references ${name}, which is not set in the environment")
        return environ[name]

    return _ENV_REF.sub(substitute, value)


def contact_points(documents: tuple[AlertingDocument, ...], environ: Mapping[str, str],
                   declared: frozenset[str] = DECLARED_VARIABLES) -> list[ContactPoint]:
    """Every receiver of every compiled contact point, with declared $VAR references expanded."""
    found: list[ContactPoint] = []
    for doc in documents:
        for point in doc.contact_points:
            name = str(point.get("name") or "")
            for receiver in point.get("receivers") or []:
                uid = str(receiver.get("uid") or "")
                where = f"{doc.path}: contact point {name!r}"
                if not uid:
                    raise CompiledOutputError(f"{where}: every receiver needs a uid")
                body = {"uid": uid, "name": name, "type": receiver.get("type"),
                        "settings": _expand(receiver.get("settings") or {}, environ, where, declared),
                        "disableResolveMessage": bool(receiver.get("disableResolveMessage", False))}
                found.append(ContactPoint(uid=uid, name=name, body=body, source=str(doc.path)))
    return found


def policy_tree(documents: tuple[AlertingDocument, ...]) -> dict[str, Any] | None:
    """The notification policy tree (the first `policies` entry); None when code defines none."""
    trees = [(doc, tree) for doc in documents for tree in doc.policies]
    if len(trees) > 1:
        raise CompiledOutputError(f"{trees[1][0].path}: only one notification policy tree per org")
    if not trees:
        return None
    tree = {k: copy.deepcopy(v) for k, v in trees[0][1].items() if k != "orgId"}
    if not tree.get("receiver"):
        raise CompiledOutputError(f"{trees[0][0].path}: the policy tree needs a default receiver")
    return tree


def _normalised(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in sorted(value.items()) if v is not None}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


def comparable_group(group: dict[str, Any], provenance: str) -> Any:
    """The parts of a rule group deploy owns: durations as seconds, server-only fields dropped."""
    rules = []
    for rule in group.get("rules") or []:
        item = {key: rule.get(key, RULE_DEFAULTS.get(key)) for key in RULE_KEYS}
        item["for"] = duration_seconds(item.get("for") or "0s", f"rule {rule.get('uid')}")
        item["provenance"] = rule.get("provenance", provenance) or ""
        rules.append(item)
    return _normalised({"interval": int(group.get("interval") or 0), "rules": rules})


def comparable_contact_point(point: dict[str, Any], desired: dict[str, Any] | None = None) -> Any:
    """name, type, settings and the resolve flag; a masked live secret counts as equal."""
    settings = dict(point.get("settings") or {})
    if desired is not None:
        wanted = desired.get("settings") or {}
        settings = {k: (wanted.get(k) if v == REDACTED and k in wanted else v) for k, v in settings.items()}
    return _normalised({"name": point.get("name"), "type": point.get("type"), "settings": settings,
                        "disableResolveMessage": bool(point.get("disableResolveMessage", False))})


def comparable_policies(tree: dict[str, Any]) -> Any:
    """The policy tree without Grafana's provenance marker."""
    return _normalised({k: v for k, v in tree.items() if k != "provenance"})
