"""The scenario-spec grammar: every text form parses to the spec it names and prints back."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.pipeline import ScenarioSpec, ScenarioSpecError, families_for, scenario, write_openmetrics


@pytest.mark.parametrize("text, faults, hold, era", [
    ("healthy", ("healthy",), None, None),
    ("burst+stuck-orchestrations", ("burst", "stuck-orchestrations"), None, None),
    ("database-down,hold=150m", ("database-down",), 150 * 60, None),
    ("healthy,era=E1", ("healthy",), None, "E1"),
    ("database-down,era=E1,hold=2h", ("database-down",), 7200, "E1"),
], ids=["one", "composed", "held", "era", "both"])
def test_text_forms(text: str, faults: tuple[str, ...], hold: int | None, era: str | None) -> None:
    spec = ScenarioSpec.parse(text)
    assert (spec.faults, spec.hold_seconds, spec.era) == (faults, hold, era)
    assert ScenarioSpec.parse(str(spec)) == spec


@pytest.mark.parametrize("text, message", [
    ("burst+nope", "unknown scenario 'nope'"),
    ("healthy,era=E3", "era must be one of E1, E2"),
    ("database-down,hold=soon", "hold='soon' is not a duration"),
    ("database-down@150m", "unknown scenario 'database-down@150m'"),
    ("healthy,colour=red", "'colour=red' is not one of hold=..., era=..."),
    ("healthy,era=E1,era=E2", "given once"),
], ids=["unknown-scenario", "unknown-era", "bad-hold", "old-at-form", "unknown-key", "repeated-key"])
def test_bad_specs_name_the_text(text: str, message: str) -> None:
    with pytest.raises(ScenarioSpecError, match=message.replace("(", r"\(").replace(".", r"\.")) as info:
        ScenarioSpec.parse(text)
    assert repr(text) in str(info.value)


def test_typed_constructor_and_labels() -> None:
    spec = scenario("database-down", hold="150m", era="E2")
    assert spec == ScenarioSpec.parse("database-down,hold=2h30m,era=E2")
    assert spec.label("E2") == "database-down,hold=2h30m" and spec.label("E1") == str(spec)
    assert scenario().healthy and not spec.healthy


def test_only_the_families_asked_for_are_written(tmp_path: Path) -> None:
    chunks = ["# HELP a_total x\n# TYPE a counter\n", "a_total 1 10\n", "# HELP b x\n# TYPE b gauge\n",
              "b 2 10\n", "# EOF\n"]
    out = tmp_path / "m.om"
    write_openmetrics(chunks, out, families_for(["b"]))
    assert out.read_text() == "# HELP b x\n# TYPE b gauge\nb 2 10\n# EOF\n"
    assert families_for(["a_total", "h_bucket"]) == {"a_total", "a", "h_bucket", "h"}


def test_a_scenario_keeps_its_window_whatever_is_checked_with_it() -> None:
    from generator.pipeline import END_TS, staggered

    def windows(texts: list[str]) -> dict[str, tuple[int, int]]:
        specs = [ScenarioSpec.parse(t) for t in texts]
        return {str(d.scenario): (d.end_ts - d.duration_seconds, d.end_ts)
                for d in staggered(specs, end_ts=END_TS, duration_seconds=7200, seed=1, step=15)}

    alone = windows(["database-slow,era=E2"])
    together = windows(["healthy,era=E2", "burst+database-slow", "database-slow,era=E2", "healthy,era=E1"])
    assert together["database-slow,era=E2"] == alone["database-slow,era=E2"]
    spans = sorted(together.values())
    assert all(a_end + 300 < b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
