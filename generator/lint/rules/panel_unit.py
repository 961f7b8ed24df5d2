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
        if not defaults.get("unit") and not legacy_unit(ctx.panel):
            yield self.at_panel(ctx, "panel has no unit (fieldConfig.defaults.unit)")


def legacy_unit(panel: dict[str, object]) -> str:
    """The unit of a legacy graph (`yaxes[0].format`) or singlestat (`format`) panel, before
    schemaVersion 27 moved units to fieldConfig ('' when none; `short` is Grafana's default)."""
    if panel.get("type") == "graph":
        axes = panel.get("yaxes")
        first = axes[0] if isinstance(axes, list) and axes and isinstance(axes[0], dict) else {}
        return str(first.get("format") or "")
    if panel.get("type") in ("singlestat", "gauge", "table-old"):
        return str(panel.get("format") or "")
    return ""


RULE = PanelUnit()
