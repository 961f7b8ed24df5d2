"""Import of each bundled dashboard's compiled JSON gives a module that compiles to the same
JSON, byte for byte (the module written where the original definition lives, so the
generated-file note names the same source path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.canonical import dump_json
from generator.compile.build import DASHBOARD_DIR, compile_dashboards
from generator.config import load
from generator.importer.command import import_file
from generator.importer.querymatch import Matcher

ROOT = Path(__file__).resolve().parents[2]
COMPILED = sorted((ROOT / "observability" / "grafana" / "dashboards").glob("*.json"))
CONFIG = load("local")


def test_there_are_bundled_dashboards() -> None:
    assert len(COMPILED) >= 6


@pytest.mark.parametrize("path", COMPILED, ids=lambda p: p.stem)
def test_bundled_dashboard_compiles_byte_identical(path: Path, tmp_path: Path) -> None:
    result = import_file(path, CONFIG, Matcher(CONFIG), set())
    slug = path.stem.removeprefix("toygres-")
    definitions = tmp_path / "dashboards"
    definitions.mkdir()
    (definitions / f"{slug.replace('-', '_')}.py").write_text(result.source)
    compiled = compile_dashboards(definitions, CONFIG, tmp_path)
    text = compiled.files[DASHBOARD_DIR / path.name]
    assert text == path.read_text(encoding="utf-8")
    assert dump_json(compiled.dashboards[path.stem]) == text


@pytest.mark.parametrize("path", COMPILED, ids=lambda p: p.stem)
def test_bundled_queries_come_back_as_named_queries(path: Path) -> None:
    """Every bundled query written through generator/queries.py comes back as that call."""
    source = import_file(path, CONFIG, Matcher(CONFIG), set()).source
    definition = (ROOT / "dashboards" / f"{path.stem.removeprefix('toygres-').replace('-', '_')}.py").read_text()
    used = {line.split("q.", 1)[1].split("(", 1)[0] for line in definition.splitlines() if "q." in line}
    for name in used:
        assert f"q.{name}(" in source, name
