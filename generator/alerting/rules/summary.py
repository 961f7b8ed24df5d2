"""alert/summary: Every rule has a summary (the page's one-line title)."""

from __future__ import annotations

from typing import Any, Iterable

from generator.alerting.model import AlertRule
from generator.alerting.rules.base import AlertCheck
from generator.problems import Problem


class Summary(AlertCheck):
    id = "alert/summary"
    description = "Every rule has a summary (the page's one-line title)."

    def check(self, rule: AlertRule, source: str, ast: Any) -> Iterable[Problem]:
        if not rule.summary.strip():
            yield self.problem(rule, source, f"rule {rule.name} has no summary")


RULE = Summary()
