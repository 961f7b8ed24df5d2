"""In-memory alerting provisioning API for one org: rules and rule groups, contact points and the
notification policy tree, with provenance (X-Disable-Provenance) as grafana.md describes.

Provenance: a write without the header marks the resource "api" (locked in the UI); with it,
"" (editable). A resource provisioned from files ("file") cannot be changed through the API (409;
the status is an assumption). A rule group cannot mix provenances.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable

from tests.emulator.state import Reply, iso

RULE_DEFAULTS: dict[str, Any] = {"noDataState": "NoData", "execErrState": "Error", "for": "0s",
                                 "isPaused": False, "annotations": {}, "labels": {}}
NO_DATA_STATES = {"NoData", "Alerting", "OK", "KeepLast"}
EXEC_ERR_STATES = {"Error", "Alerting", "OK", "KeepLast"}
SECURE_HINTS = ("password", "token", "secret", "key")
DEFAULT_RECEIVER = "grafana-default-email"
_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_UNITS = (("y", 31536000), ("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def prometheus_duration(text: str) -> str:
    """Grafana re-renders `for` the way Prometheus' model.Duration prints it: "90s" -> "1m30s"."""
    parts = _DURATION.findall(str(text))
    if not parts or "".join(n + u for n, u in parts) != str(text):
        raise ValueError(text)
    seconds = sum(int(n) * dict(_UNITS + (("ms", 0),))[u] for n, u in parts)
    if seconds == 0:
        return "0s"
    out = ""
    for unit, size in _UNITS:
        if seconds >= size:
            out += f"{seconds // size}{unit}"
            seconds %= size
    return out


def _provenance(disable: bool) -> str:
    return "" if disable else "api"


def _check_change(current: str, new: str) -> str | None:
    if current == "file" and new != "file":
        return f"cannot change provenance from '{current}' to '{new}'"
    return None


class Provisioning:
    """Alerting provisioning state; `folder_exists` links it to the org's folders."""

    def __init__(self, folder_exists: Callable[[str], bool], clock: Callable[[], float]) -> None:
        self.folder_exists = folder_exists
        self.clock = clock
        self.rules: dict[str, dict[str, Any]] = {}
        self.intervals: dict[tuple[str, str], int] = {}
        self.contact_points: dict[str, dict[str, Any]] = {
            "default-email": {"uid": "default-email", "name": DEFAULT_RECEIVER, "type": "email",
                              "settings": {"addresses": "<example@email.com>"}, "disableResolveMessage": False,
                              "provenance": ""}}
        self.policies: dict[str, Any] = {"receiver": DEFAULT_RECEIVER, "group_by": ["grafana_folder", "alertname"]}
        self.policies_provenance = ""
        self._next = 0

    @staticmethod
    def _out(item: dict[str, Any]) -> dict[str, Any]:
        result = copy.deepcopy(item)
        if not result.get("provenance"):
            result.pop("provenance", None)
        return result

    def _validate_rule(self, rule: Any, folder_uid: str, group: str) -> tuple[dict[str, Any] | None, str]:
        if not isinstance(rule, dict):
            return None, "invalid rule specification"
        for key in ("title", "condition", "data"):
            if not rule.get(key):
                return None, f"invalid rule specification: {key} is required"
        stored = {**copy.deepcopy(RULE_DEFAULTS), **copy.deepcopy(rule)}
        if stored["noDataState"] not in NO_DATA_STATES or stored["execErrState"] not in EXEC_ERR_STATES:
            return None, "invalid rule specification: unknown noDataState or execErrState"
        try:
            stored["for"] = prometheus_duration(stored["for"])
        except ValueError:
            return None, f"invalid rule specification: bad duration {stored['for']!r}"
        self._next += 1
        stored.setdefault("uid", f"rule{self._next}")
        stored.update({"folderUID": folder_uid, "ruleGroup": group, "orgID": 1, "updated": iso(self.clock())})
        stored.setdefault("id", self._next)
        return stored, ""

    # -- rules and groups ---------------------------------------------------------------------

    def list_rules(self) -> Reply:
        return 200, [self._out(r) for r in self.rules.values()]

    def get_rule(self, uid: str) -> Reply:
        rule = self.rules.get(uid)
        return (200, self._out(rule)) if rule else (404, {"message": "rule not found"})

    def create_rule(self, body: Any, disable: bool) -> Reply:
        folder_uid = str((body or {}).get("folderUID") or "")
        group = str((body or {}).get("ruleGroup") or "")
        if not self.folder_exists(folder_uid) or not group:
            return 400, {"message": "invalid rule specification: folderUID and ruleGroup must exist"}
        rule, error = self._validate_rule(body, folder_uid, group)
        if rule is None:
            return 400, {"message": error}
        if rule["uid"] in self.rules:
            return 409, {"message": "a rule with this uid already exists"}
        new = _provenance(disable)
        members = [r for r in self.rules.values() if (r["folderUID"], r["ruleGroup"]) == (folder_uid, group)]
        if any(r.get("provenance", "") != new for r in members):
            return 400, {"message": "cannot mix provisioned and non-provisioned rules in a rule group"}
        if any(r["title"] == rule["title"] for r in members):
            return 400, {"message": "rule titles must be unique within a group"}
        rule["provenance"] = new
        self.rules[rule["uid"]] = rule
        self.intervals.setdefault((folder_uid, group), 60)
        return 201, self._out(rule)

    def delete_rule(self, uid: str, disable: bool) -> Reply:
        rule = self.rules.get(uid)
        if rule is None:
            return 404, {"message": "rule not found"}
        error = _check_change(rule.get("provenance", ""), _provenance(disable))
        if error:
            return 409, {"message": error}
        del self.rules[uid]
        return 204, None

    def get_group(self, folder_uid: str, group: str) -> Reply:
        rules = [self._out(r) for r in self.rules.values() if (r["folderUID"], r["ruleGroup"]) == (folder_uid, group)]
        if not rules:
            return 404, {"message": "rule group does not exist"}
        return 200, {"title": group, "folderUid": folder_uid, "interval": self.intervals.get((folder_uid, group), 60),
                     "rules": rules}

    def put_group(self, folder_uid: str, group: str, body: Any, disable: bool) -> Reply:
        if not self.folder_exists(folder_uid):
            return 400, {"message": f"folder {folder_uid} does not exist"}
        if not isinstance(body, dict) or not isinstance(body.get("rules", []), list):
            return 400, {"message": "bad request data"}
        interval = body.get("interval")
        if not isinstance(interval, int) or interval <= 0 or interval % 10:
            return 400, {"message": "invalid interval: must be a positive multiple of 10 seconds"}
        new = _provenance(disable)
        incoming: list[dict[str, Any]] = []
        for raw in body.get("rules", []):
            rule, error = self._validate_rule(raw, folder_uid, group)
            if rule is None:
                return 400, {"message": error}
            incoming.append(rule)
        titles = [r["title"] for r in incoming]
        if len(set(titles)) != len(titles):
            return 400, {"message": "rule titles must be unique within a group"}
        current = [r for r in self.rules.values() if (r["folderUID"], r["ruleGroup"]) == (folder_uid, group)]
        for rule in current + [self.rules[r["uid"]] for r in incoming if r["uid"] in self.rules]:
            refused = _check_change(rule.get("provenance", ""), new)
            if refused:
                return 409, {"message": refused}
        for rule in current:
            del self.rules[rule["uid"]]
        for rule in incoming:
            rule["provenance"] = new  # the whole group takes the new provenance
            self.rules[rule["uid"]] = rule
        self.intervals[(folder_uid, group)] = interval
        return self.get_group(folder_uid, group)

    # -- contact points and policies ----------------------------------------------------------

    def list_contact_points(self) -> Reply:
        points = []
        for point in self.contact_points.values():
            shown = self._out(point)
            shown["settings"] = {k: ("[REDACTED]" if any(h in k.lower() for h in SECURE_HINTS) else v)
                                 for k, v in point["settings"].items()}
            points.append(shown)
        return 200, points

    def create_contact_point(self, body: Any, disable: bool) -> Reply:
        if not isinstance(body, dict) or not body.get("name") or not body.get("type"):
            return 400, {"message": "invalid contact point: name and type are required"}
        uid = str(body.get("uid") or f"cp{len(self.contact_points) + 1}")
        if uid in self.contact_points:
            return 409, {"message": "contact point with this uid already exists"}
        self.contact_points[uid] = {"uid": uid, "name": body["name"], "type": body["type"],
                                    "settings": copy.deepcopy(body.get("settings") or {}),
                                    "disableResolveMessage": bool(body.get("disableResolveMessage", False)),
                                    "provenance": _provenance(disable)}
        return 202, self._out(self.contact_points[uid])

    def update_contact_point(self, uid: str, body: Any, disable: bool) -> Reply:
        point = self.contact_points.get(uid)
        if point is None:
            return 404, {"message": "contact point not found"}
        if not isinstance(body, dict) or not body.get("name") or not body.get("type"):
            return 400, {"message": "invalid contact point: name and type are required"}
        error = _check_change(point.get("provenance", ""), _provenance(disable))
        if error:
            return 409, {"message": error}
        settings = {k: (point["settings"].get(k) if v == "[REDACTED]" else v)
                    for k, v in (body.get("settings") or {}).items()}  # a masked value keeps the secret
        point.update({"name": body["name"], "type": body["type"], "settings": settings,
                      "disableResolveMessage": bool(body.get("disableResolveMessage", False)),
                      "provenance": _provenance(disable)})
        return 202, {"message": "contactpoint updated"}

    def get_policies(self) -> Reply:
        tree = copy.deepcopy(self.policies)
        if self.policies_provenance:
            tree["provenance"] = self.policies_provenance
        return 200, tree

    def put_policies(self, body: Any, disable: bool) -> Reply:
        if not isinstance(body, dict) or not body.get("receiver"):
            return 400, {"message": "invalid object specification: the root route needs a receiver"}
        names = {p["name"] for p in self.contact_points.values()}

        def receivers(route: dict[str, Any]) -> list[str]:
            found = [route["receiver"]] if route.get("receiver") else []
            for child in route.get("routes") or []:
                found += receivers(child)
            return found

        unknown = [r for r in receivers(body) if r not in names]
        if unknown:
            return 400, {"message": f"invalid object specification: receiver '{unknown[0]}' does not exist"}
        error = _check_change(self.policies_provenance, _provenance(disable))
        if error:
            return 409, {"message": error}
        self.policies = {k: copy.deepcopy(v) for k, v in body.items() if k != "provenance"}
        self.policies_provenance = _provenance(disable)
        return 202, {"message": "policies updated"}
