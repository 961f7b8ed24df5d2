"""alert/description-value: a thresholded rule's description shows the value or labels that fired."""

from __future__ import annotations

from typing import Any, Iterable

from generator.alerting.model import AlertRule
from generator.alerting.rules.base import AlertCheck
from generator.problems import Problem, Severity


class DescriptionValue(AlertCheck):
    id = "alert/description-value"
    description = "A rule with a threshold says in its description what value (or labels) fired it."
    severity = Severity.WARNING

    def check(self, rule: AlertRule, source: str, ast: Any) -> Iterable[Problem]:
        if rule.threshold is not None and "{{" not in rule.description:
            yield self.problem(rule, source, f"rule {rule.name}: description shows no {{{{ $value }}}} or {{{{ $labels }}}}")


RULE = DescriptionValue()
