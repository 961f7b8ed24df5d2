"""promql/range-too-short: a window under two scrape intervals shows "No data" in the functions
that need two samples (rate, increase, delta, deriv, ...); `*_over_time` works on one."""

from __future__ import annotations

from typing import Iterable

from generator.lint.model import BaseRule, TargetCtx
from generator.parsers import promql as p
from generator.problems import Problem

# Functions that need at least two samples in their window to return anything.
TWO_SAMPLES = frozenset({"rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear", "resets",
                         "changes"})


class RangeTooShort(BaseRule):
    id = "promql/range-too-short"
    description = "Range selectors span at least two scrape intervals (use $__rate_interval)."

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "promql" or ctx.ast is None:
            return
        # Toygres' scrape interval for its own dashboards; with --portable the panel's min
        # interval, else Grafana's default of 15 s.
        scrape = ctx.scrape_seconds
        for node in p.walk(ctx.ast):
            if not isinstance(node, p.Call) or node.func not in TWO_SAMPLES or not node.args:
                continue
            arg = node.args[0]
            while isinstance(arg, p.Paren):
                arg = arg.expr
            if isinstance(arg, p.MatrixSelector) and arg.range_seconds < 2 * scrape:
                yield self.at_target(
                    ctx, f"range [{arg.range_text}] in the substituted query is shorter than two scrape intervals "
                         f"({2 * scrape:g}s): {node.func}() needs two samples; use $__rate_interval")


RULE = RangeTooShort()
