"""LogQL parsing: log and metric queries become the expected dataclass trees, invalid ones fail where Loki would."""

from __future__ import annotations

import pytest

from generator.errors import ParseError
from generator.parsers.bridge import QuerySyntaxError
from generator.parsers.logql import (
    Binary,
    Decolorize,
    Drop,
    Keep,
    LabelAssignment,
    LabelExtraction,
    LabelFilter,
    LabelFilterLogic,
    LabelFormat,
    LabelReplace,
    LineFilter,
    LineFormat,
    LogQuery,
    Matcher,
    NumberLiteral,
    Parser,
    RangeAggregation,
    VectorAggregation,
    VectorLiteral,
    log_queries,
    parse_logql,
    parse_logql_many,
    walk,
)
from generator.parsers.promql_ast import VectorMatching

JOB = (Matcher("job", "=", "toygres"),)

VALID = [
    pytest.param(
        '{job="toygres"} |= "error" | logfmt | level="error"',
        LogQuery(JOB, (LineFilter("|=", "error"), Parser("logfmt"), LabelFilter("level", "=", "error"))),
        id="filter-logfmt-label",
    ),
    pytest.param(
        'sum by (level) (count_over_time({job="toygres"} | logfmt [5m]))',
        VectorAggregation(
            "sum",
            RangeAggregation("count_over_time", LogQuery(JOB, (Parser("logfmt"),)), 300, "5m"),
            None,
            ("level",),
            False,
            True,
        ),
        id="sum-count-over-time",
    ),
    pytest.param(
        '{service_name="toygres"} | json | duration_ms > 100',
        LogQuery(
            (Matcher("service_name", "=", "toygres"),),
            (Parser("json"), LabelFilter("duration_ms", ">", 100.0, "number")),
        ),
        id="json-numeric-filter",
    ),
    pytest.param(
        '{job="toygres"} | logfmt | latency >= 1s500ms, size < 10KB',
        LogQuery(
            JOB,
            (
                Parser("logfmt"),
                LabelFilterLogic(
                    "and",
                    LabelFilter("latency", ">=", 1.5, "duration"),
                    LabelFilter("size", "<", 10_000.0, "bytes"),
                ),
            ),
        ),
        id="duration-and-bytes-filters",
    ),
    pytest.param(
        '{job="toygres"} | a="1" or b="2" and c="3"',
        LogQuery(
            JOB,
            (
                LabelFilterLogic(
                    "or",
                    LabelFilter("a", "=", "1"),
                    LabelFilterLogic("and", LabelFilter("b", "=", "2"), LabelFilter("c", "=", "3")),
                ),
            ),
        ),
        id="and-binds-tighter-than-or",
    ),
    pytest.param(
        '{job="toygres"} != "debug" |~ "time(out)?" !~ `^GET` |= "a" or "b" | addr = ip("10.0.0.0/8")',
        LogQuery(
            JOB,
            (
                LineFilter("!=", "debug"),
                LineFilter("|~", "time(out)?"),
                LineFilter("!~", "^GET"),
                LineFilter("|=", "a", ("b",)),
                LabelFilter("addr", "=", "10.0.0.0/8", "ip"),
            ),
        ),
        id="line-filters",
    ),
    pytest.param(
        '{job="toygres"} | json status="response.status", method | logfmt --strict msg'
        ' | regexp "(?P<code>\\\\d+)" | pattern "<ip> <_>" | unpack',
        LogQuery(
            JOB,
            (
                Parser("json", extractions=(LabelExtraction("status", "response.status"), LabelExtraction("method"))),
                Parser("logfmt", flags=("--strict",), extractions=(LabelExtraction("msg"),)),
                Parser("regexp", ("(?P<code>\\d+)",)),
                Parser("pattern", ("<ip> <_>",)),
                Parser("unpack"),
            ),
        ),
        id="parsers",
    ),
    pytest.param(
        '{job="toygres"} | line_format "{{.msg}}" | label_format lvl=level, who="{{.user}}"'
        ' | drop a, b="c" | keep x | decolorize',
        LogQuery(
            JOB,
            (
                LineFormat("{{.msg}}"),
                LabelFormat((LabelAssignment("lvl", "level", False), LabelAssignment("who", "{{.user}}", True))),
                Drop(("a",), (Matcher("b", "=", "c"),)),
                Keep(("x",)),
                Decolorize(),
            ),
        ),
        id="formatting-stages",
    ),
    pytest.param(
        'quantile_over_time(0.99, {job="toygres"} | logfmt | unwrap duration(latency) | __error__="" [5m]) by (pod)',
        RangeAggregation(
            "quantile_over_time",
            LogQuery(JOB, (Parser("logfmt"),)),
            300,
            "5m",
            "latency",
            "duration",
            (LabelFilter("__error__", "=", ""),),
            0.99,
            None,
            ("pod",),
            False,
            True,
        ),
        id="unwrap-quantile",
    ),
    pytest.param(
        'rate({job="toygres"}[1m] offset 1h)',
        RangeAggregation("rate", LogQuery(JOB), 60, "1m", offset_seconds=3600.0),
        id="offset",
    ),
    pytest.param(
        'bytes_rate({job="toygres"}[1m])',
        RangeAggregation("bytes_rate", LogQuery(JOB), 60, "1m"),
        id="bytes-rate",
    ),
    pytest.param(
        'topk(5, sum by (pod) (rate({job="toygres"}[1m]))) > bool 3',
        Binary(
            ">",
            VectorAggregation(
                "topk",
                VectorAggregation(
                    "sum", RangeAggregation("rate", LogQuery(JOB), 60, "1m"), None, ("pod",), False, True
                ),
                5.0,
            ),
            NumberLiteral(3),
            True,
        ),
        id="topk-bool",
    ),
    pytest.param(
        'sum(rate({job="toygres"}[1m])) / on() group_left sum(rate({job="toygres"}[1m]))',
        Binary(
            "/",
            VectorAggregation("sum", RangeAggregation("rate", LogQuery(JOB), 60, "1m")),
            VectorAggregation("sum", RangeAggregation("rate", LogQuery(JOB), 60, "1m")),
            matching=VectorMatching(True, (), "left"),
        ),
        id="vector-matching",
    ),
    # The lezer grammar reads `1 + 2 * 3` as `(1 + 2) * 3`; Loki's precedence is restored.
    pytest.param(
        "1 + 2 * 3", Binary("+", NumberLiteral(1), Binary("*", NumberLiteral(2), NumberLiteral(3))), id="mul-before-add"
    ),
    pytest.param(
        "2 ^ 3 ^ 2",
        Binary("^", NumberLiteral(2), Binary("^", NumberLiteral(3), NumberLiteral(2))),
        id="pow-right-assoc",
    ),
    pytest.param(
        "(1 + 2) * 3", Binary("*", Binary("+", NumberLiteral(1), NumberLiteral(2)), NumberLiteral(3)), id="parens"
    ),
    pytest.param("vector(1) - -1", Binary("-", VectorLiteral(1), NumberLiteral(-1)), id="vector-and-negative"),
    pytest.param(
        'label_replace(rate({job="toygres"}[1m]), "dst", "$1", "src", "(.*)")',
        LabelReplace(RangeAggregation("rate", LogQuery(JOB), 60, "1m"), "dst", "$1", "src", "(.*)"),
        id="label-replace",
    ),
    pytest.param(
        'approx_count_distinct(user, {job="toygres"}[5m])',
        RangeAggregation("approx_count_distinct", LogQuery(JOB), 300, "5m", param="user"),
        id="approx-count-distinct",
    ),
]


@pytest.mark.parametrize(("query", "expected"), VALID)
def test_valid_logql_converts_to_expected_tree(query: str, expected: object) -> None:
    assert parse_logql(query) == expected


INVALID = [
    pytest.param('{job="toygres"', "unexpected end of query", (1, 15), id="unclosed-selector"),
    pytest.param('sum(count_over_time({job="x"}[5m])', "unexpected end of query", (1, 35), id="missing-paren"),
    pytest.param('count_over_time({job="x"})', 'unexpected ")"', (1, 26), id="range-missing"),
    pytest.param('{job="x"} | logfmt |', "unexpected end of query", (1, 21), id="dangling-pipe"),
    pytest.param("", "empty query", (1, 1), id="empty"),
    pytest.param('{job=~".*"}', "at least one regexp or equality matcher", (1, 1), id="empty-compatible-selector"),
    pytest.param(
        'sum_over_time({job="x"}[1m])', "invalid aggregation sum_over_time without unwrap", (1, 1), id="needs-unwrap"
    ),
    pytest.param(
        'count_over_time({job="x"} | unwrap n [1m])',
        "invalid aggregation count_over_time with unwrap",
        (1, 1),
        id="forbids-unwrap",
    ),
    pytest.param(
        'count_over_time({job="x"}[1m]) by (pod)',
        "grouping not allowed for count_over_time",
        (1, 1),
        id="grouping-not-allowed",
    ),
    pytest.param(
        'topk(sum(rate({job="x"}[1m])))', "parameter required for operation topk", (1, 1), id="topk-without-k"
    ),
    pytest.param('1 + {job="x"}', "not log queries", (1, 3), id="log-query-in-binary"),
    pytest.param(
        "1 + bool 2", "bool modifier can only be used on comparison operators", (1, 5), id="bool-on-arithmetic"
    ),
]


@pytest.mark.parametrize(("query", "reason", "line_column"), INVALID)
def test_invalid_logql_reports_reason_and_position(query: str, reason: str, line_column: tuple[int, int]) -> None:
    with pytest.raises(ParseError) as caught:
        parse_logql(query)
    error = caught.value
    assert isinstance(error, QuerySyntaxError)
    assert reason in error.reason
    assert (error.line, error.column) == line_column


def test_log_queries_finds_every_selector_and_pipeline() -> None:
    expr = parse_logql('sum(rate({job="a"} |= "x" [1m])) / sum(rate({job="b"}[1m]))')
    found = log_queries(expr)
    assert [query.selector[0].value for query in found] == ["a", "b"]
    assert found[0].pipeline == (LineFilter("|=", "x"),)


def test_walk_reaches_the_log_query() -> None:
    expr = parse_logql('sum by (level) (count_over_time({job="toygres"} | logfmt [5m]))')
    assert [type(node).__name__ for node in walk(expr)] == ["VectorAggregation", "RangeAggregation", "LogQuery"]


def test_positions_point_into_the_query() -> None:
    query = 'count_over_time({job="toygres"} |= "error" [5m])'
    expr = parse_logql(query)
    assert isinstance(expr, RangeAggregation)
    assert query[expr.log_query.start : expr.log_query.end] == '{job="toygres"} |= "error"'
    stage = expr.log_query.pipeline[0]
    assert query[stage.start : stage.end] == '|= "error"'


def test_many_returns_errors_in_place() -> None:
    results = parse_logql_many(['{job="a"}', '{job="a"', '{job="a"}'])
    assert results[0] == results[2] == LogQuery((Matcher("job", "=", "a"),))
    assert isinstance(results[1], QuerySyntaxError)
