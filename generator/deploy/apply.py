"""The write phase: refuse on drift or missing data sources, back up what --force overwrites,
then execute the plan stage by stage with bounded concurrency, stopping at the first failure
and recording which resources were done and which were not."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable

from generator.deploy.artifacts import Artifacts, live_note, unified_diff
from generator.deploy.client import GrafanaClient
from generator.deploy.compiled import DATASOURCES_DIR
from generator.deploy.errors import (
    DeployError,
    DriftRefused,
    GrafanaAPIError,
    GrafanaConflict,
    GrafanaNotFound,
    GrafanaPreconditionFailed,
    MissingDataSources,
)
from generator.deploy.normalise import STAMP_KEY, content_hash, stamped
from generator.deploy.plan import Action, Kind, Plan, Resource


class Status(str, Enum):
    DONE = "done"
    FAILED = "failed"
    NOT_DONE = "not-done"  # never attempted because an earlier write failed
    PLANNED = "planned"  # --dry-run: would be written
    SKIPPED = "skipped"  # nothing to write (unchanged, drifted in a dry run, stale)


@dataclass(frozen=True)
class Result:
    """What happened to one action."""

    action: Action
    status: Status
    error: str = ""
    note: str = ""


@dataclass(frozen=True)
class ApplyOptions:
    """How to write: --dry-run, the git commit for version messages, alert provenance."""

    dry_run: bool = False
    commit: str = "unknown"
    alerts_editable: bool = False


OnResult = Callable[[Result], None]


def check_blockers(plan: Plan, artifacts: Artifacts, *, dry_run: bool, observability: Path,
                   on_note: Callable[[str], None]) -> None:
    """Write drift diffs (telling on_note where); unless dry-run, refuse before any write on drift,
    missing data sources or file-provisioned dashboards."""
    drifted = plan.of_kind(Kind.DRIFTED)
    for action in drifted:
        live_dashboard = (action.live or {}).get("dashboard") or {}
        note = live_note(action.live_version, action.updated_by, action.updated)
        path = artifacts.diff(action.key, unified_diff(action.key, live_dashboard, action.desired, note))
        on_note(f"drift diff for {action.key}: {path}")
    if dry_run:
        return
    if plan.missing_datasources:
        names = ", ".join(f"{ds.name} (uid {ds.uid})" for ds in plan.missing_datasources)
        raise MissingDataSources(
            f"data sources missing in Grafana: {names}; provision them from {observability / DATASOURCES_DIR} "
            "(mount it at /etc/grafana/provisioning/datasources) or create them with exactly these uids")
    if drifted:
        who = "; ".join(f"{a.key} ({live_note(a.live_version, a.updated_by, a.updated) or 'no history'})"
                        for a in drifted)
        raise DriftRefused(
            f"refusing to overwrite {len(drifted)} dashboard(s) edited in Grafana since the last deploy: {who}; "
            f"diffs written to {artifacts.run_dir / 'drift'}; port the edits into code, or re-run with --force "
            "(the live JSON is backed up first)")
    blocked = plan.of_kind(Kind.BLOCKED)
    if blocked:
        raise DeployError(f"cannot write file-provisioned dashboard(s) through the API: "
                          f"{', '.join(a.key for a in blocked)}; change the provisioning files and reload instead")


class Applier:
    """Executes the write actions of a plan; results arrive through `on_result` as they happen."""

    def __init__(self, client: GrafanaClient, options: ApplyOptions, artifacts: Artifacts,
                 on_result: OnResult) -> None:
        self.client = client
        self.options = options
        self.artifacts = artifacts
        self._on_result = on_result
        self._emit_lock = threading.Lock()
        self._stop = threading.Event()
        self.results: list[Result] = []

    def _emit(self, result: Result) -> Result:
        with self._emit_lock:
            self.results.append(result)
            self._on_result(result)
        return result

    def report_unwritten(self, plan: Plan) -> None:
        """Emit the actions that write nothing (unchanged, drifted, stale) before any refusal."""
        for action in plan.actions:
            if not action.writes:
                self._emit(Result(action, Status.SKIPPED))

    def run(self, plan: Plan) -> list[Result]:
        """Apply every write action in order; never raises for a failed write (see Status)."""
        writes = [a for a in plan.actions if a.writes]
        if self.options.dry_run:
            for action in writes:
                self._emit(Result(action, Status.PLANNED))
            return self.results
        stages: list[tuple[list[Action], Callable[[Action], str], bool]] = [
            ([a for a in writes if a.resource is Resource.FOLDER], self._folder, False),
            ([a for a in writes if a.resource is Resource.DASHBOARD and a.kind is not Kind.DELETE],
             self._save_dashboard, True),
            ([a for a in writes if a.kind is Kind.DELETE], self._delete_dashboard, True),
            ([a for a in writes if a.resource is Resource.CONTACT_POINT], self._contact_point, False),
            ([a for a in writes if a.resource is Resource.POLICIES], self._policies, False),
            ([a for a in writes if a.resource is Resource.RULE_GROUP], self._rule_group, False),
        ]
        for actions, handler, concurrent in stages:
            if not actions:
                continue
            workers = self.client.settings.concurrency if concurrent else 1
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(lambda a: self._attempt(a, handler), actions))
        return self.results

    def _attempt(self, action: Action, handler: Callable[[Action], str]) -> Result:
        if self._stop.is_set():
            return self._emit(Result(action, Status.NOT_DONE))
        try:
            note = handler(action)
        except DeployError as exc:
            self._stop.set()
            return self._emit(Result(action, Status.FAILED, error=str(exc)))
        return self._emit(Result(action, Status.DONE, note=note))

    # -- handlers: each returns a note for the user, or raises a DeployError -------------------

    def _folder(self, action: Action) -> str:
        if action.kind is Kind.UPDATE:
            self.client.update_folder(action.key, action.title, action.live_version or 0)
            return ""
        try:
            self.client.create_folder(action.key, action.title)
        except GrafanaConflict:
            # Created by a concurrent deploy, or by our own attempt whose answer was lost.
            if self.client.get_folder(action.key) is None:
                raise
            return "already existed"
        return ""

    def _save_dashboard(self, action: Action) -> str:
        note = ""
        if action.forced and action.live is not None:
            note = f"live JSON backed up to {self.artifacts.backup(action.key, action.live)}"
        version = action.live_version if action.kind is Kind.UPDATE else None
        body = stamped(action.desired, action.digest, version)
        message = f"dashgen {self.options.commit} {action.digest}"
        if action.forced:
            message += f" (forced over edit by {action.updated_by or 'unknown'})"
        try:
            self.client.save_dashboard(body, action.folder_uid, message)
        except GrafanaPreconditionFailed as exc:
            # A retried write whose first attempt landed (answer lost) reads as a version
            # mismatch: if Grafana now holds exactly this content and stamp, it is done.
            if exc.grafana_status != "version-mismatch" or not self._landed(action):
                raise
            return "confirmed after a retry"
        return note

    def _landed(self, action: Action) -> bool:
        live = self.client.get_dashboard(action.key)
        dashboard = (live or {}).get("dashboard") or {}
        meta = (live or {}).get("meta") or {}
        return (dashboard.get(STAMP_KEY) == action.digest and content_hash(dashboard) == action.digest
                and (meta.get("folderUid") or "") == action.folder_uid)

    def _delete_dashboard(self, action: Action) -> str:
        live = self.client.get_dashboard(action.key)
        if live is None:
            return "already gone"
        path = self.artifacts.backup(action.key, live)
        try:
            self.client.delete_dashboard(action.key)
        except GrafanaNotFound:
            return "already gone"
        return f"live JSON backed up to {path}"

    def _contact_point(self, action: Action) -> str:
        editable = self.options.alerts_editable
        if action.kind is Kind.UPDATE:
            self.client.update_contact_point(action.key, action.desired, editable=editable)
            return ""
        try:
            self.client.create_contact_point(action.desired, editable=editable)
        except GrafanaAPIError:
            if not any(p.get("uid") == action.key for p in self.client.list_contact_points()):
                raise
            return "already existed"
        return ""

    def _policies(self, action: Action) -> str:
        self.client.put_policies(action.desired, editable=self.options.alerts_editable)
        return ""

    def _rule_group(self, action: Action) -> str:
        folder_uid, group = action.desired["folderUid"], action.desired["title"]
        self.client.put_rule_group(folder_uid, group, action.desired, editable=self.options.alerts_editable)
        return ""
