"""Online check rules, one module per rule id `query/<name>`; RULES is the registry (in the
order they run), listed by `dashgen check --list-rules` and documented in docs/check.md."""

from __future__ import annotations

from generator.check.model import OnlineRule
from generator.check.rules import (cardinality, constant, double_count, error, rate_on_gauge, no_data,
                                   no_data_in_scenario, ranges, slow, truth)

RULES: tuple[OnlineRule, ...] = (
    no_data.RULE, error.RULE, no_data_in_scenario.RULE, constant.RULE, truth.RULE,
    double_count.RULE, ranges.RULE, cardinality.RULE, slow.RULE, rate_on_gauge.RULE,
)
