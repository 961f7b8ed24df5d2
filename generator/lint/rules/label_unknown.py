"""promql/label-unknown: a matcher or grouping on a label the metric does not have."""

from __future__ import annotations

from typing import Iterable

from generator.catalogue import series_labels
from generator.lint.model import BaseRule, TargetCtx
from generator.lint.rules._ast import TARGET_LABELS, duroxide_selectors
from generator.problems import Problem


class LabelUnknown(BaseRule):
    id = "promql/label-unknown"
    description = "Label matchers name labels the duroxide metric carries (in some era)."

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "promql" or ctx.ast is None:
            return
        config = ctx.panel.dashboard.config
        for selector, name, metric in duroxide_selectors(ctx.ast):
            if metric is None:
                continue
            known = set(series_labels(name, metric)) | TARGET_LABELS | {config.job_label}
            for matcher in selector.matchers:
                if matcher.label not in known:
                    have = ", ".join(sorted(metric.all_labels())) or "no labels of its own"
                    yield self.at_target(ctx, f"{name} has no label {matcher.label!r} (it has {have}); the selector matches nothing")


RULE = LabelUnknown()
