"""query/error: Prometheus rejects the query (after Grafana's macros are expanded)."""

from __future__ import annotations

from typing import Iterable

from generator.check.model import OnlineRule, TargetResults
from generator.problems import Problem


class QueryError(OnlineRule):
    id = "query/error"
    description = "Prometheus accepts the query (after Grafana's macros are expanded)."

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        for result in tr.results:
            if result.error:
                yield self.problem(tr, f"Prometheus rejected the query in {result.scenario}: {result.error}",
                                   details=result.query.text)
                return


RULE = QueryError()
