"""promql/job-unselected: every duroxide_* selector selects one scrape job.

On AKS Toygres is scraped twice: job="toygres" (the service) and job="kubernetes-pods" (the
annotated pod), so every series exists twice with the same value. A selector that does not
pin the job (`job="toygres"`, or `job=~"$job"` with the variable on one value) reads double:
sums and rates twice the truth, and max/min hide nothing. Always on for this project's
dashboards (they are deployed to AKS unchanged); `--portable` skips it.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from generator.lint.model import BaseRule, TargetCtx
from generator.lint.rules._ast import duroxide_selectors
from generator.parsers import promql as p
from generator.problems import Problem

# A regex that is one literal value (no alternation, no wildcard) selects exactly one job.
_REGEX_META = re.compile(r"[\\^$.*+?()\[\]{}|]")


def selects_one_job(selector: p.VectorSelector, labels: Iterable[str]) -> bool:
    """Whether a selector pins one of `labels` (job, or E1's exported_job) to a single value."""
    wanted = frozenset(labels)
    for matcher in selector.matchers:
        if matcher.label not in wanted or not matcher.value:
            continue
        if matcher.op == "=" or (matcher.op == "=~" and not _REGEX_META.search(matcher.value)):
            return True
    return False


def unselected(ast: Any, labels: Iterable[str]) -> list[str]:
    """Names of the duroxide_* selectors in `ast` that do not pin the job."""
    labels = tuple(labels)
    return sorted({name for selector, name, _ in duroxide_selectors(ast) if not selects_one_job(selector, labels)})


class JobUnselected(BaseRule):
    id = "promql/job-unselected"
    description = "Every duroxide_* selector selects one scrape job (AKS scrapes each series twice)."

    def check_target(self, ctx: TargetCtx) -> Iterable[Problem]:
        if ctx.language != "promql" or ctx.ast is None:
            return
        label = ctx.panel.dashboard.config.job_label
        for name in unselected(ctx.ast, (label,)):
            yield self.at_target(
                ctx, f'{name} does not select one job ({label}="..." or {label}=~"$job" on one value): on AKS '
                     'every series is scraped twice (job="toygres" and job="kubernetes-pods"), so this reads double')


RULE = JobUnselected()
