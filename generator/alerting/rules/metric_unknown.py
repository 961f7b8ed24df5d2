"""alert/metric-unknown: a PromQL rule reads a duroxide_ metric duroxide does not export."""

from __future__ import annotations

from typing import Any, Iterable

from generator.alerting.model import AlertRule
from generator.alerting.rules.base import AlertCheck
from generator.catalogue import lookup
from generator.parsers import promql
from generator.problems import Problem


class MetricUnknown(AlertCheck):
    id = "alert/metric-unknown"
    description = "Every duroxide_ metric a rule reads is one duroxide exports (the catalogue)."

    def check(self, rule: AlertRule, source: str, ast: Any) -> Iterable[Problem]:
        if rule.language != "promql":
            return
        for selector in promql.selectors(ast):
            name = promql.metric_name(selector) or ""
            if name.startswith("duroxide_") and lookup(name) is None:
                yield self.problem(rule, source, f"rule {rule.name} uses {name}, which duroxide does not export")


RULE = MetricUnknown()
