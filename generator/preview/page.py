"""Pages: one per dashboard (its grid), one per changed dashboard (before/after pairs), an index."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from generator.preview.queries import PanelData
from generator.preview.render import HEADER, PAD, PAGE_WIDTH, UNIT, PanelView, environment, grid_style, panel_view

# (row title or "", panel) -> its data; None for rows and panels without queries.
DataFor = Callable[[dict[str, Any]], PanelData | None]


@dataclass(frozen=True)
class Page:
    html: str
    height: int
    titles: tuple[str, ...]  # every panel title drawn, rows included


def _visible(dashboard: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    """(panel, is collapsed row) in layout order; panels inside collapsed rows are not drawn."""
    panels = [p for p in dashboard.get("panels") or [] if isinstance(p, dict)]
    return [(p, bool(p.get("type") == "row" and p.get("collapsed"))) for p in
            sorted(panels, key=lambda p: ((p.get("gridPos") or {}).get("y", 0), (p.get("gridPos") or {}).get("x", 0)))]


def _payload(times: Sequence[float], charts: list[dict[str, Any]]) -> str:
    """Chart data for the page's JSON script element; `</` escaped so no series name can close it."""
    return json.dumps({"times": list(times), "charts": charts}, allow_nan=False).replace("</", "<\\/")


def dashboard_page(dashboard: dict[str, Any], data_for: DataFor, *, scenario: str, window: str,
                   times: Sequence[float], assets: str) -> Page:
    views: list[PanelView] = []
    charts: list[dict[str, Any]] = []
    bottom = 0
    for index, (panel, collapsed) in enumerate(_visible(dashboard)):
        grid = panel.get("gridPos") or {}
        style, width, height = grid_style(grid)
        bottom = max(bottom, int(grid.get("y", 0) or 0) + int(grid.get("h", 0) or 0))
        view = panel_view(f"p{index}", panel, None if panel.get("type") == "row" else data_for(panel), style,
                          width, height, charts)
        if panel.get("type") == "row":
            view.context = {"collapsed": collapsed, "hidden": len(panel.get("panels") or [])}
        views.append(view)
    height = HEADER + bottom * UNIT + PAD
    variables = [(str(v.get("label") or v.get("name")), str((v.get("current") or {}).get("text", "")))
                 for v in (dashboard.get("templating") or {}).get("list") or [] if isinstance(v, dict)]
    html = environment().get_template("page.html.j2").render(
        title=str(dashboard.get("title") or dashboard.get("uid")), uid=str(dashboard.get("uid")),
        scenario=scenario, window=window, variables=variables, panels=views, width=PAGE_WIDTH, height=height,
        assets=assets, payload=_payload(times, charts))
    return Page(html, height, tuple(v.title for v in views))


def changes_page(title: str, uid: str, pairs: Sequence[tuple[dict[str, Any] | None, dict[str, Any] | None]],
                 data_before: DataFor, data_after: DataFor, *, scenario: str, base: str, times: Sequence[float],
                 assets: str) -> Page:
    """Each changed panel as a before/after pair side by side, each at its own grid size."""
    charts: list[dict[str, Any]] = []
    rows = []
    top = HEADER
    half = (PAGE_WIDTH - 3 * PAD) / 2
    for index, (old, new) in enumerate(pairs):
        sides = []
        row_height = 0.0
        for side, panel, data_for in (("before", old, data_before), ("after", new, data_after)):
            if panel is None:
                sides.append(None)
                continue
            grid = panel.get("gridPos") or {}
            width = min(half, int(grid.get("w", 12) or 12) * (PAGE_WIDTH - 2 * PAD) / 24 - 8)
            height = int(grid.get("h", 8) or 8) * UNIT - 8
            left = PAD if side == "before" else 2 * PAD + half
            style = f"left:{left:.1f}px;top:{top + 28:.1f}px;width:{width:.1f}px;height:{height:.1f}px"
            sides.append(panel_view(f"c{index}{side[0]}", panel, data_for(panel), style, width, height, charts))
            row_height = max(row_height, height)
        rows.append({"top": top, "sides": sides})
        top += int(row_height) + 28 + 2 * PAD
    html = environment().get_template("changes.html.j2").render(
        title=title, uid=uid, base=base, scenario=scenario, rows=rows, width=PAGE_WIDTH, height=top, assets=assets,
        half=half, pad=PAD, payload=_payload(times, charts))
    titles = tuple(v.title for r in rows for v in r["sides"] if v is not None)
    return Page(html, int(top), titles)


def index_page(entries: Sequence[dict[str, Any]], scenario: str) -> str:
    return environment().get_template("index.html.j2").render(entries=entries, scenario=scenario)
