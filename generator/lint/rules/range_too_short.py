"""promql/range-too-short: a range window under two scrape intervals shows "No data"."""

from __future__ import annotations

from typing import Iterable

from generator.lint.model import BaseRule, TargetCtx
from generator.parsers import promql as p
from generator.problems import Problem


class RangeTooShort(BaseRule):
    id = "promql/range-too-short"
    description = "Range selectors span at least two scrape intervals (use $__rate_interval)."

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "promql" or ctx.ast is None:
            return
        scrape = ctx.panel.dashboard.config.scrape_interval_seconds
        for node in p.walk(ctx.ast):
            if isinstance(node, p.MatrixSelector) and node.range_seconds < 2 * scrape:
                yield self.at_target(
                    ctx, f"range [{node.range_text}] in the substituted query is shorter than two scrape intervals ({2 * scrape}s): rate() needs two samples; use $__rate_interval")


RULE = RangeTooShort()
