"""query/no-data, query/error and query/no-data-in-scenario: panels that cannot show data."""

from __future__ import annotations

from typing import Iterable

from generator.check.expectations import must_show
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


class NoData(OnlineRule):
    id = "query/no-data"
    description = "A target returns data in at least one scenario (else the panel is always empty)."

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        if tr.results and all(r.empty and not r.error for r in tr.results):
            where = "any simulated scenario" if tr.has_truth else "the queried Prometheus"
            yield self.problem(tr, f"returns no data in {where}: the panel shows \"No data\"",
                               details=tr.results[0].query.text)


class NoDataInScenario(OnlineRule):
    id = "query/no-data-in-scenario"
    description = "A panel that measures something shows data in the scenarios where that thing exists."
    needs_truth = True

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        if tr.measure is None or all(r.empty for r in tr.results):
            return  # wholly empty is query/no-data's finding
        for result in tr.results:
            run = tr.runs.get(result.scenario)
            if result.empty and not result.error and run and must_show(tr.measure.name, run.spec.faults):
                yield self.problem(tr, f"no data in scenario {result.scenario}, where "
                                       f"{tr.measure.description} is not empty")


NO_DATA = NoData()
ERROR = QueryError()
IN_SCENARIO = NoDataInScenario()
