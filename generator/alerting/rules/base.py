"""What an alert check sees: one rule, the file it came from and its parsed expression."""

from __future__ import annotations

from typing import Any, Iterable

from generator.alerting.model import AlertRule
from generator.problems import Problem, Severity


class AlertCheck:
    """An offline check of one alert definition, id `alert/<name>`, run by `dashgen build`."""

    id = ""
    description = ""
    severity = Severity.ERROR

    def check(self, rule: AlertRule, source: str, ast: Any) -> Iterable[Problem]:
        return ()

    def problem(self, rule: AlertRule, source: str, message: str, severity: Severity | None = None) -> Problem:
        return Problem(self.id, severity or self.severity, message, file=source, alert=rule.name)
