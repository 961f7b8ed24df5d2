"""query/rate-on-gauge: rate()/irate()/increase() over a metric the queried Prometheus itself says
is a gauge (its scrape targets' `# TYPE`, from /api/v1/metadata): for metrics outside the duroxide
catalogue, which the offline promql/rate-non-counter rule cannot know."""

from __future__ import annotations

from typing import Iterable

from generator.catalogue import series_kind
from generator.check.model import OnlineRule, TargetResults
from generator.lint.rules._ast import COUNTER_FUNCS, unwrap
from generator.parsers import promql as p
from generator.problems import Problem


class RateOnGauge(OnlineRule):
    id = "query/rate-on-gauge"
    description = ("rate/irate/increase only over counters, by the metric types the queried Prometheus "
                   "reports (metrics outside the duroxide catalogue).")

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        if tr.client is None or tr.target.ast is None:
            return
        types = tr.client.metric_types()
        if not types:
            return  # backfilled data (the simulation) carries no metadata
        for node in p.walk(tr.target.ast):
            if not isinstance(node, p.Call) or node.func not in COUNTER_FUNCS or not node.args:
                continue
            arg = unwrap(node.args[0])
            if not isinstance(arg, p.MatrixSelector):
                continue
            name = p.metric_name(arg.vector) or ""
            if not name or series_kind(name) is not None:
                continue  # unnamed, or in the catalogue (promql/rate-non-counter covers it)
            if types.get(name) == {"gauge"}:
                yield self.problem(tr, f"{node.func}() on {name}, which Prometheus reports as a gauge: "
                                       "use the gauge directly (or deriv/delta)")


RULE = RateOnGauge()
