"""Alert definition checks, one module per rule id `alert/<name>`; RULES is the registry, run by
`dashgen build`, listed by `dashgen lint --list-rules` and documented in docs/lint.md."""

from __future__ import annotations

from generator.alerting.rules import (description, description_value, for_, job_unselected, metric_unknown,
                                      never_recorded, runbook, summary)
from generator.alerting.rules.base import AlertCheck

RULES: tuple[AlertCheck, ...] = (
    summary.RULE, description.RULE, runbook.RULE, description_value.RULE, for_.RULE, metric_unknown.RULE,
    never_recorded.RULE, job_unselected.RULE,
)
