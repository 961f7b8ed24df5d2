"""dashboard/variable-format: `${var:format}` uses a format Grafana knows."""

from __future__ import annotations

from typing import Iterable

from generator.lint.model import BaseRule, TargetCtx
from generator.problems import Problem


class VariableFormat(BaseRule):
    id = "dashboard/variable-format"
    description = "Queries format variables only with formats Grafana knows (${var:regex}, ${var:pipe}, ...)."

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.format_error:
            yield self.at_target(ctx, f"{ctx.format_error}; the query was not checked further")


RULE = VariableFormat()
