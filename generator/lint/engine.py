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

# House rules for dashboards this project writes; --portable (a dashboard from elsewhere) skips them.
# promql/job-unselected is one too: this project's dashboards go to AKS (every series scraped
# twice) unchanged, while a dashboard from elsewhere may be meant for a single-scrape setup.
HOUSE_RULES = frozenset({"panel/description", "panel/unit", "promql/job-unselected"})


def run_rules(dashboards: Iterable[DashboardCtx], panels: Iterable[PanelCtx],
              targets: Iterable[TargetCtx], *, portable: bool = False) -> list[Problem]:
    problems: list[Problem] = []
    for rule in RULES:
        if portable and rule.id in HOUSE_RULES:
            continue
        for d in dashboards:
            problems.extend(rule.check_dashboard(d))
        for p in panels:
            problems.extend(rule.check_panel(p))
        for t in targets:
            problems.extend(rule.check_target(t))
    return problems


def lint_dashboards(files: Sequence[tuple[str, dict[str, Any]]], config: Config,
                    exclusions: Path | None = None, *, portable: bool = False) -> list[Problem]:
    """Every problem in these dashboards (file name, parsed JSON), sorted, exclusions applied."""
    dashboards, panels, targets = build_contexts(files, config, portable=portable)
    problems = run_rules(dashboards, panels, targets, portable=portable)
    problems.extend(duplicate_uids(dashboards))
    rules = load_exclusions(exclusions) if exclusions else []
    kept = [p for p in problems if not any(_excluded(p, rule) for rule in rules)]
    return sorted(set(kept), key=lambda p: (p.file, p.dashboard, p.row, p.panel_id, p.panel, p.target, p.rule,
                                            p.message))


def duplicate_uids(dashboards: Sequence[DashboardCtx]) -> list[Problem]:
    return list(dashboard_uid.RULE.check_all(dashboards))


def load_exclusions(path: Path) -> list[dict[str, str]]:
    """The exclusions file: a list of {rule, dashboard?, panel?, reason}; a reason is required."""
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte offset {exc.start}); save it as UTF-8") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from None
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
