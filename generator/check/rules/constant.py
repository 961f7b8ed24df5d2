"""query/constant: a target whose value never changes: a warning in general, an error for a panel
declaring a rate, ratio or quantile whose truth varies, in what the query can see, in a scenario
where the panel stays constant (a gauge's constant is held to the truth by query/truth)."""

from __future__ import annotations

from typing import Iterable

from generator.check.compare import truth_values
from generator.check.evaluate import values
from generator.check.expectations import known_deviation
from generator.check.model import OnlineRule, TargetResults
from generator.problems import Problem, Severity

MIN_POINTS = 10


class Constant(OnlineRule):
    id = "query/constant"
    description = ("A target's value changes: never constant where what it measures varies "
                   "(error), nor in every scenario (warning).")
    severity = Severity.WARNING

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        # A gauge may legitimately stay constant while the truth flickers between its polls:
        # query/truth already holds every instant to the extremes a poll could have read.
        if tr.measure is not None and tr.runs and tr.measure.kind != "gauge":
            for result in tr.results:
                seen = {round(v, 9) for v in values(result)}
                run, window = tr.runs.get(result.scenario), tr.windows.get(result.scenario)
                if len(values(result)) < MIN_POINTS or len(seen) != 1 or run is None or window is None:
                    continue
                truth = truth_values(tr.measure, run, window)
                if truth and max(truth) - min(truth) > 1e-9:
                    message = (f"always {next(iter(seen)):g} in {result.scenario}, where the truth "
                               f"({tr.measure.description}) varies from {min(truth):.4g} to {max(truth):.4g}: "
                               "the panel cannot show it")
                    known = known_deviation(tr.measure.name, run.spec.faults, run.era)
                    if known:
                        yield self.problem(tr, f"{message}; known duroxide limitation: {known}")
                        continue
                    yield self.problem(tr, message, Severity.ERROR)
                    return
        seen_all = [v for r in tr.results for v in values(r)]
        with_data = sum(1 for r in tr.results if not r.empty)
        if len(seen_all) > MIN_POINTS and with_data >= 2 and len(set(seen_all)) == 1:
            yield self.problem(tr, f"always {seen_all[0]:g} in every scenario ({with_data} with data): "
                                   "the panel cannot show a change")


RULE = Constant()
