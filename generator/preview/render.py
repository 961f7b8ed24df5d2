"""Dashboard JSON plus query results -> one HTML page (jinja2), laid out from gridPos on 24 columns.

Every panel type our dashboards use is drawn (timeseries with uPlot, stat, gauge, bar gauge,
table, text, logs); any other type becomes a labelled placeholder, never silently dropped.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import jinja2

from generator.preview import theme
from generator.preview.markdown import to_html
from generator.preview.queries import PanelData
from generator.preview.units import format_value

PAGE_WIDTH = 1600
PAD = 16
HEADER = 72
UNIT = 38  # Grafana: 30 px per grid row plus an 8 px gap
COLUMN = (PAGE_WIDTH - 2 * PAD) / 24
DRAWN = frozenset({"timeseries", "stat", "gauge", "bargauge", "table", "text", "logs", "row"})
CALCS: dict[str, Callable[[list[float]], float]] = {
    "lastNotNull": lambda v: v[-1], "last": lambda v: v[-1], "first": lambda v: v[0],
    "firstNotNull": lambda v: v[0], "mean": lambda v: sum(v) / len(v), "max": max, "min": min, "sum": sum,
    "count": lambda v: float(len(v)), "range": lambda v: max(v) - min(v),
}
CALC_NAMES = {"lastNotNull": "Last *", "last": "Last", "mean": "Mean", "max": "Max", "min": "Min", "sum": "Total",
              "first": "First", "firstNotNull": "First *", "count": "Count", "range": "Range"}


@dataclass
class PanelView:
    """What the template needs to draw one panel."""

    key: str
    type: str
    title: str
    style: str
    body: str  # which macro draws it
    width: float
    height: float
    description: str = ""
    errors: list[str] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)


def _defaults(panel: dict[str, Any]) -> dict[str, Any]:
    return (panel.get("fieldConfig") or {}).get("defaults") or {}


def reduce(values: list[float | None], calc: str) -> float | None:
    present = [v for v in values if v is not None]
    return CALCS.get(calc, CALCS["lastNotNull"])(present) if present else None


def _sparkline(values: list[float | None], width: float, height: float) -> str:
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return ""
    lo, hi = min(v for _, v in points), max(v for _, v in points)
    span, last = (hi - lo) or 1.0, len(values) - 1 or 1
    coords = [(i / last * width, height - (v - lo) / span * height * 0.9) for i, v in points]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    return f"M0,{height:.1f} L{line} L{coords[-1][0]:.1f},{height:.1f} Z"


def _stat(panel: dict[str, Any], data: PanelData, width: float, height: float) -> dict[str, Any]:
    options, defaults = panel.get("options") or {}, _defaults(panel)
    calc = ((options.get("reduceOptions") or {}).get("calcs") or ["lastNotNull"])[0]
    tiles = []
    for series in data.series or []:
        value = reduce(series.values, calc)
        colour = theme.threshold_colour(value, panel.get("fieldConfig") or {},
                                        float(defaults.get("min", 0) or 0), float(defaults.get("max", 100) or 100))
        tile_width = width / max(1, len(data.series))
        tiles.append({"name": series.name, "text": format_value(value, defaults.get("unit"), defaults.get("decimals")),
                      "colour": colour, "value": value,
                      "spark": _sparkline(series.values, tile_width, height * 0.45)
                      if options.get("graphMode", "area") == "area" else ""})
    return {"tiles": tiles, "mode": options.get("colorMode", "value"), "no_value": defaults.get("noValue", "No data")}


def _gauge(panel: dict[str, Any], data: PanelData) -> dict[str, Any]:
    defaults = _defaults(panel)
    lo, hi = float(defaults.get("min", 0) or 0), float(defaults.get("max", 100) or 100)
    calc = (((panel.get("options") or {}).get("reduceOptions") or {}).get("calcs") or ["lastNotNull"])[0]
    items = []
    for series in data.series:
        value = reduce(series.values, calc)
        fraction = 0.0 if value is None or hi == lo else max(0.0, min(1.0, (value - lo) / (hi - lo)))
        angle = math.pi * (1 - fraction)
        items.append({"name": series.name, "fraction": fraction, "value": value,
                      "arc": f"{100 + 80 * math.cos(angle):.2f},{110 - 80 * math.sin(angle):.2f}",
                      "text": format_value(value, defaults.get("unit"), defaults.get("decimals")),
                      "colour": theme.threshold_colour(value, panel.get("fieldConfig") or {}, lo, hi)})
    if panel.get("type") == "bargauge":
        top = max([i["value"] for i in items if i["value"] is not None] or [1.0])
        limit = float(defaults["max"]) if isinstance(defaults.get("max"), (int, float)) else top or 1.0
        for item in items:
            item["fraction"] = 0.0 if item["value"] is None else max(0.0, min(1.0, (item["value"] - lo) / ((limit - lo) or 1)))
        items.sort(key=lambda i: -(i["value"] or 0))
    return {"items": items}


def _legend(panel: dict[str, Any], data: PanelData, colours: list[str]) -> dict[str, Any]:
    legend = (panel.get("options") or {}).get("legend") or {}
    calcs = [c for c in legend.get("calcs") or [] if c in CALCS]
    unit, decimals = _defaults(panel).get("unit"), _defaults(panel).get("decimals")
    rows = [{"name": s.name, "colour": colours[i],
             "values": [format_value(reduce(s.values, c), unit, decimals) for c in calcs]}
            for i, s in enumerate(data.series)]
    return {"show": legend.get("showLegend", True) and legend.get("displayMode") != "hidden", "rows": rows,
            "calcs": [CALC_NAMES[c] for c in calcs], "table": legend.get("displayMode") == "table"}


def _timeseries(key: str, panel: dict[str, Any], data: PanelData) -> tuple[dict[str, Any], dict[str, Any]]:
    defaults = _defaults(panel)
    custom = defaults.get("custom") or {}
    fixed = (defaults.get("color") or {}).get("mode") == "fixed"
    colours = [theme.colour((defaults.get("color") or {}).get("fixedColor")) if fixed
               else theme.PALETTE[i % len(theme.PALETTE)] for i in range(len(data.series))]
    chart = {"id": key, "unit": defaults.get("unit", "short"), "decimals": defaults.get("decimals"),
             "min": defaults.get("min"), "max": defaults.get("max"),
             "fill": float(custom.get("fillOpacity", 0) or 0) / 100, "lineWidth": custom.get("lineWidth", 1),
             "thresholds": [[at, css] for at, css in theme.steps(panel.get("fieldConfig") or {})],
             "thresholdsStyle": (custom.get("thresholdsStyle") or {}).get("mode", "off"),
             "stacking": (custom.get("stacking") or {}).get("mode", "none"),
             "bars": custom.get("drawStyle") == "bars",
             "series": [{"name": s.name, "colour": colours[i], "values": s.values} for i, s in enumerate(data.series)]}
    return {"legend": _legend(panel, data, colours)}, chart


def _table(data: PanelData, panel: dict[str, Any]) -> dict[str, Any]:
    defaults = _defaults(panel)
    return {"rows": [{"name": s.name, "text": format_value(reduce(s.values, "lastNotNull"), defaults.get("unit"),
                                                           defaults.get("decimals"))} for s in data.series]}


def _logs(data: PanelData) -> dict[str, Any]:
    return {"lines": [{"time": time.strftime("%H:%M:%S", time.gmtime(ts)), "level": level or "unknown",
                       "line": line} for ts, level, line in data.logs]}


def panel_view(key: str, panel: dict[str, Any], data: PanelData | None, style: str, width: float,
               height: float, charts: list[dict[str, Any]]) -> PanelView:
    """One panel's view; a timeseries adds its chart spec to `charts` for uPlot."""
    kind = str(panel.get("type") or "")
    view = PanelView(key, kind, str(panel.get("title") or ""), style, kind if kind in DRAWN else "unsupported",
                     width, height, str(panel.get("description") or ""), list(data.errors if data else []))
    data = data or PanelData()
    if kind in ("timeseries",):
        view.context, chart = _timeseries(key, panel, data)
        view.context["has_data"] = data.has_data
        if data.has_data:
            charts.append(chart)
    elif kind == "stat":
        view.context = _stat(panel, data, width, height)
    elif kind in ("gauge", "bargauge"):
        view.context = _gauge(panel, data)
    elif kind == "table":
        view.context = _table(data, panel)
    elif kind == "text":
        view.context = {"html": to_html(str((panel.get("options") or {}).get("content") or ""))}
    elif kind == "logs":
        view.context = _logs(data)
    return view


def grid_style(grid: dict[str, Any]) -> tuple[str, float, float]:
    x, y, w, h = (int(grid.get(k, 0) or 0) for k in ("x", "y", "w", "h"))
    left, top = PAD + x * COLUMN, HEADER + y * UNIT
    width, height = w * COLUMN - 8, h * UNIT - 8
    return f"left:{left:.1f}px;top:{top:.1f}px;width:{width:.1f}px;height:{height:.1f}px", width, height


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("generator.preview", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["theme"] = theme
    return env
