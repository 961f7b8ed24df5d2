"""Old panel types migrated the way Grafana's own migrations do (graph -> timeseries, singlestat
-> stat or gauge, the Angular table -> table). Each returns the new panel and the legacy
settings it could not carry, which the import lists in the module's header comment.

Mappings follow Grafana's `graphToTimeseriesOptions`, `sharedSingleStatMigrationHandler` and
`tableMigrationHandler`; docs/import.md has the table of every key.
"""

from __future__ import annotations

from typing import Any

# Keys every panel type shares; carried over unchanged.
COMMON = ("id", "type", "title", "description", "datasource", "targets", "gridPos", "links",
          "repeat", "repeatDirection", "maxPerRow", "interval", "maxDataPoints", "timeFrom",
          "timeShift", "hideTimeOverride", "transparent", "transformations", "libraryPanel",
          "cacheTimeout", "queryCachingTTL", "span", "height")
# Legacy keys that only described the Angular editor or are ignored by Grafana since 5.0.
IGNORED = ("editable", "error", "isNew", "renderer", "scopedVars", "repeatIteration",
           "repeatPanelId", "minSpan", "datasourceErrors", "pluginVersion", "options",
           "fieldConfig", "mappingTypes", "mappingType", "valueFontSize", "prefixFontSize",
           "postfixFontSize", "nullPointMode", "tableColumn", "leftLogBase", "rightLogBase",
           "grid", "xaxis", "fontSize", "pageSize", "scroll", "columns", "sort", "showHeader",
           "valueName", "format", "decimals", "thresholds", "colors", "colorBackground",
           "colorValue", "colorPrefix", "colorPostfix", "sparkline", "gauge", "valueMaps",
           "rangeMaps", "invertColors", "styles", "transform", "yaxes", "yaxis", "legend",
           "lines", "linewidth", "fill", "fillGradient", "points", "pointradius", "bars",
           "stack", "percentage", "steppedLine", "tooltip", "aliasColors", "seriesOverrides",
           "dashes", "dashLength", "spaceLength", "timeRegions", "hiddenSeries")

CALCS = {"avg": "mean", "current": "lastNotNull", "total": "sum", "min": "min", "max": "max",
         "first": "firstNotNull", "delta": "delta", "diff": "diff", "range": "range",
         "last_time": "lastNotNull", "name": "lastNotNull", "count": "count"}
MODE_COLORS = {"critical": "red", "warning": "orange", "ok": "green"}


def _common(panel: dict[str, Any], new_type: str) -> dict[str, Any]:
    out = {k: panel[k] for k in COMMON if k in panel and k not in ("span", "height")}
    out["type"] = new_type
    return out


def _lost(panel: dict[str, Any], used: set[str], extra_checks: dict[str, bool]) -> list[str]:
    """Legacy keys with a non-default value that the migration does not carry."""
    lost = [k for k in sorted(panel) if k not in COMMON and k not in IGNORED and k not in used]
    lost += [k for k, flag in extra_checks.items() if flag]
    return lost


def _matcher(alias: str) -> dict[str, Any]:
    if len(alias) > 1 and alias.startswith("/") and alias.endswith("/"):
        return {"id": "byRegexp", "options": alias[1:-1]}
    return {"id": "byName", "options": alias}


def _color(value: str) -> dict[str, Any]:
    return {"id": "color", "value": {"fixedColor": value, "mode": "fixed"}}


def graph(panel: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """graph -> timeseries."""
    out = _common(panel, "timeseries")
    yaxes = panel.get("yaxes") or [{}, {}]
    left = yaxes[0] if yaxes else {}
    defaults: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    if left.get("format"):
        defaults["unit"] = left["format"]
    for key in ("min", "max"):
        if left.get(key) not in (None, ""):
            defaults[key] = float(left[key])
    decimals = panel.get("decimals", left.get("decimals"))
    if decimals is not None:
        defaults["decimals"] = decimals
    if left.get("label"):
        custom["axisLabel"] = left["label"]
    if left.get("logBase", 1) not in (1, None):
        custom["scaleDistribution"] = {"type": "log", "log": left["logBase"]}
    custom["drawStyle"] = "bars" if panel.get("bars") else "line" if panel.get("lines", True) else "points"
    custom["lineWidth"] = panel.get("linewidth", 1)
    custom["fillOpacity"] = int(panel.get("fill", 1)) * 10
    if panel.get("fillGradient"):
        custom["gradientMode"] = "opacity"
    custom["showPoints"] = "always" if panel.get("points") else "never"
    custom["pointSize"] = int(panel.get("pointradius", 2)) * 2
    if panel.get("steppedLine"):
        custom["lineInterpolation"] = "stepAfter"
    if panel.get("dashes"):
        custom["lineStyle"] = {"fill": "dash", "dash": [panel.get("dashLength", 10), panel.get("spaceLength", 10)]}
    custom["spanNulls"] = panel.get("nullPointMode") == "connected"
    if panel.get("stack"):
        custom["stacking"] = {"mode": "percent" if panel.get("percentage") else "normal", "group": "A"}
    thresholds, style, lost_thresholds = _graph_thresholds(panel.get("thresholds") or [])
    if thresholds:
        defaults["thresholds"] = {"mode": "absolute", "steps": thresholds}
        custom["thresholdsStyle"] = {"mode": style}
    defaults["custom"] = custom
    overrides = [{"matcher": {"id": "byName", "options": alias}, "properties": [_color(color)]}
                 for alias, color in sorted((panel.get("aliasColors") or {}).items())]
    lost_overrides: list[str] = []
    for override in panel.get("seriesOverrides") or []:
        props, lost = _series_override(override)
        lost_overrides += lost
        if props and override.get("alias"):
            overrides.append({"matcher": _matcher(str(override["alias"])), "properties": props})
    out["fieldConfig"] = {"defaults": defaults, "overrides": overrides}
    legend = panel.get("legend") or {}
    calcs = [CALCS[k] for k in ("min", "max", "avg", "current", "total") if legend.get("values") and legend.get(k)]
    tooltip = panel.get("tooltip") or {}
    out["options"] = {
        "legend": {"calcs": calcs, "displayMode": "table" if legend.get("alignAsTable") else "list",
                   "placement": "right" if legend.get("rightSide") else "bottom",
                   "showLegend": legend.get("show", True)},
        "tooltip": {"mode": "multi" if tooltip.get("shared", True) else "single",
                    "sort": {1: "asc", 2: "desc"}.get(tooltip.get("sort", 0), "none")},
    }
    xaxis = panel.get("xaxis") or {}
    extra = {"xaxis.mode (only time is migrated)": xaxis.get("mode", "time") != "time",
             "thresholds below a value (op lt)": lost_thresholds,
             "nullPointMode null as zero": panel.get("nullPointMode") == "null as zero",
             "right y axis settings": bool(len(yaxes) > 1 and yaxes[1].get("format") not in (None, "short", left.get("format"))),
             "alert (legacy alerting; Grafana moves it to unified alerting)": bool(panel.get("alert"))}
    extra.update({f"seriesOverrides {k}": True for k in sorted(set(lost_overrides))})
    return out, _lost(panel, {"alert"}, extra)


def _graph_thresholds(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str, bool]:
    steps: list[dict[str, Any]] = []
    style = "line"
    lost = False
    for item in sorted((t for t in items if t.get("value") is not None), key=lambda t: float(t["value"])):
        if item.get("op", "gt") != "gt":
            lost = True
            continue
        color = MODE_COLORS.get(item.get("colorMode", "critical")) or item.get("lineColor") or "red"
        steps.append({"color": color, "value": float(item["value"])})
        if item.get("fill", True):
            style = "line+area" if item.get("line", True) else "area"
    if steps:
        steps.insert(0, {"color": "transparent"})
    return steps, style, lost


def _series_override(override: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    props: list[dict[str, Any]] = []
    lost: list[str] = []
    for key, value in override.items():
        if key == "alias":
            continue
        if key == "yaxis":
            if value == 2:
                props.append({"id": "custom.axisPlacement", "value": "right"})
        elif key == "color":
            props.append(_color(value))
        elif key == "fill":
            props.append({"id": "custom.fillOpacity", "value": int(value) * 10})
        elif key == "linewidth":
            props.append({"id": "custom.lineWidth", "value": value})
        elif key == "lines" and value is False:
            props.append({"id": "custom.drawStyle", "value": "points"})
        elif key == "bars" and value:
            props.append({"id": "custom.drawStyle", "value": "bars"})
        elif key == "points":
            props.append({"id": "custom.showPoints", "value": "always" if value else "never"})
        elif key == "transform" and value == "negative-Y":
            props.append({"id": "custom.transform", "value": "negative-Y"})
        elif key == "stack" and value is False:
            props.append({"id": "custom.stacking", "value": {"group": "A", "mode": "none"}})
        elif key in ("legend", "hiddenSeries") and value is False or key == "hideTooltip" and value:
            props.append({"id": "custom.hideFrom", "value": {"legend": key == "legend", "tooltip": key == "hideTooltip", "viz": False}})
        else:
            lost.append(key)
    return props, lost


def _steps(thresholds: str | list[Any] | None, colors: list[str], invert: bool) -> list[dict[str, Any]]:
    values = [v for v in (thresholds.split(",") if isinstance(thresholds, str) else thresholds or []) if str(v).strip()]
    palette = list(reversed(colors)) if invert else list(colors)
    steps: list[dict[str, Any]] = [{"color": palette[0] if palette else "green"}]
    for i, value in enumerate(values, start=1):
        steps.append({"color": palette[min(i, len(palette) - 1)] if palette else "red", "value": float(value)})
    return steps


def _mappings(panel: dict[str, Any]) -> list[dict[str, Any]]:
    mappings: list[dict[str, Any]] = []
    for item in panel.get("valueMaps") or []:
        if str(item.get("value")) == "null":
            mappings.append({"type": "special", "options": {"match": "null", "result": {"text": item.get("text", "")}}})
        else:
            mappings.append({"type": "value", "options": {str(item.get("value")): {"text": item.get("text", "")}}})
    for item in panel.get("rangeMaps") or []:
        if item.get("from") == "null" and item.get("to") == "null":
            mappings.append({"type": "special", "options": {"match": "null", "result": {"text": item.get("text", "")}}})
        else:
            mappings.append({"type": "range", "options": {"from": float(item["from"]), "to": float(item["to"]),
                                                           "result": {"text": item.get("text", "")}}})
    return mappings


def singlestat(panel: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """singlestat -> stat (or gauge when the singlestat showed its gauge)."""
    gauge = panel.get("gauge") or {}
    out = _common(panel, "gauge" if gauge.get("show") else "stat")
    defaults: dict[str, Any] = {"thresholds": {"mode": "absolute", "steps": _steps(
        panel.get("thresholds"), panel.get("colors") or [], bool(panel.get("invertColors")))}}
    if panel.get("format"):
        defaults["unit"] = panel["format"]
    if panel.get("decimals") is not None:
        defaults["decimals"] = panel["decimals"]
    if gauge.get("show"):
        defaults["min"], defaults["max"] = gauge.get("minValue", 0), gauge.get("maxValue", 100)
    mappings = _mappings(panel)
    if mappings:
        defaults["mappings"] = mappings
    calc = CALCS.get(str(panel.get("valueName", "avg")), "mean")
    options: dict[str, Any] = {"reduceOptions": {"calcs": [calc], "fields": "", "values": False},
                               "orientation": "horizontal" if gauge.get("show") else "auto"}
    if gauge.get("show"):
        options.update(showThresholdLabels=bool(gauge.get("thresholdLabels")),
                       showThresholdMarkers=bool(gauge.get("thresholdMarkers", True)))
    else:
        options.update(colorMode="background" if panel.get("colorBackground") else
                       "value" if panel.get("colorValue") else "none",
                       graphMode="area" if (panel.get("sparkline") or {}).get("show") else "none",
                       justifyMode="auto", textMode="auto")
    out["fieldConfig"] = {"defaults": defaults, "overrides": []}
    out["options"] = options
    extra = {"prefix": bool(panel.get("prefix")), "postfix": bool(panel.get("postfix")),
             "nullText": bool(panel.get("nullText")),
             "tableColumn (table data)": bool(panel.get("tableColumn"))}
    return out, _lost(panel, {"prefix", "postfix", "nullText", "colorPrefix", "colorPostfix"}, extra)


def table_old(panel: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The Angular table (`table-old`, or `table` with `styles`) -> table."""
    out = _common(panel, "table")
    defaults: dict[str, Any] = {"custom": {"align": "auto", "displayMode": "auto"}}
    overrides: list[dict[str, Any]] = []
    for style in panel.get("styles") or []:
        props = _style_properties(style)
        pattern = str(style.get("pattern", ""))
        if pattern in ("/.*/", ".*"):
            for prop in props:
                _set_default(defaults, prop)
        elif props:
            overrides.append({"matcher": _matcher(pattern if pattern.startswith("/") else pattern),
                              "properties": props})
    out["fieldConfig"] = {"defaults": defaults, "overrides": overrides}
    out["options"] = {"showHeader": panel.get("showHeader", True)}
    transform = panel.get("transform")
    migrated = {"timeseries_to_rows": "seriesToRows", "timeseries_to_columns": "seriesToColumns",
                "table": "merge"}
    if transform in migrated:
        out["transformations"] = [*(panel.get("transformations") or []), {"id": migrated[transform], "options": {}}]
    elif transform == "timeseries_aggregations":
        calcs = [CALCS.get(c.get("value"), c.get("value")) for c in panel.get("columns") or []]
        out["transformations"] = [{"id": "reduce", "options": {"reducers": calcs}}]
    extra = {f"transform {transform}": bool(transform) and transform not in migrated and transform != "timeseries_aggregations",
             "sort (needs the migrated column's display name)": bool((panel.get("sort") or {}).get("col") is not None)}
    return out, _lost(panel, set(), extra)


def _style_properties(style: dict[str, Any]) -> list[dict[str, Any]]:
    props: list[dict[str, Any]] = []
    if style.get("alias"):
        props.append({"id": "displayName", "value": style["alias"]})
    if style.get("type") == "hidden":
        props.append({"id": "custom.hidden", "value": True})
    elif style.get("type") == "date":
        props.append({"id": "unit", "value": f"time: {style.get('dateFormat', 'YYYY-MM-DD HH:mm:ss')}"})
    elif style.get("type") == "number":
        if style.get("unit"):
            props.append({"id": "unit", "value": style["unit"]})
        if style.get("decimals") is not None:
            props.append({"id": "decimals", "value": style["decimals"]})
    if style.get("colorMode") in ("cell", "row", "value"):
        mode = "color-text" if style["colorMode"] == "value" else "color-background"
        props.append({"id": "custom.displayMode", "value": mode})
        props.append({"id": "thresholds", "value": {"mode": "absolute", "steps": _steps(
            style.get("thresholds"), style.get("colors") or [], False)}})
    if style.get("link") and style.get("linkUrl"):
        props.append({"id": "links", "value": [{"title": style.get("linkTooltip", ""),
                                                "url": style["linkUrl"], "targetBlank": bool(style.get("linkTargetBlank"))}]})
    return props


def _set_default(defaults: dict[str, Any], prop: dict[str, Any]) -> None:
    key = prop["id"]
    if key.startswith("custom."):
        defaults["custom"][key.removeprefix("custom.")] = prop["value"]
    else:
        defaults[key] = prop["value"]


MIGRATIONS = {"graph": graph, "singlestat": singlestat, "grafana-singlestat-panel": singlestat,
              "table-old": table_old}


def migration_for(panel: dict[str, Any]) -> Any:
    kind = panel.get("type")
    if kind == "table" and "styles" in panel:
        return table_old
    return MIGRATIONS.get(str(kind))
