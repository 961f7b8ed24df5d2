"""Render previews: pages from templates, data from one simulated scenario, PNGs from Chromium."""

from __future__ import annotations

import concurrent.futures
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from generator.config import Config
from generator.errors import DashgenError
from generator.preview import data as data_module
from generator.preview.browser import Capture, Chromium, find_chromium
from generator.preview.page import changes_page, dashboard_page, index_page
from generator.preview.queries import LogQLParses, PanelData, evaluate_panel, expand, grid_for
from generator.prometheus.client import Client
from generator.review.panels import flatten, match
from generator.review.values import without

UPLOT_DIST = Path(__file__).parent / "js" / "node_modules" / "uplot" / "dist"
ASSETS = ("uPlot.iife.min.js", "uPlot.min.css")


class PreviewError(DashgenError):
    """A preview could not be made (assets missing, a page failed in the browser, ...)."""


@dataclass
class Preview:
    uid: str
    title: str
    html: str
    png: str
    panels: list[dict[str, Any]] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    empty_panels: list[str] = field(default_factory=list)
    changes_html: str = ""
    changes_png: str = ""


@dataclass(frozen=True)
class Request:
    dashboards: Sequence[tuple[str, dict[str, Any]]]  # (uid, JSON) to draw
    scenario: str = "healthy"
    duration: int = 7200
    seed: int = 1
    base: dict[str, dict[str, Any]] = field(default_factory=dict)  # uid -> JSON at the base ref
    base_label: str = ""
    chromium: str | None = None


def copy_assets(out: Path) -> str:
    target = out / "assets"
    target.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        source = UPLOT_DIST / name
        if not source.is_file():
            raise PreviewError(f"{source} is missing: run `make dashboards` (it runs npm ci in generator/preview/js)")
        shutil.copyfile(source, target / name)
    return "assets"


def changed_pairs(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """Panels that differ (beyond id and position), matched the way the differ matches them."""
    pairs, removed, added = match(flatten(before), flatten(after))
    out: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = []
    for old, new in sorted(pairs, key=lambda p: p[1].order):
        if old.type != "row" and without(old.panel, "id", "gridPos") != without(new.panel, "id", "gridPos"):
            out.append((old.panel, new.panel))
        elif old.type != "row" and (old.grid["w"], old.grid["h"]) != (new.grid["w"], new.grid["h"]):
            out.append((old.panel, new.panel))
    out += [(None, n.panel) for n in added if n.type != "row"]
    out += [(o.panel, None) for o in removed if o.type != "row"]
    return out


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel, those inside collapsed rows included."""
    out = []
    for panel in dashboard.get("panels") or []:
        if isinstance(panel, dict):
            out.append(panel)
            out += [p for p in panel.get("panels") or [] if isinstance(p, dict)]
    return out


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def render(request: Request, config: Config, out: Path, progress: Callable[[str], None] = lambda _: None) -> list[Preview]:
    """Write DIR/<uid>.html and .png (and <uid>.changes.* with a base), DIR/index.html, previews.json."""
    find_chromium(request.chromium)  # fail before simulating when there is no browser
    out.mkdir(parents=True, exist_ok=True)
    assets = copy_assets(out)
    previews: list[Preview] = []
    if not request.dashboards:  # nothing changed: nothing to simulate or draw
        _finish(out, previews, request.scenario)
        return previews
    # Screenshots are taken on one thread while the next dashboard is queried and rendered.
    with Chromium(request.chromium) as browser, concurrent.futures.ThreadPoolExecutor(max_workers=1) as shooter, \
            data_module.scenario(request.scenario, config, duration=request.duration, seed=request.seed) as dataset:
        progress(f"scenario {request.scenario} served at {dataset.prometheus_url}")
        client = Client(dataset.prometheus_url)
        grid, _ = grid_for(dataset, config)
        window = (f"{(dataset.end - dataset.start) / 3600:.1f} h ending "
                  f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(dataset.end))}")
        parses = LogQLParses()
        everything = list(request.dashboards) + list(request.base.items())
        parses.prime([q.text for _, d in everything for p in _panels(d) for q in expand(p, d, dataset, config)
                      if q.language == "logql"])

        def data_for(dashboard: dict[str, Any]) -> Callable[[dict[str, Any]], PanelData | None]:
            return lambda panel: evaluate_panel(panel, dashboard, dataset, config, client, parses)

        def shoot(preview: Preview, page_path: Path, height: int) -> None:
            capture: Capture = browser.capture(page_path, 1600, max(height, 200))
            (out / page_path.name.replace(".html", ".png")).write_bytes(capture.png)
            preview.console_errors += [f"{page_path.name}: {e}" for e in capture.console_errors]
            if page_path.name == preview.html:
                preview.panels = [vars(box) for box in capture.panels]
            progress(f"screenshot {page_path.name.replace('.html', '.png')}")

        shots = []
        for uid, dashboard in request.dashboards:
            evaluated: dict[int, PanelData] = {}

            def remember(panel: dict[str, Any], _d: dict[str, Any] = dashboard,
                         _e: dict[int, PanelData] = evaluated) -> PanelData | None:
                result = data_for(_d)(panel)
                if result is not None:
                    _e[id(panel)] = result
                return result

            page = dashboard_page(dashboard, remember, scenario=request.scenario, window=window,
                                  times=grid.times, assets=assets)
            _write(out / f"{uid}.html", page.html)
            preview = Preview(uid, str(dashboard.get("title") or uid), f"{uid}.html", f"{uid}.png")
            preview.empty_panels = [str(p.get("title")) for p in dashboard.get("panels") or []
                                    if id(p) in evaluated and p.get("targets") and not evaluated[id(p)].has_data]
            previews.append(preview)
            shots.append(shooter.submit(shoot, preview, out / f"{uid}.html", page.height))
            if uid in request.base:
                pairs = changed_pairs(request.base[uid], dashboard)
                if pairs:
                    changes = changes_page(preview.title, uid, pairs, data_for(request.base[uid]), data_for(dashboard),
                                           scenario=request.scenario, base=request.base_label, times=grid.times,
                                           assets=assets)
                    _write(out / f"{uid}.changes.html", changes.html)
                    preview.changes_html, preview.changes_png = f"{uid}.changes.html", f"{uid}.changes.png"
                    shots.append(shooter.submit(shoot, preview, out / f"{uid}.changes.html", changes.height))
            progress(f"rendered {uid}")
        for shot in shots:
            shot.result()
    _finish(out, previews, request.scenario)
    return previews


def _finish(out: Path, previews: list[Preview], scenario: str) -> None:
    entries = [{"uid": p.uid, "title": p.title, "html": p.html, "png": p.png, "changes": p.changes_html}
               for p in previews]
    _write(out / "index.html", index_page(entries, scenario))
    _write(out / "previews.json", json.dumps([vars(p) for p in previews], indent=2, sort_keys=True) + "\n")
