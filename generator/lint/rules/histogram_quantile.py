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
            if not _classic_buckets(inner):
                continue  # a native histogram (no _bucket series, no `le`): quantiles need no grouping
            if isinstance(inner, p.Aggregation):
                keeps_le = ("le" not in inner.grouping) if inner.without else ("le" in inner.grouping)
                if keeps_le:
                    continue
                yield self.at_target(ctx, f"histogram_quantile over {inner.op}() that drops `le`: the buckets are gone; use sum by (le, ...)")
            else:
                yield self.at_target(ctx, "histogram_quantile over raw bucket series gives one quantile per series (per replica, per label set); aggregate with sum by (le, ...) first")


def _classic_buckets(node: object) -> bool:
    """Whether the expression reads classic `_bucket` series (else a native histogram)."""
    return any((p.metric_name(s) or "").endswith("_bucket") or "_bucket:" in (p.metric_name(s) or "")
               for s in p.selectors(node))


RULE = HistogramQuantileLe()
