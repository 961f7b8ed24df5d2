"""promql/label-value: a label value duroxide never emits (e.g. retry_attempt="1")."""

from __future__ import annotations

from typing import Iterable

from generator.catalogue import E2_SUMMARY_QUANTILES
from generator.lint.model import BaseRule, TargetCtx
from generator.lint.rules._ast import duroxide_selectors, literal_alternatives
from generator.problems import Problem


class LabelValue(BaseRule):
    id = "promql/label-value"
    description = "Equality matchers use label values duroxide can emit."

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "promql" or ctx.ast is None:
            return
        for selector, name, metric in duroxide_selectors(ctx.ast):
            if metric is None:
                continue
            for matcher in selector.matchers:
                allowed = (E2_SUMMARY_QUANTILES if matcher.label == "quantile"
                           else metric.values.get(matcher.label))
                if not allowed or matcher.op not in ("=", "=~") or "$" in matcher.value:
                    continue
                values = [matcher.value] if matcher.op == "=" else literal_alternatives(matcher.value)
                for value in values or []:
                    if value and value not in allowed:
                        yield self.at_target(
                            ctx, f'{name}{{{matcher.label}="{value}"}} never exists: duroxide emits '
                                 f"{matcher.label} in ({', '.join(allowed)})")


RULE = LabelValue()
