"""alert/never-recorded: a PromQL rule reads a metric duroxide declares but never records."""

from __future__ import annotations

from typing import Any, Iterable

from generator.alerting.model import AlertRule
from generator.alerting.rules.base import AlertCheck
from generator.catalogue import lookup
from generator.parsers import promql
from generator.problems import Problem


class NeverRecorded(AlertCheck):
    id = "alert/never-recorded"
    description = "No rule reads a metric duroxide never records (such a rule can never fire)."

    def check(self, rule: AlertRule, source: str, ast: Any) -> Iterable[Problem]:
        if rule.language != "promql":
            return
        for selector in promql.selectors(ast):
            name = promql.metric_name(selector) or ""
            metric = lookup(name)
            if metric is not None and not metric.recorded:
                yield self.problem(rule, source,
                                   f"rule {rule.name} uses {name}, which duroxide never records: it can never fire")


RULE = NeverRecorded()
