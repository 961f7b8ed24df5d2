"""Generated modules of a few representative imports, kept as reviewed golden files
(tests/golden/import/): a change to the emitter shows up as a readable diff."""

from __future__ import annotations

from pathlib import Path

from generator.config import load
from generator.importer.command import import_file
from generator.importer.querymatch import Matcher

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_IMPORT_DIR = ROOT / "tests" / "golden" / "import"
INPUTS = (
    ROOT / "examples" / "legacy-toygres-overview.json",  # hand-made, string data sources
    ROOT / "observability" / "grafana" / "dashboards" / "toygres-overview.json",  # named queries
    ROOT / "tests" / "data" / "dashboards" / "thanos-io--thanos--compact.json",  # rows layout, graph
    ROOT / "tests" / "data" / "dashboards" / "prometheus-operator--kube-prometheus--prometheus-2021.json",  # table-old
)


def import_goldens() -> dict[Path, str]:
    config = load("local")
    matcher = Matcher(config)
    out = {}
    for path in INPUTS:
        result = import_file(path, config, matcher, set())
        out[GOLDEN_IMPORT_DIR / f"{result.name}.py"] = result.source
    return out
