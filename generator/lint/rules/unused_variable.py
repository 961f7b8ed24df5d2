"""dashboard/unused-variable: every template variable is used somewhere."""

from __future__ import annotations

from typing import Iterable

from generator.lint.model import BaseRule, DashboardCtx
from generator.lint.rules._variables import references, used_text
from generator.problems import Problem, Severity


class UnusedVariable(BaseRule):
    id = "dashboard/unused-variable"
    description = "Every template variable is used by some panel, link or other variable."
    severity = Severity.WARNING

    def check_dashboard(self, ctx: DashboardCtx) -> Iterable[Problem]:
        used = references(used_text(ctx))
        for variable in ctx.variables():
            if variable.get("type") == "adhoc":
                continue  # Grafana applies ad-hoc filters to every query of its data source itself
            name = str(variable.get("name"))
            if name not in used:
                yield self.at_dashboard(ctx, f"template variable ${name} is defined but no panel uses it")


RULE = UnusedVariable()
