"""promql/rate-non-counter: rate/increase only make sense on counters."""

from __future__ import annotations

from typing import Iterable

from generator.catalogue import MetricType, series_kind
from generator.lint.model import BaseRule, TargetCtx
from generator.lint.rules._ast import COUNTER_FUNCS, GAUGE_FUNCS, unwrap
from generator.parsers import promql as p
from generator.problems import Problem, Severity


class RateNonCounter(BaseRule):
    id = "promql/rate-non-counter"
    description = "rate/irate/increase are applied to counters only; delta/deriv to gauges only."

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "promql" or ctx.ast is None:
            return
        for node in p.walk(ctx.ast):
            if not isinstance(node, p.Call) or not node.args:
                continue
            arg = unwrap(node.args[0])
            if not isinstance(arg, p.MatrixSelector):
                continue
            name = p.metric_name(arg.vector) or ""
            kind = series_kind(name)
            if kind is None:
                continue
            is_gauge = kind is MetricType.GAUGE
            if node.func in COUNTER_FUNCS and is_gauge:
                yield self.at_target(ctx, f"{node.func}() on gauge {name}: use the gauge directly (or deriv/delta)")
            elif node.func in GAUGE_FUNCS and not is_gauge:
                yield self.at_target(ctx, f"{node.func}() on counter {name}: use rate() or increase(), which handle resets",
                                     Severity.WARNING)


RULE = RateNonCounter()
