"""One deploy end to end (read, plan, refuse or back up, write, report): used by the CLI and the bench."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from generator.config import Config
from generator.deploy.apply import Applier, ApplyOptions, Result, check_blockers
from generator.deploy.artifacts import DEFAULT_DIR, Artifacts
from generator.deploy.client import GrafanaClient
from generator.deploy.compiled import CompiledOutput
from generator.deploy.errors import DeployError
from generator.deploy.plan import Kind
from generator.deploy.report import DeployReport
from generator.deploy.survey import SurveyOptions, survey


@dataclass(frozen=True)
class DeployRequest:
    """Every choice a deploy run makes, in one frozen object."""

    dry_run: bool = False
    only: frozenset[str] = frozenset()
    prune: bool = False
    force: bool = False
    alerts_editable: bool = False
    commit: str = "unknown"
    artifacts_dir: Path = DEFAULT_DIR
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)
    # Applied to every file written under artifacts_dir (live JSON may hold an echoed secret).
    scrub: Callable[[str], str] = field(default=lambda text: text, repr=False)


def run_deploy(client: GrafanaClient, config: Config, compiled: CompiledOutput, request: DeployRequest,
               on_result: Callable[[Result], None] = lambda r: None,
               on_note: Callable[[str], None] = lambda n: None) -> DeployReport:
    """Deploy `compiled` to the Grafana behind `client`; raises before writing on drift or gaps."""
    if request.prune and not compiled.dashboards:
        raise DeployError(f"{compiled.root}: no compiled dashboards; refusing to --prune every managed dashboard")
    started = time.monotonic()
    options = SurveyOptions(only=request.only, prune=request.prune, force=request.force,
                            alerts_editable=request.alerts_editable)
    plan = survey(client, config, compiled, options, request.environ)
    artifacts = Artifacts(request.artifacts_dir, scrub=request.scrub)
    notes: list[str] = []

    def note(text: str) -> None:
        notes.append(text)
        on_note(text)

    applier = Applier(client, ApplyOptions(dry_run=request.dry_run, commit=request.commit,
                                           alerts_editable=request.alerts_editable), artifacts, on_result)
    # Shown before any refusal, so each drifted dashboard's line (who, when) is on screen.
    applier.report_unwritten(plan)
    check_blockers(plan, artifacts, dry_run=request.dry_run, observability=compiled.root, on_note=note)
    deletes = plan.of_kind(Kind.DELETE)
    if deletes:
        listed = ", ".join(f"{a.key} ({a.title})" for a in deletes)
        verb = "would delete" if request.dry_run else "deleting"
        note(f"--prune {verb} {len(deletes)} managed dashboard(s) no longer in code: {listed}")
    results = applier.run(plan)
    if request.dry_run and plan.missing_datasources:
        names = ", ".join(f"{ds.name} (uid {ds.uid})" for ds in plan.missing_datasources)
        note(f"data sources missing in Grafana (a real deploy stops here): {names}")
    if artifacts.written:
        note(f"files written under {artifacts.run_dir}")
    return DeployReport(results=results, dry_run=request.dry_run, requests=dict(client.requests_by_method),
                        elapsed_seconds=time.monotonic() - started, grafana_version=plan.grafana_version,
                        notes=notes)
