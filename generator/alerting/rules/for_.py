"""alert/for: a rule on a noisy signal (ratios, latencies) waits a `for` before it fires."""

from __future__ import annotations

from typing import Any, Iterable

from generator.alerting.model import AlertRule
from generator.alerting.render import duration_seconds
from generator.alerting.rules.base import AlertCheck
from generator.problems import Problem


class For(AlertCheck):
    id = "alert/for"
    description = "A rule on a noisy signal has a `for`, so one blip does not page."

    def check(self, rule: AlertRule, source: str, ast: Any) -> Iterable[Problem]:
        if rule.noisy and duration_seconds(rule.for_) == 0:
            yield self.problem(rule, source, f"rule {rule.name} is on a noisy signal but fires without `for`: one blip pages")


RULE = For()
