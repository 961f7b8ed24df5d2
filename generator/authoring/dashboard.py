"""The dashboard description a definition module returns, and automatic grid layout
(rows, widths, heights): nobody writes gridPos by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import grafanalib.core as g

from generator.authoring.panels import Cell

if TYPE_CHECKING:
    from generator.authoring.verbatim import Verbatim

GRID_WIDTH = 24
MIN_WIDTH = 3
# Default heights by panel type, in grid units (one unit is 30 px).
HEIGHTS = {"stat": 5, "timeseries": 8, "bargauge": 8, "logs": 12, "text": 6, "table": 8}


@dataclass(frozen=True)
class Row:
    """A titled row of panels laid out left to right, wrapping at 24 columns.

    A collapsed row keeps its panels inside the row header (Grafana's layout for collapsed
    rows); a row titled None has no header at all (panels above a dashboard's first row).
    """

    title: str | None
    cells: tuple[Cell, ...]
    collapsed: bool = False
    extra: Verbatim | None = None

    def __init__(self, title: str | None, cells: Sequence[Cell], collapsed: bool = False,
                 extra: Verbatim | None = None) -> None:
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "cells", tuple(cells))
        object.__setattr__(self, "collapsed", collapsed)
        object.__setattr__(self, "extra", extra)


@dataclass(frozen=True)
class Variable:
    """A template variable; `kind` is datasource, query, textbox or custom."""

    name: str
    kind: str
    label: str
    query: str
    default: str
    description: str = ""
    multi: bool = False
    include_all: bool = False
    all_value: str | None = None
    datasource: dict[str, str] | None = None
    # Grafana JSON merged over the compiled variable (the escape hatch, authoring/verbatim.py).
    extra: Verbatim | None = None

    def to_grafanalib(self) -> g.Template:
        return g.Template(
            name=self.name, type=self.kind, label=self.label, query=self.query,
            default=self.default, dataSource=self.datasource, multi=self.multi,
            includeAll=self.include_all, allValue=self.all_value,
            refresh=2 if self.kind == "query" else 1,
        )


@dataclass(frozen=True)
class DashboardSpec:
    """Everything a dashboard module defines; the uid comes from the module's slug."""

    title: str
    description: str
    rows: tuple[Row, ...]
    variables: tuple[Variable, ...] = ()
    tags: tuple[str, ...] = ()
    time_from: str = "now-6h"
    refresh: str = "30s"
    links: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    # The uid to keep (imported dashboards keep theirs so links work); None derives it from
    # the module name.
    uid: str | None = None
    # Grafana JSON merged over the compiled dashboard (the escape hatch, authoring/verbatim.py).
    extra: Verbatim | None = None


def _widths(cells: Sequence[Cell]) -> list[int]:
    """Explicit widths stay; the other cells share the rest of the 24 columns evenly, the
    first ones one column wider when it does not divide (never narrower than MIN_WIDTH)."""
    free = sum(1 for c in cells if c.width is None)
    share = max(GRID_WIDTH - sum(c.width or 0 for c in cells), 0)
    each = max(share // free, MIN_WIDTH) if free else 0
    spare = max(share - each * free, 0)
    widths: list[int] = []
    for cell in cells:
        if cell.width is not None:
            widths.append(min(cell.width, GRID_WIDTH))
        else:
            widths.append(each + (1 if spare > 0 else 0))
            spare -= 1
    return widths


def layout(rows: Sequence[Row]) -> list[tuple[Cell | Row, dict[str, int]]]:
    """Grid positions for every row header and panel, top to bottom, in reading order.

    Panels of a collapsed row are placed as if it were expanded (Grafana stores them so) but
    take no room: the next row starts right under the collapsed header."""
    placed: list[tuple[Cell | Row, dict[str, int]]] = []
    y = 0
    for row in rows:
        header_y = y
        if row.title is not None:
            placed.append((row, {"h": 1, "w": GRID_WIDTH, "x": 0, "y": y}))
            y += 1
        x = 0
        line_height = 0
        for cell, width in zip(row.cells, _widths(row.cells)):
            height = cell.height or HEIGHTS.get(panel_kind(cell), 8)
            if x + width > GRID_WIDTH:
                y += line_height
                x, line_height = 0, 0
            placed.append((cell, {"h": height, "w": width, "x": x, "y": y}))
            x += width
            line_height = max(line_height, height)
        y = header_y + 1 if row.collapsed and row.title is not None else y + line_height
    return placed


def panel_kind(cell: Cell) -> str:
    """The Grafana panel type of a cell (grafanalib classes map to one type each)."""
    if type(cell.panel).__name__ == "RawPanel":
        return str(cell.panel.json.get("type") or "")
    return KINDS.get(type(cell.panel).__name__, "timeseries")


KINDS = {"TimeSeries": "timeseries", "Stat": "stat", "Text": "text", "Logs": "logs",
         "BarGauge": "bargauge", "Table": "table"}
