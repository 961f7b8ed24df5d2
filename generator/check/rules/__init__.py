"""Online check rules, one module per rule id `query/<name>`; RULES is the registry."""

from __future__ import annotations

from generator.check.model import OnlineRule
from generator.check.rules import cardinality, constant, double_count, no_data, ranges, slow, truth

RULES: tuple[OnlineRule, ...] = (
    no_data.NO_DATA, no_data.ERROR, no_data.IN_SCENARIO, constant.RULE, truth.RULE,
    double_count.RULE, ranges.RULE, cardinality.RULE, slow.RULE,
)
