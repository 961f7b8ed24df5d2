"""Round trip: import, compile the generated module, compare with the original.

Same panels in the same order, same titles, same query expressions (whitespace aside), units,
thresholds and variables, uid and title; the only differences are the documented migrations
(docs/import.md). Expectations are read from the original JSON by tests/importer/helpers.py, not
by the importer. The importer's own self-check (every key the migrated original states is in the
compiled JSON) must report nothing, too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.config import load
from generator.importer.command import import_file
from generator.importer.querymatch import Matcher
from generator.importer.verify import compile_source
from tests.importer.helpers import (compiled_panels, compiled_threshold_values, expr_key,
                                    original_panels, threshold_values, unit_of)

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = sorted((ROOT / "tests" / "data" / "dashboards").glob("*.json"))
FILES = [ROOT / "examples" / "legacy-toygres-overview.json", *PUBLIC]
CONFIG = load("local")


def test_enough_public_dashboards_of_varied_age() -> None:
    ages = {json.loads(p.read_text()).get("schemaVersion", 0) for p in PUBLIC}
    assert len(PUBLIC) >= 10
    assert min(ages) < 16 and max(ages) >= 36  # rows layout era and modern ones


@pytest.fixture(scope="module")
def imported() -> dict[Path, tuple[dict, dict, str]]:
    matcher = Matcher(CONFIG)
    out = {}
    for path in FILES:
        result = import_file(path, CONFIG, matcher, set())
        compiled = compile_source(result.source, CONFIG, result.name.replace("_", "-"), str(path))
        out[path] = (result.original, compiled, result.source, result.self_check)
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_round_trip(path: Path, imported: dict) -> None:
    original, compiled, source, self_check = imported[path]
    assert self_check == []
    before = list(original_panels(original))
    after = list(compiled_panels(compiled))
    assert [p.get("title", "") for p in after] == [p.get("title", "") for p in before]
    for old, new in zip(before, after):
        where = f"panel {old.get('title')!r}"
        old_exprs = [expr_key(t["expr"]) for t in old.get("targets") or [] if "expr" in t]
        new_exprs = [expr_key(t["expr"]) for t in new.get("targets") or [] if "expr" in t]
        assert new_exprs == old_exprs, where
        new_unit = ((new.get("fieldConfig") or {}).get("defaults") or {}).get("unit")
        if unit_of(old):
            assert new_unit == unit_of(old), where
        wanted = threshold_values(old)
        if wanted is not None:
            assert compiled_threshold_values(new) == wanted, where
    if original.get("uid"):
        assert compiled["uid"] == original["uid"]
    assert compiled["title"] == original["title"]
    old_vars = [(v["name"], v.get("type"), _query(v)) for v in (original.get("templating") or {}).get("list") or []]
    new_vars = [(v["name"], v.get("type"), _query(v)) for v in (compiled.get("templating") or {}).get("list") or []]
    assert new_vars == [(n, t, expr_key(q)) for n, t, q in old_vars] or new_vars == old_vars


def _query(variable: dict) -> str:
    query = variable.get("query", "")
    return expr_key(query.get("query", "") if isinstance(query, dict) else str(query))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_module_is_house_style_python(path: Path, imported: dict) -> None:
    source = imported[path][2]
    compile(source, str(path), "exec")
    assert source.startswith('"""') and "def dashboard(c: Config) -> DashboardSpec:" in source
    long_lines = [line for line in source.splitlines() if len(line) > 100 and '"' not in line and "'" not in line]
    assert long_lines == []  # only a string literal with no space to break at may run long


def test_legacy_example_keeps_its_lies_visible() -> None:
    """The operators' old dashboard: the starts-minus-completions query comes over as written
    (an import must not silently 'fix' what lint and check are there to flag)."""
    result = import_file(FILES[0], CONFIG, Matcher(CONFIG), set())
    assert "duroxide_orchestration_starts_total" in result.source
    assert 'uid="legacy-toygres-overview"' in result.source


def test_panels_with_no_builder_are_listed_as_raw() -> None:
    path = ROOT / "tests" / "data" / "dashboards" / "rfmoz--grafana-dashboards--unbound-full.json"
    result = import_file(path, CONFIG, Matcher(CONFIG), set())
    header = result.source.split("\nfrom ", 1)[0]
    assert "raw_panel, panel type 'heatmap' has no builder" in header
    assert result.source.count("raw_panel(") == sum(
        1 for p in original_panels(result.original) if p.get("type") not in ("timeseries", "stat", "bargauge", "text", "logs"))
