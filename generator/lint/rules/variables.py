"""dashboard/unused-variable and dashboard/undefined-variable: variables are defined and used."""

from __future__ import annotations

import json
import re
from typing import Iterable

from generator.lint.model import BaseRule, DashboardCtx
from generator.problems import Problem, Severity

REFERENCE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)(?::\w+)?\]\]")


def references(text: str) -> set[str]:
    return {next(g for g in m.groups() if g) for m in REFERENCE.finditer(text)}


def _used_text(ctx: DashboardCtx) -> str:
    """Everything a variable can be used in: panels (queries, titles, data sources), links,
    and other variables' queries."""
    others = [v for v in ctx.variables()]
    return json.dumps([ctx.data.get("panels", []), ctx.data.get("links", []),
                       [(v.get("query"), v.get("datasource")) for v in others]])


class UnusedVariable(BaseRule):
    id = "dashboard/unused-variable"
    description = "Every template variable is used by some panel, link or other variable."
    severity = Severity.WARNING

    def check_dashboard(self, ctx: DashboardCtx) -> Iterable[Problem]:
        used = references(_used_text(ctx))
        for variable in ctx.variables():
            name = str(variable.get("name"))
            if name not in used:
                yield self.at_dashboard(ctx, f"template variable ${name} is defined but no panel uses it")


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


UNUSED = UnusedVariable()
UNDEFINED = UndefinedVariable()
