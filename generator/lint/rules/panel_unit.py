"""panel/unit: every data panel says in what unit it shows numbers."""

from __future__ import annotations

from typing import Iterable

from generator.lint.model import BaseRule, PanelCtx
from generator.problems import Problem, Severity

NO_UNIT_NEEDED = frozenset({"row", "text", "logs", "table", "news", "dashlist", "alertlist"})


class PanelUnit(BaseRule):
    id = "panel/unit"
    description = "Data panels set a unit so numbers are not misread."
    severity = Severity.WARNING

    def check_panel(self, ctx: PanelCtx) -> Iterable[Problem]:
        if ctx.panel.get("type") in NO_UNIT_NEEDED:
            return
        defaults = (ctx.panel.get("fieldConfig") or {}).get("defaults") or {}
        if not defaults.get("unit"):
            yield self.at_panel(ctx, "panel has no unit (fieldConfig.defaults.unit)")


RULE = PanelUnit()
