"""Lint orchestration: walk dashboards, substitute Grafana macros, parse every query in one
batch, run each rule at the level it works on, then apply the exclusions file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from generator.config import Config
from generator.errors import ConfigError
from generator.lint.model import DashboardCtx, PanelCtx, TargetCtx
from generator.lint.rules import RULES, dashboard_uid
from generator.parsers import parse_mixed
from generator.parsers.bridge import QuerySyntaxError
from generator.parsers.macros import find_variables, lint_substitute, substitute
from generator.problems import Problem

# The time range lint assumes for $__range (Grafana's default for our dashboards).
LINT_RANGE_SECONDS = 6 * 3600


def variable_values(dashboard: dict[str, Any]) -> dict[str, str]:
    """Each template variable's default value, as Grafana would substitute it."""
    values: dict[str, str] = {}
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        current = variable.get("current") or {}
        value = current.get("value", "")
        if isinstance(value, list):
            value = value[0] if value else ""
        if value in ("$__all", "All") or (isinstance(value, str) and value == "" and variable.get("includeAll")):
            value = variable.get("allValue") or ".*"
        values[str(variable.get("name"))] = str(value)
    return values


def language(panel: dict[str, Any], target: dict[str, Any]) -> str:
    """promql or logql from the target's (else the panel's) data source type."""
    ds = target.get("datasource") or panel.get("datasource") or {}
    kind = ds.get("type", "") if isinstance(ds, dict) else ""
    if kind == "loki":
        return "logql"
    if kind == "prometheus" or (not kind and "expr" in target):
        return "promql"
    return ""


def build_contexts(files: Sequence[tuple[str, dict[str, Any]]], config: Config) -> tuple[
        list[DashboardCtx], list[PanelCtx], list[TargetCtx]]:
    """Contexts for every dashboard, panel and target, with all queries parsed in one batch."""
    dashboards, panels, pending = [], [], []
    rate_interval = 4 * config.scrape_interval_seconds
    for file, data in files:
        d = DashboardCtx(file, data, config)
        dashboards.append(d)
        values = variable_values(data)
        for panel in d.panels():
            p = PanelCtx(d, panel)
            panels.append(p)
            for target in panel.get("targets") or []:
                lang = language(panel, target)
                expr = str(target.get("expr") or "")
                if not lang or not expr.strip():
                    continue
                # $__interval can be as short as the scrape interval on short time ranges.
                text = substitute(expr, values, interval_seconds=config.scrape_interval_seconds,
                                  rate_interval_seconds=rate_interval, range_seconds=LINT_RANGE_SECONDS)
                if find_variables(text):
                    # Undefined variables (reported by their own rule) get parseable placeholders.
                    text = lint_substitute(text, values).text
                pending.append((p, target, lang, expr, text))
    targets = _parse_all(pending)
    return dashboards, panels, targets


def _parse_all(pending: list[tuple[PanelCtx, dict[str, Any], str, str, str]]) -> list[TargetCtx]:
    """Parse every query in one batch per language; locate failures in the query as written."""
    results = _parse_batch([(item[2], item[4]) for item in pending])
    failed = [i for i, result in enumerate(results) if isinstance(result, QuerySyntaxError)]
    if failed:
        # Re-parse the failures with position-preserving placeholders so the reported
        # line:column points into the query as the author wrote it.
        subs = [lint_substitute(pending[i][3], ()) for i in failed]
        again = _parse_batch([(pending[i][2], sub.text) for i, sub in zip(failed, subs)])
        for i, sub, result in zip(failed, subs, again):
            if isinstance(result, QuerySyntaxError):
                start, end = sub.original_span(result.start, result.end)
                results[i] = QuerySyntaxError(pending[i][3], start, end, result.reason)
    out = []
    for (p, target, lang, expr, text), result in zip(pending, results):
        if isinstance(result, Exception):
            out.append(TargetCtx(p, target, lang, expr, text, None, result))
        else:
            out.append(TargetCtx(p, target, lang, expr, text, result, None))
    return out


def _parse_batch(items: list[tuple[str, str]]) -> list[Any]:
    return parse_mixed(items) if items else []


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
