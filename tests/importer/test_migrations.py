"""Each documented migration (docs/import.md), one table row per rule. Expected values come from
Grafana's documented semantics of the legacy keys, written out here by hand."""

from __future__ import annotations

from typing import Any

import pytest

from generator.config import load
from generator.importer.command import import_file
from generator.importer.migrate import migrate
from generator.importer.querymatch import Matcher
from generator.importer.verify import compile_source


def _graph(**extra: Any) -> dict[str, Any]:
    return {"type": "graph", "title": "G", "datasource": "$ds", "span": 6,
            "targets": [{"refId": "A", "expr": "rate(x_total[5m])", "step": 10}],
            "yaxes": [{"format": "bytes", "min": 0, "max": "100"}, {"format": "short"}], **extra}


def _old(panels: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"title": "Old", "uid": "old", "schemaVersion": 14,
            "templating": {"list": [{"name": "ds", "type": "datasource", "query": "prometheus"}]},
            "rows": [{"title": "R", "showTitle": True, "height": "250px", "panels": panels}], **extra}


def _panel(dashboard: dict[str, Any]) -> dict[str, Any]:
    panels = [p for p in migrate(dashboard).dashboard["panels"] if p["type"] != "row"]
    return panels[0]


def _at(data: Any, path: str) -> Any:
    for key in path.split("."):
        data = data[int(key)] if isinstance(data, list) else data[key]
    return data


CASES = {
    # graph -> timeseries
    "graph-type": (_graph(), "type", "timeseries"),
    "graph-unit-from-left-axis": (_graph(), "fieldConfig.defaults.unit", "bytes"),
    "graph-axis-max-string-to-number": (_graph(), "fieldConfig.defaults.max", 100.0),
    "graph-fill-tenths-to-percent": (_graph(fill=3), "fieldConfig.defaults.custom.fillOpacity", 30),
    "graph-linewidth": (_graph(linewidth=2), "fieldConfig.defaults.custom.lineWidth", 2),
    "graph-bars": (_graph(bars=True, lines=False), "fieldConfig.defaults.custom.drawStyle", "bars"),
    "graph-stack-percent": (_graph(stack=True, percentage=True), "fieldConfig.defaults.custom.stacking.mode", "percent"),
    "graph-connected-nulls": (_graph(nullPointMode="connected"), "fieldConfig.defaults.custom.spanNulls", True),
    "graph-legend-table-right": (_graph(legend={"show": True, "alignAsTable": True, "rightSide": True,
                                                "values": True, "avg": True, "current": True}),
                                 "options.legend", {"calcs": ["mean", "lastNotNull"], "displayMode": "table",
                                                    "placement": "right", "showLegend": True}),
    "graph-tooltip-sort-desc": (_graph(tooltip={"shared": False, "sort": 2}), "options.tooltip",
                                {"mode": "single", "sort": "desc"}),
    "graph-threshold-gt": (_graph(thresholds=[{"value": 80, "op": "gt", "colorMode": "critical", "fill": True, "line": True}]),
                           "fieldConfig.defaults.thresholds.steps", [{"color": "transparent"}, {"color": "red", "value": 80.0}]),
    "graph-alias-color": (_graph(aliasColors={"errors": "#BF1B00"}), "fieldConfig.overrides.0",
                          {"matcher": {"id": "byName", "options": "errors"},
                           "properties": [{"id": "color", "value": {"fixedColor": "#BF1B00", "mode": "fixed"}}]}),
    "graph-series-override-right-axis": (_graph(seriesOverrides=[{"alias": "/read.*/", "yaxis": 2}]),
                                         "fieldConfig.overrides.0",
                                         {"matcher": {"id": "byRegexp", "options": "read.*"},
                                          "properties": [{"id": "custom.axisPlacement", "value": "right"}]}),
    # singlestat -> stat / gauge
    "singlestat-type": ({"type": "singlestat", "title": "S", "targets": []}, "type", "stat"),
    "singlestat-gauge": ({"type": "singlestat", "title": "S", "gauge": {"show": True, "maxValue": 10}}, "type", "gauge"),
    "singlestat-thresholds-and-colors": ({"type": "singlestat", "title": "S", "thresholds": "50,80",
                                          "colors": ["green", "orange", "red"]},
                                         "fieldConfig.defaults.thresholds.steps",
                                         [{"color": "green"}, {"color": "orange", "value": 50.0}, {"color": "red", "value": 80.0}]),
    "singlestat-value-name": ({"type": "singlestat", "title": "S", "valueName": "current"},
                              "options.reduceOptions.calcs", ["lastNotNull"]),
    "singlestat-background": ({"type": "singlestat", "title": "S", "colorBackground": True}, "options.colorMode", "background"),
    "singlestat-sparkline": ({"type": "singlestat", "title": "S", "sparkline": {"show": True}}, "options.graphMode", "area"),
    "singlestat-format": ({"type": "singlestat", "title": "S", "format": "percent"}, "fieldConfig.defaults.unit", "percent"),
    "singlestat-value-map": ({"type": "singlestat", "title": "S", "valueMaps": [{"op": "=", "value": "1", "text": "UP"}]},
                             "fieldConfig.defaults.mappings", [{"type": "value", "options": {"1": {"text": "UP"}}}]),
    # Angular table -> table
    "table-old-style-unit": ({"type": "table", "title": "T", "styles": [{"pattern": "Value", "type": "number", "unit": "s", "decimals": 2}]},
                             "fieldConfig.overrides.0", {"matcher": {"id": "byName", "options": "Value"},
                                                         "properties": [{"id": "unit", "value": "s"}, {"id": "decimals", "value": 2}]}),
    "table-old-hidden-column": ({"type": "table", "title": "T", "styles": [{"pattern": "Time", "type": "hidden"}]},
                                "fieldConfig.overrides.0.properties", [{"id": "custom.hidden", "value": True}]),
    "table-old-transform": ({"type": "table", "title": "T", "styles": [], "transform": "table"}, "transformations",
                            [{"id": "merge", "options": {}}]),
    # data sources and variables
    "string-datasource-variable": (_graph(), "datasource", {"type": "prometheus", "uid": "${ds}"}),
    "target-inherits-panel-datasource": (_graph(), "targets.0.datasource", {"type": "prometheus", "uid": "${ds}"}),
    "obsolete-step-dropped": (_graph(), "targets.0", {"refId": "A", "expr": "rate(x_total[5m])",
                                                      "datasource": {"type": "prometheus", "uid": "${ds}"}}),
    "old-variable-syntax": ({"type": "graph", "title": "[[instance]] load",
                             "targets": [{"refId": "A", "expr": 'up{instance="[[instance]]", job=~"[[job:regex]]"}'}]},
                            "targets.0.expr", 'up{instance="${instance}", job=~"${job:regex}"}'),
    # rows layout: span 6 of 12 -> 12 of 24 columns; 250 px -> ceil(250 / 38) = 7 grid rows
    "rows-layout-width": (_graph(), "gridPos.w", 12),
    "rows-layout-height": (_graph(), "gridPos.h", 7),
    "rows-layout-below-header": (_graph(), "gridPos.y", 1),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_migration(case: str) -> None:
    panel, path, expected = CASES[case]
    assert _at(_panel(_old([panel])), path) == expected


def test_rows_without_titles_become_no_row_headers() -> None:
    dashboard = {"title": "Old", "rows": [{"panels": [_graph()]}, {"panels": [_graph(title="H")]}]}
    panels = migrate(dashboard).dashboard["panels"]
    assert [p["type"] for p in panels] == ["timeseries", "timeseries"]
    assert [p["gridPos"]["y"] for p in panels] == [0, 7]


def test_collapsed_row_keeps_its_panels_inside() -> None:
    dashboard = {"title": "Old", "rows": [{"title": "Hidden", "collapse": True, "panels": [_graph()]},
                                          {"title": "Shown", "panels": [_graph(title="H")]}]}
    panels = migrate(dashboard).dashboard["panels"]
    assert [(p["type"], p.get("title")) for p in panels] == [("row", "Hidden"), ("row", "Shown"), ("timeseries", "H")]
    assert [p["title"] for p in panels[0]["panels"]] == ["G"]


def test_collapsed_row_round_trips_nested(tmp_path: Any) -> None:
    """A modern collapsed row: its panels stay inside it after import and compile."""
    config = load("local")
    dashboard = {"title": "C", "uid": "c", "schemaVersion": 39, "panels": [
        {"type": "row", "title": "Folded", "collapsed": True, "id": 9, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0},
         "panels": [{"type": "stat", "title": "Inside", "id": 10, "gridPos": {"h": 4, "w": 6, "x": 0, "y": 1},
                     "targets": [{"refId": "A", "expr": "up"}], "fieldConfig": {"defaults": {"unit": "short"}}}]},
        {"type": "row", "title": "Open", "collapsed": False, "id": 11, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 1},
         "panels": []}]}
    path = tmp_path / "c.json"
    import json
    path.write_text(json.dumps(dashboard))
    result = import_file(path, config, Matcher(config), set())
    compiled = compile_source(result.source, config, "c", "c.py")
    assert [(p["type"], p["title"], len(p.get("panels") or [])) for p in compiled["panels"]] == [
        ("row", "Folded", 1), ("row", "Open", 0)]
    assert compiled["panels"][0]["panels"][0]["title"] == "Inside"
    assert compiled["panels"][1]["gridPos"]["y"] == 1
    assert result.self_check == []


def test_library_panel_is_kept_as_a_reference(tmp_path: Any) -> None:
    import json
    config = load("local")
    dashboard = {"title": "L", "uid": "l", "schemaVersion": 39, "panels": [
        {"id": 1, "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0}, "title": "Shared CPU",
         "libraryPanel": {"uid": "lib-cpu", "name": "Shared CPU"}}]}
    path = tmp_path / "l.json"
    path.write_text(json.dumps(dashboard))
    result = import_file(path, config, Matcher(config), set())
    assert "library panel: kept as a reference" in result.source.split("\nfrom ", 1)[0]
    compiled = compile_source(result.source, config, "l", "l.py")
    assert compiled["panels"][0]["libraryPanel"] == {"uid": "lib-cpu", "name": "Shared CPU"}
