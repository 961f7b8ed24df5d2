"""panel/description: every panel says what good looks like."""

from __future__ import annotations

from typing import Iterable

from generator.lint.model import BaseRule, PanelCtx
from generator.problems import Problem, Severity


class PanelDescription(BaseRule):
    id = "panel/description"
    description = "Panels carry a description saying what good looks like."
    severity = Severity.WARNING

    def check_panel(self, ctx: PanelCtx) -> Iterable[Problem]:
        if ctx.panel.get("type") == "row":
            return
        if not str(ctx.panel.get("description") or "").strip():
            yield self.at_panel(ctx, "panel has no description")


RULE = PanelDescription()
