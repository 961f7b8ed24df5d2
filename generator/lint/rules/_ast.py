"""PromQL AST questions several rules ask (what metric, is it a counter, is it guarded)."""

from __future__ import annotations

import re
from typing import Any, Iterator

from generator.catalogue import Metric, MetricType, lookup, series_kind
from generator.parsers import promql as p

RATE_FUNCS = frozenset({"rate", "irate", "increase"})
COUNTER_FUNCS = RATE_FUNCS | frozenset({"resets"})
GAUGE_FUNCS = frozenset({"delta", "idelta", "deriv", "predict_linear"})
# Labels that every scraped series has, whatever the metric.
TARGET_LABELS = frozenset({"job", "instance", "exported_job", "service_name", "__name__",
                           "exported_instance", "otel_scope_name",
                           # the target labels Toygres' scrape configs add (local and AKS)
                           "service", "component"})


def unwrap(node: Any) -> Any:
    while isinstance(node, p.Paren):
        node = node.expr
    return node


def duroxide_selectors(ast: Any) -> Iterator[tuple[p.VectorSelector, str, Metric | None]]:
    """(selector, series name, catalogue entry) for every duroxide_* selector."""
    for selector in p.selectors(ast):
        name = p.metric_name(selector)
        if name and name.startswith("duroxide_"):
            yield selector, name, lookup(name)


def is_counter_series(name: str) -> bool:
    return series_kind(name) is MetricType.COUNTER


def matches_empty(matcher: p.Matcher) -> bool:
    """Whether a matcher accepts series that lack the label (value "")."""
    if matcher.op == "=":
        return matcher.value == ""
    if matcher.op == "!=":
        return matcher.value != ""
    try:
        hit = re.fullmatch(matcher.value, "") is not None
    except re.error:
        return True
    return hit if matcher.op == "=~" else not hit


def literal_alternatives(value: str) -> list[str] | None:
    """`a|b|c` as a list when the regex is plain alternation of literals, else None."""
    if re.search(r"[\\^$.*+?()\[\]{}]", value):
        return None
    return value.split("|")
