"""The import's first review of the original: what `dashgen lint` and `dashgen check` flag."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from generator.config import Config
from generator.problems import Problem


def lint(files: Sequence[tuple[str, dict[str, Any]]], config: Config, exclusions: Path,
         portable: bool = False) -> list[Problem]:
    """Toygres' rules, or with `portable` the correctness-only set of `dashgen lint --portable`
    (for dashboards that are not Toygres'; the exclusions file is Toygres' and not read then)."""
    from generator.lint.engine import lint_dashboards
    return lint_dashboards(list(files), config, None if portable else exclusions, portable=portable)


def check(files: Sequence[tuple[str, dict[str, Any]]], config: Config, scenario: str, duration: int,
          measures: Path | None, progress: Callable[[str], None]) -> list[Problem]:
    """Online rules against one simulated scenario (a real Prometheus on loopback)."""
    from generator.check.engine import MEASURES_FILE, check as run_check
    from generator.pipeline import ScenarioSpec
    spec = ScenarioSpec.parse(scenario)  # ScenarioSpecError (one line) for an unknown scenario
    problems, _ = run_check(list(files), config, specs=[spec], duration=duration,
                            measures_file=measures or MEASURES_FILE, progress=progress)
    return problems


def summary(kind: str, problems: Sequence[Problem], how: str = "") -> str:
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem.severity.value] = counts.get(problem.severity.value, 0) + 1
    found = ", ".join(f"{n} {severity}{'s' if n != 1 else ''}" for severity, n in sorted(counts.items())) or "nothing"
    return f"review ({kind} of the original{how}): {found}"
