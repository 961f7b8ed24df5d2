"""The mutation suite: lies planted in copies of the compiled bundled dashboards. `check` must
report every one as an error on the panel that lies, and the same panel unmutated must pass on
the same data (so the error is the lie's doing, not the panel's)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from generator.check import mutations
from generator.check.engine import check_against, load_measures
from generator.config import Config
from generator.problems import Severity
from tests.compile_helpers import ROOT

DASHBOARDS = {p.stem: json.loads(p.read_text()) for p in (ROOT / "observability/grafana/dashboards").glob("*.json")}
DECLARED = load_measures(ROOT / "observability/check/measures.json")


def _e2(runs: list[Any]) -> list[Any]:
    """The bundled dashboards are compiled for E2 (E1 has its own compile and test)."""
    return [r for r in runs if r.era == "E2"]


@pytest.mark.parametrize("mutation", mutations.MUTATIONS, ids=[m.id for m in mutations.MUTATIONS])
def test_check_reports_the_lie_as_an_error(dataset: tuple[str, list[Any]], mutation: mutations.Mutation) -> None:
    url, runs = dataset
    found = mutations.run(DASHBOARDS, Config(), url, _e2(runs), DECLARED, [mutation])[mutation.id]
    assert found, f"{mutation.lie}: check reported no error on {mutation.panel!r}"


@pytest.mark.parametrize("panel", sorted({(m.dashboard, m.panel) for m in mutations.MUTATIONS}),
                         ids=lambda p: f"{p[0]}/{p[1]}")
def test_the_same_panel_unmutated_passes(dataset: tuple[str, list[Any]], panel: tuple[str, str]) -> None:
    url, runs = dataset
    data = dict(DASHBOARDS[panel[0]])
    data["panels"] = [p for p in data["panels"] if p.get("title") == panel[1]]
    problems = check_against([(f"{panel[0]}.json", data)], Config(), url, _e2(runs), DECLARED)
    assert [p.message for p in problems if p.severity is Severity.ERROR] == []


def test_every_mutation_applies_to_the_compiled_dashboards() -> None:
    for mutation in mutations.MUTATIONS:
        planted = mutations.plant(DASHBOARDS, mutation)
        assert planted != DASHBOARDS[mutation.dashboard], mutation.id
