"""promql/raw-counter: a cumulative counter used in arithmetic or a comparison without rate.

The classic: `starts_total - completions_total` as an "active" count. Both are cumulative,
reset on restart and count turns and continue-as-new; the difference means nothing.
"""

from __future__ import annotations

from typing import Any, Iterable

from generator.lint.model import BaseRule, TargetCtx
from generator.lint.rules._ast import is_counter_series, unwrap
from generator.parsers import promql as p
from generator.problems import Problem

# Aggregations that keep a raw counter raw (sum of counters is still a cumulative counter).
PASS_THROUGH = frozenset({"sum", "max", "min", "avg", "topk", "bottomk", "count_values", "quantile"})
ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<="})


def raw_counter_in(node: Any) -> str | None:
    """The counter's name when this operand is a bare (possibly aggregated) counter selector."""
    node = unwrap(node)
    while isinstance(node, p.Aggregation) and node.op in PASS_THROUGH:
        node = unwrap(node.expr)
    if isinstance(node, p.VectorSelector):
        name = p.metric_name(node) or ""
        if is_counter_series(name):
            return name
    return None


class RawCounter(BaseRule):
    id = "promql/raw-counter"
    description = "Counters in arithmetic or comparisons are wrapped in rate() or increase()."

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "promql" or ctx.ast is None:
            return
        for node in p.walk(ctx.ast):
            if not isinstance(node, p.Binary) or node.op not in ARITHMETIC:
                continue
            for side in (node.lhs, node.rhs):
                name = raw_counter_in(side)
                if name:
                    yield self.at_target(
                        ctx, f"raw counter {name} used with `{node.op}`: counters are cumulative and reset on restart; use rate() or increase() (and never starts minus completions as an active count)")


RULE = RawCounter()
