"""promql/metric-unknown: a duroxide_* metric that duroxide does not export (never existed)."""

from __future__ import annotations

from typing import Iterable

from generator.catalogue import never_existed_hint
from generator.lint.model import BaseRule, TargetCtx
from generator.lint.rules._ast import duroxide_selectors
from generator.problems import Problem


class MetricUnknown(BaseRule):
    id = "promql/metric-unknown"
    description = "Every duroxide_* metric a query names exists in the metric catalogue."

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "promql" or ctx.ast is None:
            return
        for _, name, metric in duroxide_selectors(ctx.ast):
            if metric is None:
                hint = never_existed_hint(name)
                suffix = f" ({hint})" if hint else ""
                yield self.at_target(ctx, f"metric {name} does not exist in duroxide{suffix}; the panel can never show data")


RULE = MetricUnknown()
