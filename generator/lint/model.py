"""What a lint rule sees (one dashboard, panel or target at a time, from the shared walker)
and the base class every lint rule extends."""

from __future__ import annotations

from typing import Iterable

from generator.problems import Problem, Severity
from generator.walker.model import DashboardCtx, PanelCtx, TargetCtx

__all__ = ["BaseRule", "DashboardCtx", "PanelCtx", "TargetCtx"]


class BaseRule:
    """Defaults that check nothing; a rule overrides the levels it cares about."""

    id = ""
    description = ""
    severity = Severity.ERROR

    def check_dashboard(self, ctx: DashboardCtx) -> Iterable[Problem]:
        return ()

    def check_panel(self, ctx: PanelCtx) -> Iterable[Problem]:
        return ()

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        return ()

    def at_dashboard(self, ctx: DashboardCtx, message: str, severity: Severity | None = None) -> Problem:
        return Problem(self.id, severity or self.severity, message, dashboard=ctx.uid, file=ctx.file)

    def at_panel(self, ctx: PanelCtx, message: str, severity: Severity | None = None) -> Problem:
        d = ctx.dashboard
        return Problem(self.id, severity or self.severity, message, dashboard=d.uid,
                       panel=ctx.title, file=d.file, panel_id=ctx.panel_id, row=ctx.row)

    def at_target(self, ctx: TargetCtx, message: str, severity: Severity | None = None,
                  details: str = "") -> Problem:
        d = ctx.panel.dashboard
        return Problem(self.id, severity or self.severity, message, dashboard=d.uid,
                       panel=ctx.panel.title, target=ctx.ref_id, file=d.file, details=details,
                       panel_id=ctx.panel.panel_id, row=ctx.panel.row)
