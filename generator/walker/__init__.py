"""The dashboard walker lint, check, diff and preview share: read dashboard JSON (compiled or
hand-made), resolve its variables' values as Grafana would, and give every dashboard, panel
and target a context with its query parsed."""

from generator.walker.contexts import build_contexts, language, variable_values
from generator.walker.model import DashboardCtx, PanelCtx, TargetCtx
from generator.walker.reading import DEFAULT_GLOB, read_dashboard

__all__ = ["DEFAULT_GLOB", "DashboardCtx", "PanelCtx", "TargetCtx", "build_contexts", "language", "read_dashboard",
           "variable_values"]
