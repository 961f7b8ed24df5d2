"""`dashgen import` and `dashgen build --dashboards DIR --out DIR` from the command line, and bad
input: one clear line naming the file, exit 1, no traceback, no module (half-written or not)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LEGACY = ROOT / "examples" / "legacy-toygres-overview.json"
OLD = ROOT / "tests" / "data" / "dashboards" / "thanos-io--thanos--compact.json"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def tree(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_import_then_build_elsewhere_leaves_observability_alone(tmp_path: Path) -> None:
    before = tree(ROOT / "observability")
    result = run("import", str(LEGACY), str(OLD), "--out", str(tmp_path / "defs"), "--no-check")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "defs").glob("*.py")) == [
        "thanos_compact.py", "toygres_overview_legacy_hand_made.py"]
    # The review of the original: the legacy dashboard's known lies are flagged.
    assert "review (lint of the original):" in result.stdout
    assert "promql/raw-counter" in result.stdout and "promql/metric-unknown" in result.stdout
    assert "review (check of the original): skipped" in result.stdout
    # Without --portable the lint errors of a foreign dashboard block the build ...
    blocked = run("build", "--dashboards", str(tmp_path / "defs"), "--out", str(tmp_path / "out"))
    assert blocked.returncode == 1 and "nothing was written" in blocked.stderr
    assert not (tmp_path / "out").exists()
    # ... with --portable they are printed and the files written there.
    built = run("build", "--dashboards", str(tmp_path / "defs"), "--out", str(tmp_path / "out"), "--portable")
    assert built.returncode == 0, built.stderr
    assert "error" in built.stderr
    written = json.loads((tmp_path / "out" / "grafana" / "dashboards" / "legacy-toygres-overview.json").read_text())
    assert written["title"] == "Toygres Overview (legacy, hand-made)"
    uid = json.loads(OLD.read_text())["uid"]
    assert (tmp_path / "out" / "grafana" / "dashboards" / f"{uid}.json").is_file()
    assert tree(ROOT / "observability") == before


BAD = {
    "invalid-json": ('{"title": "x", "panels": [', r"bad\.json:1:\d+: invalid JSON"),
    "json-array": ("[1, 2]", r"bad\.json: not a Grafana dashboard \(the JSON is a list"),
    "no-panels-or-rows": ('{"title": "A datasource, not a dashboard", "type": "prometheus"}',
                          r"bad\.json: not a Grafana dashboard \(no panels or rows list\)"),
    "panels-not-objects": ('{"title": "x", "panels": [1, 2]}', r"bad\.json: not a Grafana dashboard \(panels is not a list of objects\)"),
    "v2-dashboard": ('{"apiVersion": "dashboard.grafana.app/v2", "kind": "Dashboard", "spec": {}, "panels": []}',
                     r"bad\.json: a v2"),
    "broken-panel-internals": ('{"title": "x", "panels": [{"type": "graph", "title": "g", "yaxes": 7}]}',
                               r"bad\.json: cannot be imported: TypeError"),
    "missing-file": (None, r"missing\.json: no such file"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_is_one_line_and_no_module(case: str, tmp_path: Path) -> None:
    text, pattern = BAD[case]
    path = tmp_path / ("missing.json" if text is None else "bad.json")
    if text is not None:
        path.write_text(text)
    result = run("import", str(path), str(LEGACY), "--out", str(tmp_path / "defs"), "--no-check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("dashgen: error:")]
    assert len(errors) == 1
    assert re.search(pattern, errors[0]), errors[0]
    # The good file next to it is still imported; the bad one left nothing behind.
    assert sorted(p.name for p in (tmp_path / "defs").iterdir()) == ["toygres_overview_legacy_hand_made.py"]


def test_unknown_panel_type_and_broken_query_go_through_the_escape_hatch(tmp_path: Path) -> None:
    dashboard = {"title": "Odd", "uid": "odd", "schemaVersion": 39, "panels": [
        {"type": "acme-sankey-panel", "title": "Flows", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
         "options": {"nodes": 3}, "targets": [{"refId": "A", "expr": "up"}]},
        {"type": "timeseries", "title": "Broken", "gridPos": {"h": 8, "w": 12, "x": 12, "y": 0},
         "targets": [{"refId": "A", "expr": "sum(rate(foo[5m]"}]},
    ]}
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(dashboard))
    result = run("import", str(path), "--out", str(tmp_path / "defs"), "--no-check")
    assert result.returncode == 0, result.stderr
    source = (tmp_path / "defs" / "odd.py").read_text()
    header = source.split("\nfrom ", 1)[0]
    assert "panel \"Flows\": raw_panel, panel type 'acme-sankey-panel' has no builder" in header
    assert '"options": {"nodes": 3}' in source
    assert "'sum(rate(foo[5m]'" in source or '"sum(rate(foo[5m]"' in source
    assert "promql/parse" in result.stdout  # the review names the broken query


def test_reimport_replaces_the_module(tmp_path: Path) -> None:
    for _ in range(2):
        assert run("import", str(LEGACY), "--out", str(tmp_path), "--no-check").returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == ["toygres_overview_legacy_hand_made.py"]


def test_review_runs_check_on_the_original(tmp_path: Path) -> None:
    """The import is the dashboard's first review: `check` (real Prometheus, healthy scenario)
    finds the old active-orchestrations panel reading far above the simulated truth."""
    result = run("import", str(LEGACY), "--out", str(tmp_path), "--measures",
                 str(ROOT / "examples" / "legacy-measures.json"))
    assert result.returncode == 0, result.stderr
    assert "review (check of the original, scenario healthy): 6 errors" in result.stdout
    assert re.search(r"panel 'Active orchestrations'.*: target A: error query/truth", result.stdout)
    assert (tmp_path / "toygres_overview_legacy_hand_made.py").is_file()


def test_hostile_titles_stay_text(tmp_path: Path) -> None:
    """Titles, descriptions and names reach the module only as string literals or inside
    comments; a newline in a title must not become a line of code."""
    payload = 'x\nraise SystemExit("injected")\n"""\\'
    dashboard = {"title": payload, "uid": "hostile", "description": payload, "panels": [
        {"type": "stat", "title": payload, "description": payload, "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
         "targets": [{"refId": "A", "expr": "up", "legendFormat": payload}]},
        {"type": "acme\nraise SystemExit(2)", "title": payload, "gridPos": {"h": 4, "w": 6, "x": 6, "y": 0}}],
        "templating": {"list": [{"name": "v", "type": "custom", "query": payload}]}}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(dashboard))
    result = run("import", str(path), "--out", str(tmp_path / "defs"), "--no-check")
    assert result.returncode == 0, result.stderr
    module = next((tmp_path / "defs").glob("*.py"))
    assert not [line for line in module.read_text().splitlines() if line.startswith("raise")]
    built = run("build", "--dashboards", str(tmp_path / "defs"), "--out", str(tmp_path / "out"), "--portable")
    assert built.returncode == 0, built.stderr
    compiled = json.loads((tmp_path / "out" / "grafana" / "dashboards" / "hostile.json").read_text())
    assert compiled["title"] == payload and compiled["panels"][0]["title"] == payload


def test_unwritable_output_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    result = run("import", str(LEGACY), "--out", str(tmp_path / "file"), "--no-check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot write the modules" in result.stderr


def test_portable_review_uses_the_correctness_rules(tmp_path: Path) -> None:
    """--portable: the originals are not Toygres', so the house rules (descriptions, units) are
    not applied and check (which simulates Toygres) does not run; query rules still do."""
    result = run("import", str(OLD), "--out", str(tmp_path), "--portable")
    assert result.returncode == 0, result.stderr
    assert "review (lint --portable of the original):" in result.stdout
    assert "panel/description" not in result.stdout and "panel/unit" not in result.stdout
    assert "review (check of the original): skipped (--portable" in result.stdout
    house = run("import", str(OLD), "--out", str(tmp_path), "--no-check")
    assert "panel/description" in house.stdout
