"""promql/histogram-quantile-le: histogram_quantile must see buckets summed by `le`."""

from __future__ import annotations

from typing import Iterable

from generator.lint.model import BaseRule, TargetCtx
from generator.lint.rules._ast import unwrap
from generator.parsers import promql as p
from generator.problems import Problem


class HistogramQuantileLe(BaseRule):
    id = "promql/histogram-quantile-le"
    description = "histogram_quantile aggregates buckets with `sum by (le, ...)` first."

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "promql" or ctx.ast is None:
            return
        for node in p.walk(ctx.ast):
            if not isinstance(node, p.Call) or node.func != "histogram_quantile" or len(node.args) < 2:
                continue
            inner = unwrap(node.args[1])
            if isinstance(inner, p.Aggregation):
                keeps_le = ("le" not in inner.grouping) if inner.without else ("le" in inner.grouping)
                if keeps_le:
                    continue
                yield self.at_target(ctx, f"histogram_quantile over {inner.op}() that drops `le`: the buckets are gone; use sum by (le, ...)")
            else:
                yield self.at_target(ctx, "histogram_quantile over raw bucket series gives one quantile per series (per replica, per label set); aggregate with sum by (le, ...) first")


RULE = HistogramQuantileLe()
