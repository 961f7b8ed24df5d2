"""Pure planning: compare compiled resources with what Grafana holds and decide one action each."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable

from generator.deploy.compiled import CompiledDashboard, DataSource
from generator.deploy.normalise import STAMP_KEY, content_hash


class Kind(str, Enum):
    """What deploy does (or would do) with one resource."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DRIFTED = "drifted"  # edited in Grafana since the last deploy: refused without --force
    BLOCKED = "blocked"  # Grafana will not accept an API write (file-provisioned dashboard)
    DELETE = "delete"
    STALE = "stale"  # managed, gone from code, kept because --prune was not given


class Resource(str, Enum):
    FOLDER = "folder"
    DASHBOARD = "dashboard"
    CONTACT_POINT = "contact-point"
    POLICIES = "policies"
    RULE_GROUP = "rule-group"


WRITE_KINDS = frozenset({Kind.CREATE, Kind.UPDATE, Kind.DELETE})


@dataclass(frozen=True)
class Action:
    """One planned change (or non-change) and the facts a user needs to trust it."""

    kind: Kind
    resource: Resource
    key: str
    title: str
    reason: str = ""
    forced: bool = False
    folder_uid: str = ""
    live_version: int | None = None
    updated_by: str = ""
    updated: str = ""
    # The compiled body to send and the live JSON as read (for backups and diffs).
    desired: Any = field(default=None, compare=False, repr=False)
    live: Any = field(default=None, compare=False, repr=False)
    digest: str = ""
    # Normalised (desired, live) forms an alerting resource was compared by, for `dashgen diff`.
    comparable: tuple[Any, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def writes(self) -> bool:
        return self.kind in WRITE_KINDS

    @property
    def label(self) -> str:
        return f"{self.resource.value} {self.key}"


@dataclass(frozen=True)
class Plan:
    """Every action, in the order they are applied, plus facts that block a deploy."""

    actions: tuple[Action, ...]
    missing_datasources: tuple[DataSource, ...] = ()
    grafana_version: str = ""

    def of_kind(self, *kinds: Kind) -> list[Action]:
        return [a for a in self.actions if a.kind in kinds]


def plan_folder(uid: str, title: str, live: dict[str, Any] | None) -> Action:
    """Create the managed folder by its fixed uid, or retitle it; never move or delete it."""
    if live is None:
        return Action(Kind.CREATE, Resource.FOLDER, uid, title, desired={"uid": uid, "title": title})
    if live.get("title") != title:
        return Action(Kind.UPDATE, Resource.FOLDER, uid, title, reason=f"retitle from {live.get('title')!r}",
                      live_version=int(live.get("version") or 0), desired={"title": title}, live=live)
    return Action(Kind.UNCHANGED, Resource.FOLDER, uid, title, live=live)


def plan_dashboard(compiled: CompiledDashboard, live: dict[str, Any] | None, folder_uid: str,
                   *, force: bool = False) -> Action:
    """The action for one compiled dashboard given `GET /api/dashboards/uid/:uid` (None if absent).

    Drift model: every deploy stamps the dashboard with the hash of the normalised content it
    wrote. Live content whose hash equals its own stamp is exactly what some deploy wrote, from
    any machine, so replacing it loses nothing. Anything else (content edited, stamp dropped by
    a UI save, or a dashboard deploy never wrote) is drift: refused unless --force.
    """
    if live is None:
        return _dashboard_action(Kind.CREATE, compiled, folder_uid, None)
    dashboard = live.get("dashboard") or {}
    meta = live.get("meta") or {}
    live_hash = content_hash(dashboard)
    stamp = dashboard.get(STAMP_KEY)
    live_folder = str(meta.get("folderUid") or "")
    same_content = live_hash == compiled.digest
    if same_content and live_folder == folder_uid:
        return _dashboard_action(Kind.UNCHANGED, compiled, folder_uid, live)
    if meta.get("provisioned"):
        return _dashboard_action(Kind.BLOCKED, compiled, folder_uid, live,
                                 "provisioned from files in Grafana: change the files and reload provisioning")
    move = "" if live_folder == folder_uid else f"move from folder {live_folder or 'General'!r}"
    if same_content or stamp == live_hash:
        reason = "; ".join(r for r in ("" if same_content else "content changed", move) if r)
        return _dashboard_action(Kind.UPDATE, compiled, folder_uid, live, reason)
    if stamp is None:
        why = "differs and carries no deploy stamp (saved from the UI, or never deployed by dashgen)"
    else:
        why = "edited in Grafana since the last deploy (content no longer matches its deploy stamp)"
    if force:
        return _dashboard_action(Kind.UPDATE, compiled, folder_uid, live, f"overwrite: {why}", forced=True)
    return _dashboard_action(Kind.DRIFTED, compiled, folder_uid, live, why)


def _dashboard_action(kind: Kind, compiled: CompiledDashboard, folder_uid: str, live: dict[str, Any] | None,
                      reason: str = "", *, forced: bool = False) -> Action:
    meta = (live or {}).get("meta") or {}
    version = meta.get("version") or ((live or {}).get("dashboard") or {}).get("version")
    return Action(kind, Resource.DASHBOARD, compiled.uid, compiled.title, reason=reason, forced=forced,
                  folder_uid=folder_uid, live_version=int(version) if version is not None else None,
                  updated_by=str(meta.get("updatedBy") or ""), updated=str(meta.get("updated") or ""),
                  desired=compiled.data, live=live, digest=compiled.digest)


def plan_prune(hits: Iterable[dict[str, Any]], compiled_uids: set[str], managed_tag: str,
               managed_folders: set[str], *, prune: bool) -> list[Action]:
    """Managed dashboards (tag and folder both ours) that code no longer defines."""
    actions: list[Action] = []
    for hit in sorted(hits, key=lambda h: str(h.get("uid"))):
        uid = str(hit.get("uid") or "")
        if not uid or uid in compiled_uids:
            continue
        if managed_tag not in (hit.get("tags") or []) or hit.get("folderUid") not in managed_folders:
            continue
        kind = Kind.DELETE if prune else Kind.STALE
        reason = "not in code" if prune else "not in code; --prune deletes it"
        actions.append(Action(kind, Resource.DASHBOARD, uid, str(hit.get("title") or ""), reason=reason,
                              folder_uid=str(hit.get("folderUid"))))
    return actions


def plan_resource(resource: Resource, key: str, title: str, desired: dict[str, Any],
                  comparable_desired: Any, comparable_live: Any | None, live: Any | None) -> Action:
    """Create, update or leave alone an alerting resource, from normalised comparable forms."""
    if live is None:
        return Action(Kind.CREATE, resource, key, title, desired=desired)
    pair = (comparable_desired, comparable_live)
    if comparable_desired == comparable_live:
        return Action(Kind.UNCHANGED, resource, key, title, desired=desired, live=live, comparable=pair)
    return Action(Kind.UPDATE, resource, key, title, reason="differs from the compiled definition",
                  desired=desired, live=live, comparable=pair)
