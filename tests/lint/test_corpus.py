"""`dashgen lint --portable` over public dashboards of varied age (tests/data/dashboards, sources
and licences in SOURCES.md): no abort, no traceback, no parse error on their (valid) queries, and
every query really parsed, in the language its data source says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import Config
from generator.walker import build_contexts
from generator.walker import read_dashboard

REPO = Path(__file__).resolve().parents[2]
CORPUS = sorted((REPO / "tests" / "data" / "dashboards").glob("*.json"))
# Real findings in the corpus, checked by hand (file suffix, rule, message start).
KNOWN = {
    ("apache-tomcat-logs.json", "dashboard/unused-variable", "template variable $prometheus_datasource"),
    # `!~ ".*?$host.*?"` in a LogQL filter: no variable `host` exists, Grafana sends `$host` as is.
    ("nginx-logs.json", "dashboard/undefined-variable", "query uses $host"),
    ("grafana-weave-net.json", "dashboard/unused-variable", "template variable $cluster"),
    ("grafana-weave-net.json", "dashboard/unused-variable", "template variable $interval"),
}


def test_corpus_is_varied() -> None:
    versions = {read_dashboard(path).get("schemaVersion") for path in CORPUS}
    assert len(CORPUS) >= 40
    assert min(v for v in versions if v) <= 14 and max(v for v in versions if v) >= 41
    sources = (REPO / "tests" / "data" / "dashboards" / "SOURCES.md").read_text()
    assert all(path.name in sources for path in CORPUS), "every corpus file is listed in SOURCES.md"


def test_portable_lint_of_the_whole_corpus() -> None:
    result = subprocess.run([sys.executable, "-m", "generator", "lint", "--portable", "--format", "json",
                             *map(str, CORPUS)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in result.stderr and "dashgen: error" not in result.stderr, result.stderr
    problems = json.loads(result.stdout)
    parse = [p for p in problems if p["rule"] in ("promql/parse", "logql/parse", "dashboard/variable-format")]
    assert parse == []
    found = {(Path(p["file"]).name, p["rule"], p["message"]) for p in problems}
    for name, rule, start in KNOWN:
        assert any(f.endswith(name) and r == rule and m.startswith(start) for f, r, m in found), (name, rule)
    assert len(found) == len(KNOWN), found


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_every_query_is_parsed_in_its_language(path: Path) -> None:
    data = read_dashboard(path)
    _, _, targets = build_contexts([(str(path), data)], Config(), portable=True)
    assert targets, "the dashboard has queries, and lint saw them"
    assert all(t.ast is not None for t in targets)
    text = json.dumps(data)
    if '"type": "loki"' in text or "loki" in text.lower() and "|=" in text:
        assert any(t.language == "logql" for t in targets)
