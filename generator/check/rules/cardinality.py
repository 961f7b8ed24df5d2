"""query/cardinality: more series than a panel can show, or grouping by an unbounded label."""

from __future__ import annotations

from typing import Iterable

from generator.catalogue import UNBOUNDED_LABELS
from generator.check.model import OnlineRule, TargetResults
from generator.problems import Problem

# Series a panel type can show legibly (a stat shows one number per series).
LIMITS = {"stat": 10, "gauge": 10, "bargauge": 30, "timeseries": 50, "table": 500}


class Cardinality(OnlineRule):
    id = "query/cardinality"
    description = "A target returns no more series than its panel can show and never splits by unbounded labels."

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        limit = LIMITS.get(tr.panel_type, 50)
        worst = max(tr.results, key=lambda r: len(r.series), default=None)
        if worst is not None and len(worst.series) > limit:
            yield self.problem(tr, f"{len(worst.series)} series in {worst.scenario}; a {tr.panel_type} panel shows about {limit} legibly")
        for result in tr.results:
            labels = {k for s in result.series for k in s.labels}
            unbounded = sorted(labels & UNBOUNDED_LABELS)
            if unbounded:
                yield self.problem(tr, f"series split by unbounded label(s) {', '.join(unbounded)}: one series per "
                                       "execution or instance, growing without limit; aggregate it away")
                return


RULE = Cardinality()
