"""alert/description: Every rule has a description."""

from __future__ import annotations

from typing import Any, Iterable

from generator.alerting.model import AlertRule
from generator.alerting.rules.base import AlertCheck
from generator.problems import Problem


class Description(AlertCheck):
    id = "alert/description"
    description = "Every rule has a description."

    def check(self, rule: AlertRule, source: str, ast: Any) -> Iterable[Problem]:
        if not rule.description.strip():
            yield self.problem(rule, source, f"rule {rule.name} has no description")


RULE = Description()
