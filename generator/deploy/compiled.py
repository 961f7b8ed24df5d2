"""Read the compiled output under observability/: dashboards, data sources and alerting files."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.config import Config
from generator.deploy.errors import CompiledOutputError
from generator.deploy.normalise import content_hash

DASHBOARDS_DIR = Path("grafana/dashboards")
DATASOURCES_DIR = Path("grafana/provisioning/datasources")
ALERTING_DIR = Path("grafana/provisioning/alerting")
MAX_UID_LENGTH = 40  # Grafana rejects longer uids with a 400


@dataclass(frozen=True)
class CompiledDashboard:
    """One compiled dashboard file and the hash of its normalised content."""

    uid: str
    title: str
    path: Path
    data: dict[str, Any] = field(compare=False, repr=False)
    digest: str = ""


@dataclass(frozen=True)
class DataSource:
    """A provisioned data source the dashboards refer to by uid."""

    name: str
    type: str
    uid: str
    path: Path


@dataclass(frozen=True)
class AlertingDocument:
    """One provisioning/alerting YAML file, as Grafana's file provisioner would read it."""

    path: Path
    groups: tuple[dict[str, Any], ...] = ()
    contact_points: tuple[dict[str, Any], ...] = ()
    policies: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class CompiledOutput:
    """Everything deploy can push, read from one observability directory."""

    root: Path
    dashboards: tuple[CompiledDashboard, ...]
    datasources: tuple[DataSource, ...]
    alerting: tuple[AlertingDocument, ...]


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CompiledOutputError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from None
    except OSError as exc:
        raise CompiledOutputError(f"{path}: cannot read ({exc.strerror})") from None


def _yaml_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_dashboard(path: Path, config: Config) -> CompiledDashboard:
    """One dashboard file, checked for what deploy relies on (uid, title, the managed tag)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CompiledOutputError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except OSError as exc:
        raise CompiledOutputError(f"{path}: cannot read ({exc.strerror})") from None
    if not isinstance(data, dict):
        raise CompiledOutputError(f"{path}: expected a dashboard object")
    if "dashboard" in data and "uid" not in data:
        raise CompiledOutputError(f"{path}: holds an API envelope; expected the classic dashboard JSON itself")
    uid, title = data.get("uid"), data.get("title")
    if not isinstance(uid, str) or not uid:
        raise CompiledOutputError(f"{path}: dashboard has no uid (deploy needs a stable uid)")
    if len(uid) > MAX_UID_LENGTH:
        raise CompiledOutputError(f"{path}: uid {uid!r} is longer than {MAX_UID_LENGTH} characters")
    if not isinstance(title, str) or not title.strip():
        raise CompiledOutputError(f"{path}: dashboard {uid!r} has no title")
    tags = data.get("tags") or []
    if config.managed_tag not in tags:
        # Prune finds managed dashboards by this tag; an untagged one could never be cleaned up.
        raise CompiledOutputError(
            f"{path}: dashboard {uid!r} lacks the managed tag {config.managed_tag!r} (add it to tags)")
    return CompiledDashboard(uid=uid, title=title, path=path, data=data, digest=content_hash(data))


def load_datasources(directory: Path) -> tuple[DataSource, ...]:
    """Every data source in the provisioning files; each must carry a fixed uid."""
    found: list[DataSource] = []
    for path in _yaml_files(directory):
        doc = _read_yaml(path) or {}
        if not isinstance(doc, dict):
            raise CompiledOutputError(f"{path}: expected a mapping with `datasources:`")
        for entry in doc.get("datasources") or []:
            if not isinstance(entry, dict):
                raise CompiledOutputError(f"{path}: every data source must be a mapping")
            name = str(entry.get("name", ""))
            uid = entry.get("uid")
            if not isinstance(uid, str) or not uid:
                raise CompiledOutputError(f"{path}: data source {name!r} has no fixed uid")
            found.append(DataSource(name=name, type=str(entry.get("type", "")), uid=uid, path=path))
    return tuple(found)


def load_alerting(directory: Path) -> tuple[AlertingDocument, ...]:
    """Alerting provisioning files (groups, contactPoints, policies) in file order."""
    documents: list[AlertingDocument] = []
    for path in _yaml_files(directory):
        doc = _read_yaml(path) or {}
        if not isinstance(doc, dict):
            raise CompiledOutputError(f"{path}: expected a provisioning mapping (apiVersion, groups, ...)")
        parts: dict[str, tuple[dict[str, Any], ...]] = {}
        for key, attr in (("groups", "groups"), ("contactPoints", "contact_points"), ("policies", "policies")):
            items = doc.get(key) or []
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise CompiledOutputError(f"{path}: `{key}` must be a list of mappings")
            parts[attr] = tuple(items)
        documents.append(AlertingDocument(path=path, **parts))
    return tuple(documents)


def load(root: Path, config: Config) -> CompiledOutput:
    """The compiled output under `root`; raises CompiledOutputError naming the bad file."""
    if not root.is_dir():
        raise CompiledOutputError(f"{root}: compiled output not found (run `make dashboards` first)")
    dashboards: list[CompiledDashboard] = []
    seen: dict[str, Path] = {}
    directory = root / DASHBOARDS_DIR
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        dashboard = load_dashboard(path, config)
        if dashboard.uid in seen:
            raise CompiledOutputError(f"{path}: uid {dashboard.uid!r} is also used by {seen[dashboard.uid]}")
        seen[dashboard.uid] = path
        dashboards.append(dashboard)
    return CompiledOutput(
        root=root,
        dashboards=tuple(dashboards),
        datasources=load_datasources(root / DATASOURCES_DIR),
        alerting=load_alerting(root / ALERTING_DIR),
    )
