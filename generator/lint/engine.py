"""Lint orchestration: the shared walker gives every dashboard, panel and target parsed, each
rule runs at the level it works on, then the exclusions file applies."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from generator.config import Config
from generator.errors import ConfigError
from generator.lint.rules import RULES, dashboard_uid
from generator.problems import Problem
from generator.walker import DashboardCtx, PanelCtx, TargetCtx, build_contexts

def run_rules(dashboards: Iterable[DashboardCtx], panels: Iterable[PanelCtx],
              targets: Iterable[TargetCtx]) -> list[Problem]:
    problems: list[Problem] = []
    for rule in RULES:
        for d in dashboards:
            problems.extend(rule.check_dashboard(d))
        for p in panels:
            problems.extend(rule.check_panel(p))
        for t in targets:
            problems.extend(rule.check_target(t))
    return problems


def lint_dashboards(files: Sequence[tuple[str, dict[str, Any]]], config: Config,
                    exclusions: Path | None = None) -> list[Problem]:
    """Every problem in these dashboards (file name, parsed JSON), sorted, exclusions applied."""
    dashboards, panels, targets = build_contexts(files, config)
    problems = run_rules(dashboards, panels, targets)
    problems.extend(duplicate_uids(dashboards))
    rules = load_exclusions(exclusions) if exclusions else []
    kept = [p for p in problems if not any(_excluded(p, rule) for rule in rules)]
    return sorted(set(kept), key=lambda p: (p.file, p.dashboard, p.panel, p.target, p.rule, p.message))


def duplicate_uids(dashboards: Sequence[DashboardCtx]) -> list[Problem]:
    return list(dashboard_uid.RULE.check_all(dashboards))


def load_exclusions(path: Path) -> list[dict[str, str]]:
    """The exclusions file: a list of {rule, dashboard?, panel?, reason}; a reason is required."""
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a list of exclusions")
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not item.get("rule") or not item.get("reason"):
            raise ConfigError(f"{path}: exclusion #{index} needs `rule` and `reason`")
    return data


def _excluded(problem: Problem, rule: dict[str, str]) -> bool:
    return (rule["rule"] == problem.rule
            and rule.get("dashboard", problem.dashboard) == problem.dashboard
            and rule.get("panel", problem.panel) == problem.panel)
