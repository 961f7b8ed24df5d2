"""Previews: real PNG properties, titles in the DOM, no console errors, before/after pairs.

One simulated scenario (healthy, 1 h) serves every assertion here; Chromium is real.
"""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from PIL import Image

from generator.config import load
from generator.preview.build import Preview, Request, render
from generator.preview.theme import NAMED, PALETTE
from generator.review.snapshot import from_directory

ROOT = Path(__file__).resolve().parents[2]
GREEN, RED = NAMED["green"], NAMED["red"]
ACTIVE = 'sum (duroxide_active_orchestrations{job=~"$job"})'


def stat(title: str, x: int, red_at: float) -> dict[str, Any]:
    return {"type": "stat", "title": title, "gridPos": {"x": x, "y": 0, "w": 6, "h": 6},
            "datasource": {"type": "prometheus", "uid": "toygres-prometheus"},
            "fieldConfig": {"defaults": {"unit": "short", "thresholds": {"mode": "absolute", "steps": [
                {"color": "green"}, {"color": "red", "value": red_at}]}}},
            "options": {"colorMode": "background", "graphMode": "none", "reduceOptions": {"calcs": ["lastNotNull"]}},
            "targets": [{"refId": "A", "expr": ACTIVE}]}


def synthetic() -> dict[str, Any]:
    """Two stats on the same query: healthy runs 10-50 active instances (the simulator's design),
    so a red step at 1 is crossed and one at 100000 is not. Plus a type the preview cannot draw."""
    return {"uid": "preview-probe", "title": "Preview probe",
            "templating": {"list": [{"name": "job", "current": {"text": "toygres", "value": "toygres"}}]},
            "panels": [stat("Crossed", 0, 1), stat("Not crossed", 6, 100000),
                       {"type": "piechart", "title": "A pie", "gridPos": {"x": 12, "y": 0, "w": 6, "h": 6}},
                       # A legend that tries to close the data script, and a query that is NaN throughout.
                       {"type": "timeseries", "title": "Hostile legend", "gridPos": {"x": 0, "y": 6, "w": 12, "h": 8},
                        "targets": [{"refId": "A", "expr": ACTIVE, "legendFormat": "</script><b>{{job}}"},
                                    {"refId": "B", "expr": "0 / 0", "legendFormat": "nan"}]},
                       # A series no simulated run writes: the panel must say No data and draw nothing.
                       {"type": "timeseries", "title": "Never written", "gridPos": {"x": 12, "y": 6, "w": 12, "h": 8},
                        "targets": [{"refId": "A", "expr": 'sum(rate(duroxide_no_such_metric_total{job="toygres"}[5m]))'}]},
                       {"type": "row", "title": "Folded", "collapsed": True, "gridPos": {"x": 0, "y": 14, "w": 24, "h": 1},
                        "panels": [stat("Inside folded", 0, 1)]}]}


@pytest.fixture(scope="module")
def previews(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Preview], dict[str, Any]]]:
    out = tmp_path_factory.mktemp("previews")
    bundled = from_directory(ROOT / "observability")
    base = copy.deepcopy(bundled.dashboards["toygres-overview"])
    changed = next(p for p in base["panels"] if p.get("title") == "Active orchestrations over time")
    changed["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"] = 30
    request = Request(sorted(bundled.dashboards.items()) + [("preview-probe", synthetic())], "healthy", 3600, 1,
                      base={"toygres-overview": base}, base_label="base")
    result = render(request, load("local"), out)
    yield out, {p.uid: p for p in result}, bundled.dashboards


def image(out: Path, name: str) -> Image.Image:
    return Image.open(io.BytesIO((out / name).read_bytes())).convert("RGB")


def box(preview: Preview, title: str) -> tuple[int, int, int, int]:
    found = next(b for b in preview.panels if b["title"] == title)
    return (int(found["x"]), int(found["y"]), int(found["x"] + found["width"]), int(found["y"] + found["height"]))


def share_of(img: Image.Image, area: tuple[int, int, int, int], css: str, tolerance: int = 24) -> float:
    """Fraction of pixels within tolerance of a #RRGGBB colour."""
    want = tuple(int(css[i:i + 2], 16) for i in (1, 3, 5))
    crop = img.crop(area)
    colours = crop.getcolors(maxcolors=crop.width * crop.height) or []
    near = sum(n for n, rgb in colours if all(abs(a - b) <= tolerance for a, b in zip(rgb, want)))
    return near / max(1, crop.width * crop.height)


def visible_titles(dashboard: dict[str, Any]) -> set[str]:
    return {str(p.get("title")) for p in dashboard.get("panels") or []}


def test_every_bundled_dashboard_has_a_png_the_size_of_its_page(previews: Any) -> None:
    out, by_uid, bundled = previews
    for uid, dashboard in bundled.items():
        png = (out / f"{uid}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        img = image(out, f"{uid}.png")
        bottom = max(b["y"] + b["height"] for b in by_uid[uid].panels)
        assert img.width == 1600 and bottom <= img.height <= bottom + 40, uid
        assert len(img.getcolors(maxcolors=1 << 20) or []) > 50, f"{uid}: the picture is nearly blank"


def test_panel_titles_are_in_the_dom_and_no_console_errors(previews: Any) -> None:
    _, by_uid, bundled = previews
    for uid, dashboard in bundled.items():
        assert {b["title"] for b in by_uid[uid].panels} == visible_titles(dashboard), uid
        assert by_uid[uid].console_errors == [], uid
    assert by_uid["preview-probe"].console_errors == []


def test_time_series_with_data_are_drawn_and_empty_ones_are_not(previews: Any) -> None:
    out, by_uid, _ = previews
    img = image(out, "toygres-overview.png")
    drawn = share_of(img, box(by_uid["toygres-overview"], "Active orchestrations over time"), PALETTE[0])
    assert drawn > 0.002, "the series line (first palette colour) is missing"
    logs = image(out, "toygres-logs.png")
    # A series nothing writes: the panel says No data and carries no series colour. (Not the
    # Logs dashboard's "Errors": a create that fails in a healthy run writes Toygres' ERROR
    # "Failed to create instance: ...".)
    probe = image(out, "preview-probe.png")
    assert share_of(probe, box(by_uid["preview-probe"], "Never written"), PALETTE[0]) == 0
    assert "Never written" in by_uid["preview-probe"].empty_panels
    # One series per level, coloured in order: the levels a healthy run writes are drawn.
    volume = box(by_uid["toygres-logs"], "Log volume by level")
    assert sum(share_of(logs, volume, colour) for colour in PALETTE[:4]) > 0.002


def test_stat_shows_the_threshold_colour_it_crosses(previews: Any) -> None:
    out, by_uid, _ = previews
    img = image(out, "preview-probe.png")
    probe = by_uid["preview-probe"]
    assert share_of(img, box(probe, "Crossed"), RED) > 0.5
    assert share_of(img, box(probe, "Crossed"), GREEN) < 0.01
    assert share_of(img, box(probe, "Not crossed"), GREEN) > 0.5
    assert share_of(img, box(probe, "Not crossed"), RED) < 0.01


def test_unsupported_panel_type_is_a_labelled_placeholder(previews: Any) -> None:
    out, by_uid, _ = previews
    [pie] = [b for b in by_uid["preview-probe"].panels if b["title"] == "A pie"]
    assert pie["type"] == "piechart"
    html = (out / "preview-probe.html").read_text(encoding="utf-8")
    assert "Panel type “piechart” is not drawn by the preview" in html
    # The hostile legend is text in the legend table and escaped inside the chart data.
    assert "&lt;/script&gt;&lt;b&gt;</td>" in html and '"name": "<\\/script><b>"' in html
    assert "</script><b>" not in html


def test_collapsed_row_is_drawn_closed(previews: Any) -> None:
    out, by_uid, _ = previews
    titles = {b["title"]: b["type"] for b in by_uid["preview-probe"].panels}
    assert titles.get("Folded") == "row" and "Inside folded" not in titles
    assert "(1 panel)" in (out / "preview-probe.html").read_text(encoding="utf-8")


def test_changed_panel_is_shown_before_and_after(previews: Any) -> None:
    out, by_uid, _ = previews
    overview = by_uid["toygres-overview"]
    assert overview.changes_png == "toygres-overview.changes.png"
    img = image(out, overview.changes_png)
    assert img.width == 1600 and img.height > 300
    html = (out / overview.changes_html).read_text(encoding="utf-8")
    assert html.count('data-panel-title="Active orchestrations over time"') == 2
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{uid}.html"' in index for uid in by_uid)
    manifest = json.loads((out / "previews.json").read_text(encoding="utf-8"))
    assert {m["uid"] for m in manifest} == set(by_uid)


@pytest.mark.parametrize("how", ["explicit-binary", "not-on-path"])
def test_no_chromium_is_one_line_and_non_zero(tmp_path: Path, how: str) -> None:
    args = [sys.executable, "-m", "generator", "preview", "--out", str(tmp_path / "out")]
    env = dict(os.environ)
    if how == "explicit-binary":
        args += ["--chromium", str(tmp_path / "no-chromium")]
    else:
        env["PATH"] = str(tmp_path)
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "not found: install it with `apt-get install" in result.stderr
    assert not (tmp_path / "out").exists(), "nothing is simulated or written without a browser"
