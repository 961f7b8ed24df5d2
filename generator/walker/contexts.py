"""Contexts for every dashboard, panel and target: Grafana's macros and the dashboard's
variables substituted as Grafana would, every query parsed in one batch."""

from __future__ import annotations

from typing import Any, Sequence

from generator.config import Config
from generator.parsers import parse_mixed
from generator.parsers.bridge import QuerySyntaxError
from generator.parsers.macros import find_variables, lint_substitute, substitute
from generator.walker.model import DashboardCtx, PanelCtx, TargetCtx

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
