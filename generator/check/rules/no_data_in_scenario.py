"""query/no-data-in-scenario: a panel that measures something is empty in a scenario where that
thing exists (generator/check/expectations.py says which)."""

from __future__ import annotations

from typing import Iterable

from generator.check.expectations import must_show
from generator.check.model import OnlineRule, TargetResults
from generator.problems import Problem


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


RULE = NoDataInScenario()
