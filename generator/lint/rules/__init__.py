"""The lint rules, each in its own module with an id `scope/name`; RULES is the registry."""

from __future__ import annotations

from generator.lint.model import BaseRule
from generator.lint.rules import (
    dashboard_uid, datasource, e2_double_count, histogram_era, histogram_quantile, job_unselected, label_unknown,
    label_value, log_field_unknown, log_message_unknown, logql_parse, metric_unknown, never_recorded,
    panel_description, panel_unit, promql_parse, range_too_short, rate_non_counter, raw_counter, undefined_variable,
    unused_variable, variable_format,
)

RULES: tuple[BaseRule, ...] = (
    promql_parse.RULE,
    logql_parse.RULE,
    log_field_unknown.RULE,
    log_message_unknown.RULE,
    metric_unknown.RULE,
    never_recorded.RULE,
    label_unknown.RULE,
    label_value.RULE,
    histogram_quantile.RULE,
    histogram_era.RULE,
    rate_non_counter.RULE,
    raw_counter.RULE,
    range_too_short.RULE,
    e2_double_count.RULE,
    job_unselected.RULE,
    dashboard_uid.RULE,
    datasource.RULE,
    unused_variable.RULE,
    undefined_variable.RULE,
    variable_format.RULE,
    panel_unit.RULE,
    panel_description.RULE,
)
