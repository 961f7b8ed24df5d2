"""Snapshots of compiled output from a directory or from files read out of git objects.

A file that cannot be parsed is recorded in `Snapshot.broken` with one line saying why; the
rest of the snapshot is still read, so every other dashboard is still diffed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import yaml

from generator.review.model import Snapshot

DASHBOARDS = "grafana/dashboards/"
ALERTING = "grafana/provisioning/alerting/"


def wanted(relative: str) -> bool:
    """Whether a path under observability/ is part of what the differ compares."""
    return ((relative.startswith(DASHBOARDS) and relative.endswith(".json"))
            or (relative.startswith(ALERTING) and relative.endswith((".yaml", ".yml"))))


def from_directory(root: Path, label: str = "working tree") -> Snapshot:
    return from_files(read_directory(root), label, prefix=f"{root.as_posix().rstrip('/')}/")


def read_directory(root: Path) -> dict[str, bytes]:
    """The compared files under an observability directory: relative path -> bytes."""
    files: dict[str, bytes] = {}
    for sub in (DASHBOARDS, ALERTING):
        directory = root / sub
        if directory.is_dir():
            for path in sorted(directory.iterdir()):
                relative = f"{sub}{path.name}"
                if path.is_file() and wanted(relative):
                    files[relative] = path.read_bytes()
    return files


def from_files(files: Mapping[str, bytes], label: str, prefix: str = "observability/") -> Snapshot:
    """files: path relative to observability/ -> content. Paths in messages get `prefix`."""
    snapshot = Snapshot(label)
    for relative, content in sorted(files.items()):
        shown = f"{prefix}{relative}"
        if relative.startswith(DASHBOARDS):
            _add_dashboard(snapshot, shown, content)
        elif relative.startswith(ALERTING):
            _add_alerting(snapshot, shown, content)
    return snapshot


def _add_dashboard(snapshot: Snapshot, shown: str, content: bytes) -> None:
    try:
        data = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        snapshot.broken[shown] = "not UTF-8 text"
        return
    except json.JSONDecodeError as exc:
        snapshot.broken[shown] = f"invalid JSON at line {exc.lineno}: {exc.msg}"
        return
    uid = data.get("uid") if isinstance(data, dict) else None
    if not isinstance(uid, str) or not uid:
        snapshot.broken[shown] = "not a dashboard with a uid"
        return
    if uid in snapshot.dashboards:
        snapshot.broken[shown] = f"uid {uid!r} is also used by {snapshot.paths[uid]}"
        return
    snapshot.dashboards[uid] = data
    snapshot.paths[uid] = shown


def _add_alerting(snapshot: Snapshot, shown: str, content: bytes) -> None:
    try:
        doc: Any = yaml.safe_load(content.decode("utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        snapshot.broken[shown] = f"invalid YAML: {str(exc).splitlines()[0]}"
        return
    if not isinstance(doc, dict):
        snapshot.broken[shown] = "expected a provisioning mapping (groups, contactPoints, policies)"
        return
    for group in doc.get("groups") or []:
        if not isinstance(group, dict):
            continue
        for rule in group.get("rules") or []:
            if isinstance(rule, dict) and rule.get("uid"):
                snapshot.rules[str(rule["uid"])] = {**rule, "group": group.get("name"),
                                                    "folder": group.get("folder"),
                                                    "interval": group.get("interval")}
    for point in doc.get("contactPoints") or []:
        if isinstance(point, dict) and point.get("name"):
            receivers = [{k: v for k, v in r.items() if k != "orgId"} for r in point.get("receivers") or []
                         if isinstance(r, dict)]
            snapshot.contact_points[str(point["name"])] = {"receivers": receivers}
    policies = [p for p in doc.get("policies") or [] if isinstance(p, dict)]
    if policies:
        snapshot.policies = {k: v for k, v in policies[0].items() if k != "orgId"}
