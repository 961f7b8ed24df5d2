"""Template variable references: which variables a dashboard's text uses."""

from __future__ import annotations

import json
import re

from generator.lint.model import DashboardCtx

REFERENCE = re.compile(r"\$\{(\w+)(?:[.:][^}]*)?\}|\$(\w+)|\[\[(\w+)(?::\w+)?\]\]")


def references(text: str) -> set[str]:
    return {next(g for g in m.groups() if g) for m in REFERENCE.finditer(text)}


def used_text(ctx: DashboardCtx) -> str:
    """Everything a variable can be used in: panels (queries, titles, data sources), links,
    and other variables' queries."""
    return json.dumps([ctx.data.get("panels", []), ctx.data.get("rows", []), ctx.data.get("links", []),
                       [(v.get("query"), v.get("datasource")) for v in ctx.variables()]])
