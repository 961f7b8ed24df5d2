"""promql/histogram-era: duroxide >= 0.1.15 (E2) exports histograms as summaries.

duroxide sets no buckets in E2 and metrics-exporter-prometheus then renders every histogram
as a summary: `metric{quantile="0.95"}` per process plus _sum/_count, and no _bucket series.
A histogram_quantile over duroxide _bucket series with no summary fallback is empty in E2.
"""

from __future__ import annotations

from typing import Iterable

from generator.catalogue import lookup
from generator.lint.model import BaseRule, TargetCtx
from generator.parsers import promql as p
from generator.problems import Problem, Severity


class HistogramEra(BaseRule):
    id = "promql/histogram-era"
    description = "Quantiles over duroxide _bucket series also read E2's summary series (or ... quantile=)."
    severity = Severity.WARNING

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "promql" or ctx.ast is None:
            return
        names = [(p.metric_name(s) or "", s) for s in p.selectors(ctx.ast)]
        summaries = {name for name, s in names if any(m.label == "quantile" for m in s.matchers)}
        for name, _ in names:
            metric = lookup(name)
            if metric is None or not name.endswith("_bucket") or metric.name in summaries:
                continue
            era_e2 = ctx.panel.dashboard.config.era == "E2"
            yield self.at_target(
                ctx, f"{name} does not exist in duroxide E2 (>= 0.1.15), which exports {metric.name} as a summary; "
                     f'add `or max by (...) ({metric.name}{{quantile="..."}})`',
                Severity.ERROR if era_e2 else Severity.WARNING)


RULE = HistogramEra()
