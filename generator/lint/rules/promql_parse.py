"""promql/parse: a PromQL target must parse (after Grafana's macros are substituted)."""

from __future__ import annotations

from typing import Iterable

from generator.lint.model import BaseRule, TargetCtx
from generator.problems import Problem


class PromqlParse(BaseRule):
    id = "promql/parse"
    description = "PromQL targets parse after Grafana macros and variables are substituted."

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language == "promql" and ctx.error is not None:
            summary = getattr(ctx.error, "summary", str(ctx.error).splitlines()[0])
            yield self.at_target(ctx, f"invalid PromQL at {summary}", details=str(ctx.error))


RULE = PromqlParse()
