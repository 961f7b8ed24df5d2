"""logql/field-unknown: a LogQL query names a field no duroxide log line carries, or one the
lines it selects do not carry (`instance_id` on lines that only have `instance`)."""

from __future__ import annotations

from typing import Iterable

from generator.log_catalogue import ALL_FIELDS
from generator.lint.model import BaseRule, TargetCtx
from generator.lint.rules import _log_lines
from generator.problems import Problem


class LogFieldUnknown(BaseRule):
    id = "logql/field-unknown"
    description = ("Fields a LogQL query filters on (`name=` in a line filter) or parses and uses (label "
                   "filters, line_format, grouping, unwrap) exist on the duroxide lines it selects.")

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "logql" or ctx.ast is None or ctx.panel.dashboard.portable:
            return
        for query in _log_lines.log_queries(ctx.ast):
            events = _log_lines.candidates(query)
            for name in dict.fromkeys(_log_lines.filter_field_refs(query)):
                if name not in ALL_FIELDS:
                    yield self.at_target(ctx, f"line filter on {name + '='!r}: no duroxide log line has a field {name!r}")
            for name in dict.fromkeys(_log_lines.parsed_field_refs(ctx.ast, query)):
                if name in _log_lines.STREAM_LABELS and name not in ALL_FIELDS:
                    continue
                if name not in ALL_FIELDS:
                    yield self.at_target(ctx, f"parsed field {name!r}: no duroxide log line has a field {name!r}; "
                                              "the filter or label is always empty")
                elif events is not None and not any(name in e.field_names for e in events):
                    keys = ", ".join(e.key for e in events[:5]) or "none"
                    spelled = sorted({f for e in events for f in e.field_names if f.startswith(name.split("_")[0])})
                    hint = f" (they have {', '.join(spelled)})" if spelled else ""
                    yield self.at_target(ctx, f"parsed field {name!r}: the lines this query selects ({keys}) do not "
                                              f"carry it{hint}")


RULE = LogFieldUnknown()
