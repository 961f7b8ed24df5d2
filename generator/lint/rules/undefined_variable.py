"""dashboard/undefined-variable: queries only reference variables the dashboard defines."""

from __future__ import annotations

from typing import Iterable

from generator.lint.model import BaseRule, DashboardCtx
from generator.parsers.macros import find_variables
from generator.problems import Problem


class UndefinedVariable(BaseRule):
    id = "dashboard/undefined-variable"
    description = "Queries only reference template variables the dashboard defines."

    def check_dashboard(self, ctx: DashboardCtx) -> Iterable[Problem]:
        defined = {str(v.get("name")) for v in ctx.variables()}
        for panel, row in ctx.panels_with_rows():
            panel_id = panel.get("id") if isinstance(panel.get("id"), int) else -1
            for index, target in enumerate(panel.get("targets") or []):
                expr = str(target.get("expr") or "")
                # find_variables leaves out Grafana's built-ins ($__interval, ${__to:date}) and
                # label_replace's capture groups ($1, ${1}).
                for name in sorted(find_variables(expr) - defined):
                    if name.startswith("__"):
                        continue  # Grafana's built-in macros
                    yield Problem(self.id, self.severity, f"query uses ${name}, which the dashboard does not define",
                                  dashboard=ctx.uid, panel=str(panel.get("title", "")),
                                  target=str(target.get("refId") or f"targets[{index}]"), file=ctx.file,
                                  panel_id=panel_id, row=row)


RULE = UndefinedVariable()
