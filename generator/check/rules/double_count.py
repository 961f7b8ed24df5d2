"""query/double-count: a sum that doubles the truth because of E2's duplicate series.

Two ways to see it: a panel that declares a measure reads ~2x the truth; or, for any panel,
the same query with the `label!=""` guard added returns about half.
"""

from __future__ import annotations

import re
import statistics
from typing import Iterable

from generator.catalogue import E2_DUPLICATES
from generator.check.evaluate import Result, by_time
from generator.check.model import OnlineRule, TargetResults
from generator.check.compare import is_double
from generator.check.rules.truth import verdicts
from generator.problems import Problem


def guarded(query: str) -> str:
    """The query with `<label>!=""` added to every selector of an E2-duplicated metric."""
    for metric, label in E2_DUPLICATES.items():
        guard = f'{label}!=""'
        query = re.sub(rf"\b{metric}\{{", f"{metric}{{{guard}, ", query)
        query = re.sub(rf"\b{metric}\b(?!\{{|\s*\{{|, )", f"{metric}{{{guard}}}", query)
    return query


class DoubleCount(OnlineRule):
    id = "query/double-count"
    description = "Sums over duroxide metrics with E2 duplicate series do not count twice."

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        found = verdicts(tr)
        for result in tr.results:
            if result.scenario in found:
                if is_double(found[result.scenario]):
                    yield self.problem(tr, f"reads about twice the truth ({tr.measure.description}) in "
                                           f"{result.scenario}: duroxide E2 records each event twice; add "
                                           "activity_name!=\"\" / orchestration_name!=\"\"")
                    return
            ratio = self._guard_ratio(tr, result)
            if ratio is not None and 1.8 <= ratio <= 2.2:
                yield self.problem(tr, f"returns {ratio:.2f}x what the same query returns with the E2 guard in "
                                       f"{result.scenario}: it counts duroxide's duplicate series twice")
                return

    def _guard_ratio(self, tr: TargetResults, result: Result) -> float | None:
        client = tr.client
        if client is None or result.empty or not any(m in result.query.text for m in E2_DUPLICATES):
            return None
        window = tr.windows.get(result.scenario)
        if window is None:
            return None
        text = guarded(result.query.text)
        if text == result.query.text:
            return None
        try:
            other = client.query_range(text, window.start, window.end, window.interval)
        except Exception:  # noqa: BLE001 - a failed comparison proves nothing either way
            return None
        mine, theirs = by_time(result.series), by_time(other)
        ratios = [mine[t] / theirs[t] for t in mine if theirs.get(t)]
        return statistics.median(ratios) if ratios else None


RULE = DoubleCount()
