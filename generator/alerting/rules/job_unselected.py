"""alert/job-unselected: an alert's duroxide_* selector that does not pin the scrape job.

The alert twin of promql/job-unselected: on AKS every series is scraped twice (job="toygres"
and job="kubernetes-pods"), so a rule without the job fires on double the truth.
"""

from __future__ import annotations

from typing import Any, Iterable

from generator.alerting.model import AlertRule
from generator.alerting.rules.base import AlertCheck
from generator.lint.rules.job_unselected import unselected
from generator.problems import Problem

# E2 scrapes carry job; E1's collector moves the app's job to exported_job.
JOB_LABELS = ("job", "exported_job")


class JobUnselected(AlertCheck):
    id = "alert/job-unselected"
    description = "Every duroxide_* selector in a rule selects one scrape job (AKS scrapes each series twice)."

    def check(self, rule: AlertRule, source: str, ast: Any) -> Iterable[Problem]:
        if rule.language != "promql":
            return
        for name in unselected(ast, JOB_LABELS):
            yield self.problem(rule, source, f'rule {rule.name} reads {name} without selecting one job: on AKS every '
                                             'series is scraped twice, so it would fire on double the truth')


RULE = JobUnselected()
