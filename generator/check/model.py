"""What an online check rule sees: one target, its results in every scenario, the ground truth
and the measure its panel declares (if any)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from generator.pipeline import ScenarioRun
from generator.check.evaluate import Result, Window
from generator.check.measures import Measure
from generator.config import Config
from generator.prometheus.client import Client
from generator.problems import Problem, Severity
from generator.walker import TargetCtx


@dataclass
class TargetResults:
    target: TargetCtx
    results: list[Result]
    config: Config
    measure: Measure | None = None
    runs: dict[str, ScenarioRun] = field(default_factory=dict)
    windows: dict[str, Window] = field(default_factory=dict)
    client: Client | None = None
    # Rules share work done once per target (e.g. the truth comparisons) here.
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def has_truth(self) -> bool:
        return bool(self.runs)

    @property
    def panel_type(self) -> str:
        return str(self.target.panel.panel.get("type", ""))

    @property
    def unit(self) -> str:
        from generator.lint.rules.panel_unit import legacy_unit

        defaults = (self.target.panel.panel.get("fieldConfig") or {}).get("defaults") or {}
        return str(defaults.get("unit") or legacy_unit(self.target.panel.panel))


class OnlineRule:
    """An online rule: id `query/<name>`, a description, and whether it needs ground truth."""

    id = ""
    description = ""
    severity = Severity.ERROR
    needs_truth = False

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        return ()

    def problem(self, tr: TargetResults, message: str, severity: Severity | None = None,
                details: str = "") -> Problem:
        t = tr.target
        d = t.panel.dashboard
        return Problem(self.id, severity or self.severity, message, dashboard=d.uid,
                       panel=t.panel.title, target=t.ref_id, file=d.file, details=details,
                       panel_id=t.panel.panel_id, row=t.panel.row)
