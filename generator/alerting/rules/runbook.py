"""alert/runbook: Every rule links its runbook."""

from __future__ import annotations

from typing import Any, Iterable

from generator.alerting.model import AlertRule
from generator.alerting.rules.base import AlertCheck
from generator.problems import Problem


class Runbook(AlertCheck):
    id = "alert/runbook"
    description = "Every rule links its runbook."

    def check(self, rule: AlertRule, source: str, ast: Any) -> Iterable[Problem]:
        if not rule.runbook_url.strip():
            yield self.problem(rule, source, f"rule {rule.name} has no runbook_url")


RULE = Runbook()
