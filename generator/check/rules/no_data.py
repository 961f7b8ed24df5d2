"""query/no-data: a target that returns nothing in every scenario (the panel is always empty)."""

from __future__ import annotations

from typing import Iterable

from generator.check.model import OnlineRule, TargetResults
from generator.problems import Problem


class NoData(OnlineRule):
    id = "query/no-data"
    description = "A target returns data in at least one scenario (else the panel is always empty)."

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        if tr.results and all(r.empty and not r.error for r in tr.results):
            where = "any simulated scenario" if tr.has_truth else "the queried Prometheus"
            yield self.problem(tr, f"returns no data in {where}: the panel shows \"No data\"",
                               details=tr.results[0].query.text)


RULE = NoData()
