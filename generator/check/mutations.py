"""Lies planted in copies of the compiled bundled dashboards: `dashgen check` must report each as
an error. The mutation score (lies caught / lies planted) is what the tests assert and `make
bench` prints; a lie that passes is a hole in check.

Each mutation rewrites one target of one panel; the rest of the copy stays as compiled, so an
error on that panel is the lie's doing (the tests also check the unmutated panel passes).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from generator.check.engine import Declared, check_against
from generator.pipeline import ScenarioRun
from generator.config import Config
from generator.problems import Problem, Severity


@dataclass(frozen=True)
class Mutation:
    """One lie: which target it rewrites, and how."""

    id: str
    dashboard: str
    panel: str
    ref_id: str
    rewrite: Callable[[str], str]
    lie: str


def _sub(pattern: str, replacement: str) -> Callable[[str], str]:
    def rewrite(expr: str) -> str:
        changed = re.sub(pattern, replacement, expr)
        if changed == expr:
            raise ValueError(f"mutation pattern {pattern!r} does not occur in {expr!r}")
        return changed
    return rewrite


MUTATIONS: tuple[Mutation, ...] = (
    Mutation("starts-minus-completions", "toygres-overview", "Active orchestrations", "A",
             lambda _: 'sum(duroxide_orchestration_starts_total{job=~"$job"}) - '
                       'sum(duroxide_orchestration_completions_total{job=~"$job"})',
             "starts minus completions shown as the active count"),
    Mutation("success-counts-continued-as-new", "toygres-overview", "Success rate", "A",
             lambda e: _sub(r'status=~"success\|failed"', 'status=~"success|failed|continuedAsNew"')(
                 _sub(r'status="success"', 'status=~"success|continuedAsNew"')(e)),
             "success rate counting continuedAsNew as an outcome"),
    Mutation("worker-queue-as-orchestrator-queue", "toygres-overview", "Orchestrator queue", "A",
             _sub(r"duroxide_orchestrator_queue_depth", "duroxide_worker_queue_depth"),
             "the worker queue shown as the orchestrator queue"),
    Mutation("p50-labelled-p95", "toygres-production-metrics", "Activity p50 / p95 / p99", "B",
             _sub(r'0\.95', "0.5"), "the p50 shown as the p95"),
    Mutation("constant", "toygres-overview", "Orchestrator queue", "A", lambda _: "vector(0)",
             "a constant shown as the orchestrator queue"),
    Mutation("offset", "toygres-overview", "Active orchestrations", "A",
             _sub(r'duroxide_active_orchestrations\{job=~"\$job"\}', 'duroxide_active_orchestrations{job=~"$job"} offset 10m'),
             "the active count of 10 minutes ago"),
    Mutation("drops-a-failure-type", "toygres-overview", "Failure rate", "A",
             _sub(r'orchestration_name!=""', 'orchestration_name!="", error_type!="app_error"'),
             "a label filter that drops application failures from the failure rate"),
    Mutation("one-scrape-window", "toygres-production-metrics", "Activity throughput", "A",
             _sub(r"\$__rate_interval", "15s"), "a rate window of one scrape interval"),
)


def plant(dashboards: dict[str, dict[str, Any]], mutation: Mutation) -> dict[str, Any]:
    """A copy of the mutation's dashboard with its lie planted."""
    data = copy.deepcopy(dashboards[mutation.dashboard])
    for panel in data.get("panels", []):
        if panel.get("title") == mutation.panel:
            for target in panel.get("targets", []):
                if target.get("refId") == mutation.ref_id:
                    target["expr"] = mutation.rewrite(target["expr"])
                    return data
    raise ValueError(f"{mutation.id}: no target {mutation.ref_id} in panel {mutation.panel!r} of {mutation.dashboard}")


def caught(problems: Sequence[Problem], mutation: Mutation) -> list[Problem]:
    """The errors check reported on the mutated panel."""
    return [p for p in problems if p.severity is Severity.ERROR and p.dashboard == mutation.dashboard
            and p.panel == mutation.panel]


def run(dashboards: dict[str, dict[str, Any]], config: Config, url: str, runs: Sequence[ScenarioRun],
        declared: Declared, mutations: Sequence[Mutation] = MUTATIONS) -> dict[str, list[Problem]]:
    """Each mutation's errors on its panel (empty: the lie passed unnoticed)."""
    out: dict[str, list[Problem]] = {}
    for mutation in mutations:
        data = plant(dashboards, mutation)
        data["panels"] = [p for p in data.get("panels", []) if p.get("title") == mutation.panel]
        problems = check_against([(f"{mutation.dashboard}.json", data)], config, url, runs, declared)
        out[mutation.id] = caught(problems, mutation)
    return out
