"""query/constant: a target whose value never changes in any scenario (e.g. always 1)."""

from __future__ import annotations

from typing import Iterable

from generator.check.evaluate import values
from generator.check.model import OnlineRule, TargetResults
from generator.problems import Problem, Severity


class Constant(OnlineRule):
    id = "query/constant"
    description = "A target's value changes in some scenario (a constant panel tells nothing)."
    severity = Severity.WARNING

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        seen = [v for r in tr.results for v in values(r)]
        with_data = sum(1 for r in tr.results if not r.empty)
        if len(seen) > 10 and with_data >= 2 and len(set(seen)) == 1:
            yield self.problem(tr, f"always {seen[0]:g} in every scenario ({with_data} with data): "
                                   "the panel cannot show a change")


RULE = Constant()
