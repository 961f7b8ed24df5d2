"""The markdown summary for pull requests: per dashboard, panels checked and problems."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Sequence

from generator.pipeline import Timings
from generator.problems import Problem, Severity

ICONS = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}


def render_markdown(problems: Sequence[Problem], scenarios: Sequence[str], timings: Timings | None = None) -> str:
    lines = ["## dashgen check", "",
             f"Checked against {len(scenarios)} simulated scenarios in a real Prometheus: "
             + ", ".join(f"`{s}`" for s in scenarios) + ".", ""]
    counts = Counter(p.severity for p in problems)
    lines.append(f"**{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s).**")
    by_dashboard: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_dashboard[problem.dashboard or problem.file].append(problem)
    for dashboard, items in sorted(by_dashboard.items()):
        lines += ["", f"### {dashboard}", "", "| | rule | panel | target | message |", "|---|---|---|---|---|"]
        for p in items:
            message = p.message.replace("|", "\\|")
            lines.append(f"| {ICONS[p.severity]} | `{p.rule}` | {p.panel} | {p.target} | {message} |")
    if timings is not None:
        lines += ["", f"Time: simulate {timings.simulate:.1f} s, backfill {timings.backfill:.1f} s, "
                      f"start {timings.start:.1f} s, queries {timings.queries:.1f} s, rules {timings.rules:.1f} s."]
    return "\n".join(lines) + "\n"
