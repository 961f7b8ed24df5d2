"""Bring any dashboard JSON to the modern classic-v1 shape the builders describe: rows layout to
row panels and gridPos, old panel types to new ones (generator/importer/legacy.py), data source
names to `{type, uid}` references, `[[var]]` to `${var}`. Every change is noted, so the
generated module can say what was migrated and what was left behind.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from generator.authoring.verbatim import copy_json
from generator.canonical import drop_nulls
from generator.importer import legacy

GRID_WIDTH = 24
# Grafana's upgradeToGridLayout: a 12-column span becomes 2 grid columns, pixel heights become
# rows of GRID_CELL_HEIGHT 30 + GRID_CELL_VMARGIN 8 px; the default row was 250 px.
PIXELS_PER_ROW = 38
DEFAULT_SPAN = 4
DEFAULT_ROW_HEIGHT = 250
# Keys of an export or a Grafana instance's copy, not of the dashboard itself.
EXPORT_METADATA = ("id", "version", "iteration", "gnetId", "__inputs", "__requires", "__elements",
                   "originalTitle", "meta")
# Panel and target keys at Grafana's default value say nothing; they are not written.
PANEL_DEFAULTS = {"links": [], "transparent": False, "hideTimeOverride": False, "interval": "",
                  "repeat": "", "transformations": [], "timeFrom": "", "timeShift": "", "description": ""}
TARGET_DEFAULTS = {"format": "time_series", "hide": False, "interval": "", "intervalFactor": 1}
# Target keys Grafana stopped reading (the Angular query editor's helpers).
OBSOLETE_TARGET_KEYS = ("step", "metric", "calculatedInterval", "datasourceErrors")
SPECIAL_DATASOURCES = {"-- Grafana --": {"type": "grafana", "uid": "grafana"},
                       "-- Mixed --": {"type": "datasource", "uid": "-- Mixed --"},
                       "-- Dashboard --": {"type": "datasource", "uid": "-- Dashboard --"}}
_OLD_VARIABLE = re.compile(r"\[\[(\w+)(?::(\w+))?\]\]")


@dataclass
class Migrated:
    """The modern dashboard plus what was changed, per panel title and overall."""

    dashboard: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    panel_notes: dict[int, list[str]] = field(default_factory=dict)  # by id(panel dict)


def migrate(original: dict[str, Any]) -> Migrated:
    data = drop_nulls(original)  # a new structure: the original is not changed
    result = Migrated(data)
    dropped = [k for k in EXPORT_METADATA if k in data]
    for key in dropped:
        data.pop(key)
    if dropped:
        result.notes.append(f"export metadata not carried (Grafana sets it): {', '.join(dropped)}")
    if not data.get("uid"):
        data.pop("uid", None)
        result.notes.append("the original has no uid: the module name gives it one (toygres-<name>)")
    if "rows" in data:
        _rows_to_panels(data, result)
    if "sharedCrosshair" in data:
        data["graphTooltip"] = 1 if data.pop("sharedCrosshair") else data.get("graphTooltip", 0)
        result.notes.append("sharedCrosshair -> graphTooltip (schemaVersion 14 migration)")
    ds_types = _datasource_variable_types(data)
    renamed = _old_variable_syntax(data)
    if renamed:
        result.notes.append(f"[[var]] -> ${{var}} in {renamed} place(s) (deprecated syntax)")
    named = 0
    for panel in _all_panels(data):
        named += _panel_datasources(panel, ds_types)
        _migrate_panel_type(panel, result)
        _targets(panel, result)
        if "pluginVersion" in panel:
            panel.pop("pluginVersion")
    for variable in (data.get("templating") or {}).get("list") or []:
        if isinstance(variable.get("datasource"), str):
            variable["datasource"] = _reference(variable["datasource"], ds_types, "prometheus")
            named += 1
    for annotation in (data.get("annotations") or {}).get("list") or []:
        if isinstance(annotation.get("datasource"), str):
            annotation["datasource"] = _reference(annotation["datasource"], ds_types, "prometheus")
            named += 1
    if named:
        result.notes.append(f"{named} data source name(s) -> {{type, uid}} references (schemaVersion 33 "
                            "migration; names that are no variable keep the name as uid: check it)")
    if data.get("schemaVersion", 0) and any("pluginVersion" in p for p in original.get("panels") or []):
        result.notes.append("pluginVersion not carried (Grafana writes it on save)")
    return result


def _all_panels(data: dict[str, Any]) -> list[dict[str, Any]]:
    panels = []
    for panel in data.get("panels") or []:
        panels.append(panel)
        panels.extend(panel.get("panels") or [])
    return panels


def _grid_height(height: Any) -> int:
    try:
        pixels = float(str(height).removesuffix("px")) if height not in (None, "") else DEFAULT_ROW_HEIGHT
    except ValueError:
        pixels = DEFAULT_ROW_HEIGHT
    return max(math.ceil(pixels / PIXELS_PER_ROW), 1)


def _rows_to_panels(data: dict[str, Any], result: Migrated) -> None:
    """schemaVersion < 16: `rows[].panels[]` with spans -> one panel list with gridPos."""
    rows = data.pop("rows") or []
    show_rows = any(r.get("collapse") or r.get("showTitle") or r.get("repeat") for r in rows)
    panels: list[dict[str, Any]] = list(data.get("panels") or [])
    y = 0
    for row in rows:
        if row.get("repeatIteration"):
            continue
        row_height = _grid_height(row.get("height"))
        header: dict[str, Any] | None = None
        if show_rows:
            header = {"type": "row", "title": row.get("title", ""), "collapsed": bool(row.get("collapse")),
                      "panels": [], "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": y},
                      "id": _free_id(data, rows, panels)}
            if row.get("repeat"):
                header["repeat"] = row["repeat"]
            panels.append(header)
            y += 1
        x, line = 0, 0
        for panel in row.get("panels") or []:
            width = max(min(int(math.floor(float(panel.get("span", DEFAULT_SPAN)) * 2)), GRID_WIDTH), 1)
            height = _grid_height(panel["height"]) if panel.get("height") else row_height
            if x + width > GRID_WIDTH:
                y, x, line = y + line, 0, 0
            panel["gridPos"] = {"h": height, "w": width, "x": x, "y": y}
            panel.pop("span", None)
            panel.pop("height", None)
            x += width
            line = max(line, height)
            (header["panels"] if header is not None and header["collapsed"] else panels).append(panel)
        # A collapsed row takes no room: the next row starts under its header (Grafana compacts
        # the gap its migration leaves the first time it lays the dashboard out).
        y = header["gridPos"]["y"] + 1 if header is not None and header["collapsed"] else y + line
    data["panels"] = panels
    result.notes.append(f"rows layout (schemaVersion {data.get('schemaVersion', '?')}) -> row panels and "
                        "gridPos (schemaVersion 16 migration: span x 2 columns, ceil(px / 38) rows)")


def _free_id(data: dict[str, Any], rows: list[dict[str, Any]], panels: list[dict[str, Any]]) -> int:
    used = {p.get("id") for r in rows for p in r.get("panels") or []} | {p.get("id") for p in panels}
    candidate = max([i for i in used if isinstance(i, int)] or [0]) + 1
    return candidate


def _datasource_variable_types(data: dict[str, Any]) -> dict[str, str]:
    """Datasource variable name -> the plugin type it selects (its query)."""
    return {str(v.get("name")): str(v.get("query") or "") for v in (data.get("templating") or {}).get("list") or []
            if v.get("type") == "datasource"}


def _reference(name: str, ds_types: dict[str, str], guess: str) -> dict[str, str]:
    if name in SPECIAL_DATASOURCES:
        return dict(SPECIAL_DATASOURCES[name])
    variable = re.fullmatch(r"\$\{?(\w+)\}?", name)
    if variable:
        kind = ds_types.get(variable.group(1)) or guess
        return {"type": kind, "uid": f"${{{variable.group(1)}}}"}
    return {"type": guess, "uid": name}


def _guess_type(panel: dict[str, Any]) -> str:
    exprs = [str(t.get("expr", "")) for t in panel.get("targets") or []]
    if any(re.search(r"\|[=~]|\|\s*(json|logfmt|line_format)|count_over_time\(\{", e) for e in exprs):
        return "loki"
    return "prometheus"


def _panel_datasources(panel: dict[str, Any], ds_types: dict[str, str]) -> int:
    """String data sources -> references; targets without one inherit the panel's (Grafana's
    schemaVersion 36 migration), except under the Mixed data source."""
    changed = 0
    guess = _guess_type(panel)
    if isinstance(panel.get("datasource"), str):
        panel["datasource"] = _reference(panel["datasource"], ds_types, guess)
        changed += 1
    for target in panel.get("targets") or []:
        if isinstance(target.get("datasource"), str):
            target["datasource"] = _reference(target["datasource"], ds_types, guess)
            changed += 1
        elif "datasource" not in target and isinstance(panel.get("datasource"), dict) \
                and panel["datasource"].get("uid") != "-- Mixed --":
            target["datasource"] = dict(panel["datasource"])
    return changed


def _migrate_panel_type(panel: dict[str, Any], result: Migrated) -> None:
    migration = legacy.migration_for(panel)
    if migration is None:
        return
    before = "table-old" if migration is legacy.table_old else panel.get("type")
    new, lost = migration(panel)
    panel.clear()
    panel.update(drop_nulls(new))
    notes = result.panel_notes.setdefault(id(panel), [])
    notes.append(f"{before} -> {panel['type']} (Grafana's migration)")
    if lost:
        notes.append(f"legacy {before} settings not carried: {', '.join(lost)}")


def _targets(panel: dict[str, Any], result: Migrated) -> None:
    obsolete: set[str] = set()
    for key, value in PANEL_DEFAULTS.items():
        if key in panel and panel[key] == value:
            del panel[key]
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    for key in ("links", "mappings"):
        if defaults.get(key) == []:
            del defaults[key]
    for target in panel.get("targets") or []:
        for key, value in TARGET_DEFAULTS.items():
            if key in target and target[key] == value:
                del target[key]
        for key in OBSOLETE_TARGET_KEYS:
            if key in target:
                target.pop(key)
                obsolete.add(key)
    if obsolete:
        result.panel_notes.setdefault(id(panel), []).append(
            f"obsolete query keys not carried (Grafana ignores them): {', '.join(sorted(obsolete))}")


def _old_variable_syntax(data: dict[str, Any]) -> int:
    """`[[name]]` / `[[name:format]]` -> `${name}` / `${name:format}` in every string that
    Grafana interpolates (queries, legends, titles, links, variable queries)."""
    count = 0

    def fix(value: Any) -> Any:
        nonlocal count
        if isinstance(value, str):
            new, n = _OLD_VARIABLE.subn(lambda m: f"${{{m.group(1)}{':' + m.group(2) if m.group(2) else ''}}}", value)
            count += n
            return new
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        return value

    for key in ("panels", "templating", "links", "title"):
        if key in data:
            data[key] = fix(data[key])
    return count
