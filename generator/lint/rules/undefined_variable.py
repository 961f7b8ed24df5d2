"""dashboard/undefined-variable: queries only reference variables the dashboard defines."""

from __future__ import annotations

from typing import Iterable

from generator.lint.model import BaseRule, DashboardCtx
from generator.lint.rules._variables import references
from generator.problems import Problem


class UndefinedVariable(BaseRule):
    id = "dashboard/undefined-variable"
    description = "Queries only reference template variables the dashboard defines."

    def check_dashboard(self, ctx: DashboardCtx) -> Iterable[Problem]:
        defined = {str(v.get("name")) for v in ctx.variables()}
        for panel in ctx.panels():
            for target in panel.get("targets") or []:
                expr = str(target.get("expr") or "")
                for name in sorted(references(expr) - defined):
                    if name.startswith("__"):
                        continue  # Grafana's built-in macros
                    yield Problem(self.id, self.severity, f"query uses ${name}, which the dashboard does not define",
                                  dashboard=ctx.uid, panel=str(panel.get("title", "")),
                                  target=str(target.get("refId", "")), file=ctx.file)


RULE = UndefinedVariable()
