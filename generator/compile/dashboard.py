"""Compile a DashboardSpec to modern classic-v1 Grafana JSON.

grafanalib 0.7.1 builds the object model; its raw output is not fit to ship (schemaVersion 12,
legacy keys, nulls, string data sources, obsolete bargauge options), so every panel is
rebuilt here from a whitelist of the keys Grafana's own schema knows.
"""

from __future__ import annotations

import json
import string
from typing import Any, Collection, Mapping

from grafanalib._gen import DashboardEncoder

from generator.authoring.dashboard import DashboardSpec, Row, Variable, layout, panel_kind
from generator.authoring.panels import Cell, LokiTarget
from generator.authoring.verbatim import RawPanel, merge
from generator.canonical import drop_nulls
from generator.config import Config
from generator.errors import DefinitionError

from generator.compile.uids import MAX_UID, UID_PREFIX, uid_for  # noqa: F401 (re-exported)

PANEL_KEYS = ("type", "title", "description", "datasource", "targets", "options", "fieldConfig",
              "transformations", "links", "interval", "repeat", "repeatDirection", "maxPerRow")
FIELD_DEFAULT_KEYS = ("unit", "thresholds", "min", "max", "decimals", "custom", "color",
                      "mappings", "noValue")
VARIABLE_KEYS = ("name", "type", "label", "query", "datasource", "refresh", "includeAll", "multi",
                 "allValue", "hide", "sort", "description", "regex")
BUILTIN_ANNOTATION = {
    "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
    "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts",
    "type": "dashboard",
}


def _raw(obj: Any) -> Any:
    return json.loads(json.dumps(obj.to_json_data(), cls=DashboardEncoder))


def _target(raw: dict[str, Any], ref_id: str) -> dict[str, Any]:
    if (raw.get("datasource") or {}).get("type") == "loki":
        return {**raw, "refId": ref_id}
    instant = bool(raw.get("instant"))
    return {"datasource": raw.get("datasource"), "editorMode": "code", "expr": raw["expr"],
            "instant": instant, "legendFormat": raw.get("legendFormat", ""), "range": not instant,
            "refId": ref_id}


def _options(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    options = dict(raw.get("options") or {})
    if kind == "timeseries":
        options["legend"] = {**options.get("legend", {}), "showLegend": True}
    if kind == "bargauge":
        # grafanalib emits Grafana 6's fieldOptions; modern bargauge wants reduceOptions.
        options = {"displayMode": options.get("displayMode", "gradient"),
                   "orientation": options.get("orientation", "horizontal"),
                   "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                   "showUnfilled": True, "valueMode": "color"}
    if kind == "stat":
        options.pop("fields", None)
    return options


def _field_config(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    if kind in ("text", "row"):
        return {"defaults": {}, "overrides": []}
    defaults = raw.get("fieldConfig", {}).get("defaults", {})
    kept = {k: defaults[k] for k in FIELD_DEFAULT_KEYS if k in defaults}
    if not kept.get("mappings"):
        kept.pop("mappings", None)
    if kind != "timeseries" or not kept.get("custom"):
        kept.pop("custom", None)
    if kind == "stat" and "noValue" in raw.get("fieldConfig", {}).get("defaults", {}):
        kept["noValue"] = raw["fieldConfig"]["defaults"]["noValue"]
    return {"defaults": kept, "overrides": raw.get("fieldConfig", {}).get("overrides", [])}


def compile_panel(cell: Cell, grid: dict[str, int], panel_id: int) -> dict[str, Any]:
    """One panel: whitelisted keys, `{type, uid}` data sources, refIds A, B, C...; then the
    cell's verbatim JSON, if any, merged over it."""
    if isinstance(cell.panel, RawPanel):
        return merge({**drop_nulls(dict(cell.panel.json)), "id": panel_id, "gridPos": grid}, cell.extra)
    return merge(_builder_panel(cell, grid, panel_id), cell.extra)


def _builder_panel(cell: Cell, grid: dict[str, int], panel_id: int) -> dict[str, Any]:
    kind = panel_kind(cell)
    raw = _raw(cell.panel)
    panel: dict[str, Any] = {k: raw[k] for k in PANEL_KEYS if raw.get(k) not in (None, [], "")}
    panel["type"] = kind
    panel["id"] = panel_id
    panel["gridPos"] = grid
    if kind == "text":
        panel.pop("datasource", None)
        panel.pop("targets", None)
    else:
        objects = list(getattr(cell.panel, "targets", None) or [])
        panel["targets"] = [merge(_target(t, _ref_id(i)), getattr(objects[i], "extra", None) if i < len(objects) else None)
                            for i, t in enumerate(raw.get("targets", []))]
    panel["options"] = _options(kind, raw)
    panel["fieldConfig"] = _field_config(kind, raw)
    return panel


def _ref_id(index: int) -> str:
    """A, B, ..., Z, then AA, AB, ... (Grafana's own sequence)."""
    letters = string.ascii_uppercase
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


def compile_variable(raw: dict[str, Any]) -> dict[str, Any]:
    variable = {k: raw[k] for k in VARIABLE_KEYS if k in raw}
    current = raw.get("current") or {}
    value = current.get("value", "")
    # Include-all variables default to All; Grafana stores that as text "All", value "$__all".
    variable["current"] = {"text": "All" if value == "$__all" else current.get("text", ""), "value": value}
    variable["options"] = []
    if raw.get("type") == "textbox":
        variable["options"] = [{"selected": True, "text": current.get("text", ""),
                                "value": current.get("value", "")}]
    return variable


def compile_template(variable: Variable) -> dict[str, Any]:
    """One template variable, its verbatim JSON (if any) merged over it."""
    return merge(compile_variable(_raw(variable.to_grafanalib())), variable.extra)


def compile_dashboard(spec: DashboardSpec, slug: str, source: str, config: Config) -> dict[str, Any]:
    """The canonical dashboard JSON for one definition module."""
    panels: list[dict[str, Any]] = []
    row_of = {id(cell): row for row in spec.rows for cell in row.cells}
    headers: list[tuple[int, Row]] = []
    nested: list[dict[str, Any]] = []  # the panels list of the current collapsed row header
    for index, (item, grid) in enumerate(layout(spec.rows), start=1):
        if isinstance(item, Row):
            header = {"collapsed": item.collapsed, "gridPos": grid, "id": index,
                      "panels": [], "title": item.title, "type": "row"}
            nested = header["panels"]
            headers.append((len(panels), item))
            panels.append(header)
        elif row_of[id(item)].collapsed and row_of[id(item)].title is not None:
            nested.append(compile_panel(item, grid, index))
        else:
            panels.append(compile_panel(item, grid, index))
    for position, row in headers:
        panels[position] = merge(panels[position], row.extra)
    templating = [compile_template(v) for v in spec.variables]
    tags = sorted({config.managed_tag, "toygres", *spec.tags})
    note = f"Generated by dashgen from {source}; edit the Python source, not this JSON."
    dashboard = {
        "annotations": {"list": [BUILTIN_ANNOTATION]},
        "description": f"{spec.description} {note}".strip(),
        "editable": True,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "links": [{"asDropdown": True, "icon": "external link", "includeVars": True,
                   "keepTime": True, "tags": ["toygres"], "title": "Toygres dashboards",
                   "type": "dashboards"}, *spec.links],
        "liveNow": False,
        "panels": panels,
        "refresh": spec.refresh,
        "schemaVersion": config.schema_version,
        "tags": tags,
        "templating": {"list": templating},
        "time": {"from": spec.time_from, "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "title": spec.title,
        "uid": spec.uid or uid_for(slug),
        "weekStart": "",
    }
    return drop_nulls(merge(dashboard, spec.extra))


def log_claims(spec: DashboardSpec) -> dict[str, str]:
    """Panel title -> the log lines it claims to show (for `dashgen check`'s log proof)."""
    return {c.panel.title: c.shows for row in spec.rows for c in row.cells if c.shows}


def measures(spec: DashboardSpec, known: Collection[str] = ()) -> dict[str, Any]:
    """Panel title -> what it declares it shows (for `dashgen check`): a measure name for every
    target, or {refId: measure, "no_truth": why the other targets have no ground truth}.

    A panel that declares nothing is left out (check's coverage names it; the bundled
    dashboards' test requires none); a partial declaration, a refId that is not a Prometheus
    target, or a measure not in `known` (when given) is an error."""
    declared: dict[str, Any] = {}
    for row in spec.rows:
        for cell in row.cells:
            title = cell.panel.title
            refs = _prometheus_refs(cell)
            per_ref = dict(cell.measures) if isinstance(cell.measures, Mapping) else \
                dict.fromkeys(refs, cell.measures) if cell.measures else {}
            unknown = sorted({m for m in per_ref.values() if known and m not in known})
            if unknown:
                raise DefinitionError(f"panel {title!r} declares unknown measure(s) {', '.join(unknown)}; "
                                      f"known: {', '.join(sorted(known))}")
            stray = sorted(set(per_ref) - set(refs))
            if stray:
                raise DefinitionError(f"panel {title!r} declares measures for refId(s) {', '.join(stray)}, "
                                      f"which are not its Prometheus targets ({', '.join(refs) or 'none'})")
            uncovered = [r for r in refs if r not in per_ref]
            if not refs or (uncovered and not cell.no_truth.strip() and not per_ref):
                continue  # declares nothing: `dashgen check` reports it in its coverage
            if uncovered and not cell.no_truth.strip():
                raise DefinitionError(f"panel {title!r}: target(s) {', '.join(uncovered)} declare neither what they "
                                      "measure (measures=) nor why no ground truth applies (no_truth=)")
            if isinstance(cell.measures, str) and cell.measures and not uncovered:
                declared[title] = cell.measures
            else:
                declared[title] = {**per_ref, **({"no_truth": cell.no_truth} if uncovered else {})}
    return declared



def _prometheus_refs(cell: Cell) -> list[str]:
    """The refIds compile gives this panel's Prometheus targets (A, B, ... in order)."""
    if isinstance(cell.panel, RawPanel):
        data = cell.panel.json
        panel_loki = (data.get("datasource") or {}).get("type") == "loki"
        return [str(t.get("refId") or string.ascii_uppercase[i]) for i, t in enumerate(data.get("targets") or [])
                if "expr" in t and ((t.get("datasource") or {}).get("type") or ("loki" if panel_loki else "")) != "loki"]
    return [string.ascii_uppercase[i] for i, t in enumerate(getattr(cell.panel, "targets", None) or [])
            if not isinstance(t, LokiTarget)]
