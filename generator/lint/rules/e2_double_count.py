"""promql/e2-double-count: sums over metrics that E2 records twice need the `!=""` guard.

duroxide >= 0.1.15 also increments activity_executions_total with only `outcome`, and
failures_total without orchestration_name: a sum without `activity_name!=""` counts twice.
"""

from __future__ import annotations

from typing import Iterable

from generator.catalogue import E2_DUPLICATES
from generator.lint.model import BaseRule, TargetCtx
from generator.lint.rules._ast import matches_empty
from generator.parsers import promql as p
from generator.problems import Problem

AGGREGATIONS = frozenset({"sum", "count", "avg"})


class E2DoubleCount(BaseRule):
    id = "promql/e2-double-count"
    description = 'Aggregations over E2-duplicated metrics exclude the copy with label!="".'

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "promql" or ctx.ast is None:
            return
        for node in p.walk(ctx.ast):
            if not isinstance(node, p.Aggregation) or node.op not in AGGREGATIONS:
                continue
            for selector in p.selectors(node.expr):
                name = (p.metric_name(selector) or "").removesuffix("_bucket").removesuffix("_count").removesuffix("_sum")
                label = E2_DUPLICATES.get(name)
                if not label:
                    continue
                grouped = (label not in node.grouping) if node.without else (label in node.grouping)
                guarded = any(m.label == label and not matches_empty(m) for m in selector.matchers)
                if not guarded and not grouped:
                    yield self.at_target(
                        ctx, f'{node.op}() over {name} without {label}!="": duroxide E2 records a second series without {label}, so this counts twice')


RULE = E2DoubleCount()
