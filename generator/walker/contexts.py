"""Contexts for every dashboard, panel and target: Grafana's macros and the dashboard's
variables substituted as Grafana would, every query parsed in one batch, in the language its
data source resolves to."""

from __future__ import annotations

import re
from typing import Any, Sequence

from generator.config import Config
from generator.parsers import parse_mixed
from generator.parsers.bridge import QuerySyntaxError
from generator.parsers.literals import parse_duration
from generator.parsers.macros import find_variables, format_errors, lint_substitute, substitute
from generator.walker.model import DashboardCtx, PanelCtx, TargetCtx

# The time range lint assumes for $__range (Grafana's default for our dashboards).
LINT_RANGE_SECONDS = 6 * 3600


# Grafana's default scrape interval for a Prometheus data source whose timeInterval is unset:
# what --portable judges windows with when a panel states no min interval of its own.
GRAFANA_DEFAULT_SCRAPE_SECONDS = 15
# Variable types Grafana fills in without a query; the others get their value at load time.
_STATIC_TYPES = frozenset({"custom", "constant", "textbox", "interval"})
# LogQL's pipeline: what tells a log query from PromQL when the data source type is unknown.
_LOGQL_HINT = re.compile(r"\|[=~]|\|\s*(json|logfmt|pattern|regexp|unpack|line_format|label_format|"
                         r"decolorize|drop|keep)\b")
_VARIABLE_REF = re.compile(r"^\$\{?(\w+)\}?$|^\[\[(\w+)\]\]$")


def variable_values(dashboard: dict[str, Any], *, unsaved: bool = True) -> dict[str, str]:
    """Each template variable's default value, as Grafana would substitute it. Query variables
    with no saved value get theirs from the data source at load time: with `unsaved` they read
    as empty (or the all-value), as check has always sent them; without, they are left out and
    lint gives them a placeholder instead of a guess."""
    values: dict[str, str] = {}
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        current = variable.get("current") or {}
        value: Any = current.get("value")
        if value is None and variable.get("type") in _STATIC_TYPES:
            query = variable.get("query")
            value = str(query).split(",")[0].strip() if isinstance(query, str) else ""
        if value is None:
            if not unsaved:
                continue
            value = ""
        if isinstance(value, list):
            value = value[0] if value else ""
        if value in ("$__all", "All") or (isinstance(value, str) and value == "" and variable.get("includeAll")):
            value = variable.get("allValue") or ".*"
        values[str(variable.get("name"))] = str(value)
    return values


def _datasource_type(ref: Any, variables: dict[str, dict[str, Any]]) -> str:
    """The plugin type a data source reference resolves to ('' when unknown): `{type, uid}`, a
    `$var` / `${var}` data source variable in either form, or a legacy name."""
    uid = ref.get("uid") if isinstance(ref, dict) else ref
    kind = str(ref.get("type") or "") if isinstance(ref, dict) else ""
    if kind and kind != "datasource":
        return kind
    match = _VARIABLE_REF.match(str(uid or "").strip())
    if match:
        variable = variables.get(match.group(1) or match.group(2) or "")
        if variable is not None and variable.get("type") == "datasource":
            return str(variable.get("query") or "")
    return ""


def language(panel: dict[str, Any], target: dict[str, Any],
             variables: dict[str, dict[str, Any]] | None = None) -> str:
    """promql or logql from the target's (else the panel's) data source type; a reference whose
    type cannot be told (a legacy name, the default data source) goes by the query itself."""
    variables = variables or {}
    kind = ""
    for ref in (target.get("datasource"), panel.get("datasource")):
        if ref in (None, ""):
            continue
        kind = _datasource_type(ref, variables)
        if kind or not (isinstance(ref, dict) and ref.get("uid") in ("-- Mixed --", "-- Dashboard --")):
            break
    if kind == "loki":
        return "logql"
    if kind == "prometheus":
        return "promql"
    if kind or "expr" not in target:
        return ""
    return "logql" if _LOGQL_HINT.search(str(target.get("expr") or "")) else "promql"


def _seconds(text: Any, values: dict[str, str]) -> float | None:
    """A panel's min interval (`1m`, `$interval`, `>30s`) in seconds, or None."""
    text = str(text or "").strip().lstrip(">")
    match = _VARIABLE_REF.match(text)
    if match:
        text = values.get(match.group(1) or match.group(2) or "", "")
    try:
        return parse_duration(text) if text else None
    except ValueError:
        return None


def build_contexts(files: Sequence[tuple[str, dict[str, Any]]], config: Config, *, portable: bool = False) -> tuple[
        list[DashboardCtx], list[PanelCtx], list[TargetCtx]]:
    """Contexts for every dashboard, panel and target, with all queries parsed in one batch."""
    dashboards, panels, pending = [], [], []
    for file, data in files:
        d = DashboardCtx(file, data, config, portable)
        dashboards.append(d)
        values = variable_values(data, unsaved=False)
        variables = {**{str(v.get("name")): v for v in d.variables()}, **d.datasource_variables()}
        for panel, row in d.panels_with_rows():
            p = PanelCtx(d, panel, row)
            panels.append(p)
            minimum = _seconds(panel.get("interval"), values)
            if portable:
                scrape = minimum or GRAFANA_DEFAULT_SCRAPE_SECONDS
            else:
                scrape = config.scrape_interval_seconds
            # $__interval is at least the panel's min interval (and, on short ranges, the scrape
            # interval); $__rate_interval is max($__interval + scrape, 4 x scrape).
            interval = max(scrape, minimum or 0)
            rate_interval = max(interval + scrape, 4 * scrape)
            for index, target in enumerate(panel.get("targets") or []):
                lang = language(panel, target, variables)
                expr = str(target.get("expr") or "")
                if not lang or not expr.strip():
                    continue
                formats = format_errors(expr)
                if formats:
                    pending.append((p, target, lang, expr, "", index, "; ".join(formats), scrape))
                    continue
                text = substitute(expr, values, interval_seconds=interval, rate_interval_seconds=rate_interval,
                                  range_seconds=LINT_RANGE_SECONDS)
                if find_variables(text):
                    # Undefined variables (reported by their own rule) get parseable placeholders.
                    text = lint_substitute(text, values).text
                pending.append((p, target, lang, expr, text, index, "", scrape))
    targets = _parse_all(pending)
    return dashboards, panels, targets


def _parse_all(pending: list[tuple[PanelCtx, dict[str, Any], str, str, str, int, str, float]]) -> list[TargetCtx]:
    """Parse every query in one batch per language; locate failures in the query as written."""
    parseable = [i for i, item in enumerate(pending) if not item[6]]
    parsed = _parse_batch([(pending[i][2], pending[i][4]) for i in parseable])
    results: dict[int, Any] = dict(zip(parseable, parsed))
    failed = [i for i in parseable if isinstance(results[i], QuerySyntaxError)]
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
    for i, (p, target, lang, expr, text, index, format_error, scrape) in enumerate(pending):
        result = results.get(i)
        ok = result is not None and not isinstance(result, Exception)
        out.append(TargetCtx(p, target, lang, expr, text, result if ok else None,
                             result if isinstance(result, Exception) else None,
                             index=index, format_error=format_error, scrape_seconds=scrape))
    return out


def _parse_batch(items: list[tuple[str, str]]) -> list[Any]:
    return parse_mixed(items) if items else []
