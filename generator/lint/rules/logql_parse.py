"""logql/parse: a Loki target must parse with Grafana's own LogQL grammar."""

from __future__ import annotations

from typing import Iterable

from generator.lint.model import BaseRule, TargetCtx
from generator.problems import Problem


class LogqlParse(BaseRule):
    id = "logql/parse"
    description = "LogQL targets parse with @grafana/lezer-logql after macro substitution."

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language == "logql" and ctx.error is not None:
            summary = getattr(ctx.error, "summary", str(ctx.error).splitlines()[0])
            yield self.at_target(ctx, f"invalid LogQL at {summary}", details=str(ctx.error))


RULE = LogqlParse()
