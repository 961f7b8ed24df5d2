"""The LogQL evaluator: Loki's (t - range, t] windows, stream selection, line filters, sums and
comparisons, and a clear refusal of shapes it does not implement."""

from __future__ import annotations

import pytest

from generator.proof.logql_eval import LogEntry, LogQLEvaluator, UnsupportedQuery, evaluate_logql
from generator.parsers import parse_logql

ERR = (("job", "toygres"), ("level", "error"), ("source", "server"))
WARN = (("job", "toygres"), ("level", "warn"), ("source", "server"))
ENTRIES = [
    LogEntry(ERR, 10.0, "2024-11-26T00:00:10Z ERROR duroxide::runtime: worker: atomic ack failed"),
    LogEntry(ERR, 60.0, "2024-11-26T00:01:00Z ERROR duroxide::runtime: worker: atomic ack failed"),
    LogEntry(ERR, 61.0, "2024-11-26T00:01:01Z ERROR duroxide::runtime: Activity failed (configuration error)"),
    LogEntry(WARN, 30.0, "2024-11-26T00:00:30Z  WARN duroxide::runtime: Activity failed (application error)"),
]


@pytest.mark.parametrize("query, t, expected", [
    ('sum(count_over_time({job="toygres", level="error"} [1m]))', 60.0, {(): 2.0}),
    ('sum(count_over_time({job="toygres", level="error"} [1m]))', 70.0, {(): 2.0}),
    ('sum(count_over_time({job="toygres"} [2m]))', 61.0, {(): 4.0}),
    ('sum by (level) (count_over_time({job="toygres"} [2m]))', 61.0,
     {(("level", "error"),): 3.0, (("level", "warn"),): 1.0}),
    ('sum(count_over_time({job="toygres"} |= "ack failed" [2m]))', 61.0, {(): 2.0}),
    ('sum(count_over_time({job="toygres"} !~ "ack|application" [2m]))', 61.0, {(): 1.0}),
    ('sum(count_over_time({job="toygres", level="error"} [1m])) > 1', 70.0, {(): 2.0}),
    ('sum(count_over_time({job="toygres", level="error"} [1m])) > 2', 70.0, {}),
    ('sum(count_over_time({job="nope"} [1m]))', 70.0, {}),
    ('sum(rate({job="toygres", level="error"} [1m]))', 70.0, {(): 2 / 60}),
], ids=["window-includes-its-end", "window-excludes-its-start", "all-streams", "sum-by-level", "line-filter",
        "negative-regex-filter", "comparison-keeps", "comparison-drops", "no-stream-no-series", "rate"])
def test_instant_results(query: str, t: float, expected: dict) -> None:
    assert LogQLEvaluator(ENTRIES).instant(parse_logql(query), t) == pytest.approx(expected)


@pytest.mark.parametrize("query", [
    'sum(count_over_time({job="toygres"} | logfmt [1m]))',
    'topk(1, count_over_time({job="toygres"} [1m]))',
    'sum(bytes_over_time({job="toygres"} [1m]))',
    'sum(count_over_time({job="toygres"} [1m])) / 2',
], ids=["parser-stage", "topk", "bytes-over-time", "arithmetic"])
def test_unsupported_shapes_are_refused(query: str) -> None:
    with pytest.raises(UnsupportedQuery):
        LogQLEvaluator(ENTRIES).instant(parse_logql(query), 61.0)


def test_rule_over_a_window_uses_for() -> None:
    expr = parse_logql('sum(count_over_time({job="toygres", level="error"} [1m])) > 0')
    timeline = evaluate_logql(LogQLEvaluator(ENTRIES), "R", expr, 60, 0, 180, 60)
    (firing,) = timeline.firings
    assert (firing.active_at, firing.fired_at, firing.resolved_at) == (60, 120, 180)
    assert timeline.evaluated_by.startswith("logql-evaluator")
