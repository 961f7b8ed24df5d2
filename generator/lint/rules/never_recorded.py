"""promql/never-recorded: a metric duroxide declares but never records: always empty."""

from __future__ import annotations

from typing import Iterable

from generator.lint.model import BaseRule, TargetCtx
from generator.lint.rules._ast import duroxide_selectors
from generator.problems import Problem


class NeverRecorded(BaseRule):
    id = "promql/never-recorded"
    description = "No query uses a metric duroxide declares but never records."

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "promql" or ctx.ast is None:
            return
        for _, name, metric in duroxide_selectors(ctx.ast):
            if metric is not None and not metric.recorded:
                yield self.at_target(ctx, f"{name} is declared in duroxide but never recorded; the panel is always empty")


RULE = NeverRecorded()
