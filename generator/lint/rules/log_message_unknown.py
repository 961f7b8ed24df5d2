"""logql/message-unknown: a line filter looks for message text no duroxide event writes."""

from __future__ import annotations

import re
from typing import Iterable

from generator.log_catalogue import EVENTS
from generator.lint.model import BaseRule, TargetCtx
from generator.lint.rules import _log_lines
from generator.parsers.logql_ast import LineFilter
from generator.problems import Problem, Severity

# Message-like text: a capitalised word followed by more words ("Activity cancelled").
_MESSAGE = re.compile(r"^[A-Z][a-z]+(?: [\w()'-]+)+$")


class LogMessageUnknown(BaseRule):
    id = "logql/message-unknown"
    severity = Severity.WARNING
    description = ("A `|=` filter on message-like text matches some duroxide event's line (application "
                   "traces can write anything, hence a warning).")

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "logql" or ctx.ast is None or ctx.panel.dashboard.portable:
            return
        lines = [line for _, line in _log_lines.sample_lines()]
        # Templated messages ("abandoning with {backoff}s backoff"): a fixed piece in the text.
        pieces = [p.strip() for e in EVENTS for p in e.fixed_text() if len(p.strip()) >= 8]
        for query in _log_lines.log_queries(ctx.ast):
            for stage in query.pipeline:
                if not isinstance(stage, LineFilter) or stage.op != "|=":
                    continue
                for text in (stage.value, *stage.or_values):
                    if _MESSAGE.match(text) and not any(text in line for line in lines) \
                            and not any(piece in text for piece in pieces):
                        yield self.at_target(ctx, f"no duroxide event writes {text!r} (only an application "
                                                  "trace could); the filter keeps nothing duroxide logs")


RULE = LogMessageUnknown()
