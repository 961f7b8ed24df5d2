"""Reporters turn problems (data) into text or JSON; rules never format output themselves."""

from __future__ import annotations

import json
from typing import Sequence

from generator.problems import Problem, Severity


def render_text(problems: Sequence[Problem]) -> str:
    """One line per problem: `location: severity rule: message`, then a count line."""
    lines = []
    for p in problems:
        lines.append(f"{p.location}: {p.severity.value} {p.rule}: {p.message}")
        if p.details:
            lines.extend(f"    {line}" for line in p.details.splitlines())
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = sum(p.severity is Severity.WARNING for p in problems)
    lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(lines) + "\n"


def render_json(problems: Sequence[Problem]) -> str:
    return json.dumps([p.to_json() for p in problems], indent=2, sort_keys=True) + "\n"


def render_github(problems: Sequence[Problem]) -> str:
    """GitHub Actions workflow commands: annotations on the pull request."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    out = []
    for p in problems:
        message = f"{p.location}: {p.message}".replace("%", "%25").replace("\n", "%0A")
        out.append(f"::{level[p.severity]} file={p.file},title={p.rule}::{message}")
    return "\n".join(out) + ("\n" if out else "")


REPORTERS = {"text": render_text, "json": render_json, "github": render_github}
