"""PromQL parsing: valid queries become the expected dataclass trees, invalid ones fail where Prometheus would."""

from __future__ import annotations

import pytest

from generator.errors import ParseError
from generator.parsers.bridge import QuerySyntaxError
from generator.parsers.macros import substitute
from generator.parsers.promql import (
    Aggregation,
    Binary,
    Call,
    Matcher,
    MatrixSelector,
    NumberLiteral,
    Paren,
    StringLiteral,
    Subquery,
    Unary,
    VectorMatching,
    VectorSelector,
    metric_name,
    parse_promql,
    parse_promql_many,
    selectors,
    walk,
)


def vs(name: str | None, *matchers: Matcher, **modifiers: object) -> VectorSelector:
    return VectorSelector(name, tuple(matchers), **modifiers)  # type: ignore[arg-type]


def rate(name: str, seconds: float, text: str) -> Call:
    return Call("rate", (MatrixSelector(vs(name), seconds, text),))


VALID = [
    pytest.param(
        "sum(rate(x[5m])) by (le)",
        Aggregation("sum", rate("x", 300, "5m"), None, ("le",), False, True),
        id="sum-rate-by-le",
    ),
    pytest.param(
        "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))",
        Call(
            "histogram_quantile",
            (
                NumberLiteral(0.95),
                Aggregation("sum", rate("x_bucket", 300, "5m"), None, ("le",), False, True),
            ),
        ),
        id="histogram-quantile",
    ),
    pytest.param("a - b", Binary("-", vs("a"), vs("b")), id="binary-minus"),
    pytest.param(
        'x{job=~"api|web", env!="dev"}',
        vs("x", Matcher("job", "=~", "api|web"), Matcher("env", "!=", "dev")),
        id="matchers",
    ),
    pytest.param(
        "sum without (instance) (x)",
        Aggregation("sum", vs("x"), None, ("instance",), True, True),
        id="without",
    ),
    pytest.param("sum(x)", Aggregation("sum", vs("x")), id="aggregation-without-grouping"),
    pytest.param("SUM(x) BY (le)", Aggregation("sum", vs("x"), None, ("le",), False, True), id="keywords-any-case"),
    pytest.param("topk(5, x)", Aggregation("topk", vs("x"), NumberLiteral(5)), id="topk-param"),
    pytest.param(
        "a / on(job) group_left(team) b",
        Binary("/", vs("a"), vs("b"), matching=VectorMatching(True, ("job",), "left", ("team",))),
        id="group-left",
    ),
    pytest.param(
        "a and ignoring(instance) b",
        Binary("and", vs("a"), vs("b"), matching=VectorMatching(False, ("instance",))),
        id="ignoring",
    ),
    pytest.param("x > bool 1", Binary(">", vs("x"), NumberLiteral(1), bool_modifier=True), id="bool-modifier"),
    pytest.param("x offset 5m", vs("x", offset_seconds=300.0), id="offset"),
    pytest.param("x offset -1h", vs("x", offset_seconds=-3600.0), id="negative-offset"),
    pytest.param("x @ 1700000000", vs("x", at=1700000000.0), id="at-timestamp"),
    pytest.param("x @ end()", vs("x", at="end()"), id="at-end"),
    pytest.param(
        "rate(x[5m] offset 1h)",
        Call("rate", (MatrixSelector(vs("x", offset_seconds=3600.0), 300, "5m"),)),
        id="matrix-offset-on-vector",
    ),
    # Prometheus binds offset tighter than `+`; the lezer tree says otherwise and is corrected.
    pytest.param("a + b offset 5m", Binary("+", vs("a"), vs("b", offset_seconds=300.0)), id="offset-binds-tightest"),
    pytest.param("-x[5m]", Unary("-", MatrixSelector(vs("x"), 300, "5m")), id="range-binds-tighter-than-minus"),
    pytest.param(
        "a * b @ 1 ^ c",
        Binary("*", vs("a"), Binary("^", vs("b", at=1.0), vs("c"))),
        id="pow-after-at-keeps-precedence",
    ),
    pytest.param(
        "max_over_time(x[1h:5m])",
        Call("max_over_time", (Subquery(vs("x"), 3600, 300, "1h", "5m"),)),
        id="subquery",
    ),
    pytest.param(
        "(a + b)[30m:]", Subquery(Paren(Binary("+", vs("a"), vs("b"))), 1800, None, "30m"), id="subquery-default-step"
    ),
    pytest.param("x[1h30m]", MatrixSelector(vs("x"), 5400, "1h30m"), id="compound-duration"),
    pytest.param("x[5m * 2]", MatrixSelector(vs("x"), 600, "5m * 2"), id="duration-arithmetic"),
    pytest.param("-x", Unary("-", vs("x")), id="unary-minus"),
    pytest.param(
        'label_replace(x, "a", "$1", "b", "(.*)")',
        Call(
            "label_replace",
            (
                vs("x"),
                StringLiteral("a"),
                StringLiteral("$1"),
                StringLiteral("b"),
                StringLiteral("(.*)"),
            ),
        ),
        id="string-arguments",
    ),
    pytest.param('x{a="tab\\there"}', vs("x", Matcher("a", "=", "tab\there")), id="string-escape"),
    pytest.param("x{a=`raw\\d`}", vs("x", Matcher("a", "=", "raw\\d")), id="raw-string"),
    pytest.param('{"my.metric", "la.bel"="v"}', vs("my.metric", Matcher("la.bel", "=", "v")), id="utf8-quoted-names"),
    pytest.param(
        "0x1F + 1_000 + 1e3",
        Binary("+", Binary("+", NumberLiteral(31), NumberLiteral(1000)), NumberLiteral(1000)),
        id="number-forms",
    ),
    pytest.param("x # why\n + y", Binary("+", vs("x"), vs("y")), id="comment-ignored"),
]


@pytest.mark.parametrize(("query", "expected"), VALID)
def test_valid_promql_converts_to_expected_tree(query: str, expected: object) -> None:
    assert parse_promql(query) == expected


INVALID = [
    pytest.param("sum(rate(x[5m])", "unexpected end of query", (1, 16), id="missing-closing-paren"),
    pytest.param("rate(x[5m]", "unexpected end of query", (1, 11), id="unclosed-call"),
    pytest.param("sum(rate(x[5m]) by (le)", 'unexpected "by"', (1, 17), id="by-inside-call"),
    pytest.param("sum(\n  rate(x[5m]\n", "unexpected end of query", (3, 1), id="multi-line-position"),
    pytest.param('x{a="b}', "unexpected end of query", (1, 8), id="unterminated-string"),
    pytest.param("rate(x[5x])", 'unexpected "x"', (1, 9), id="bad-duration-unit"),
    pytest.param("", "empty query", (1, 1), id="empty"),
    pytest.param("   ", "empty query", (1, 1), id="blank"),
    pytest.param('{a=""}', "at least one non-empty matcher", (1, 1), id="only-empty-matchers"),
    pytest.param('x{__name__="y"}', "metric name must not be set twice", (1, 1), id="name-twice"),
    pytest.param("sum(x) offset 5m", "offset modifier must be preceded by", (1, 1), id="offset-on-aggregation"),
    pytest.param("x offset 1h [5m]", "no offset or @ modifiers allowed before range", (1, 1), id="offset-before-range"),
    pytest.param("x offset 1m offset 2m", "offset may not be set multiple times", (1, 1), id="offset-twice"),
    pytest.param("sum(x)[5m]", "ranges only allowed for vector selectors", (1, 1), id="range-on-aggregation"),
    pytest.param("topk(x)", "expected 2, got 1", (1, 1), id="topk-without-k"),
    pytest.param(
        "1 + bool 2", "bool modifier can only be used on comparison operators", (1, 5), id="bool-on-arithmetic"
    ),
    pytest.param("a and on() group_left b", "no grouping allowed", (1, 12), id="group-left-on-set-op"),
    pytest.param('x{a="\\q"}', "unknown escape sequence", (1, 5), id="bad-escape"),
    pytest.param("x[step()]", "step() or range() are not supported", (1, 3), id="step-duration"),
]


@pytest.mark.parametrize(("query", "reason", "line_column"), INVALID)
def test_invalid_promql_reports_reason_and_position(query: str, reason: str, line_column: tuple[int, int]) -> None:
    with pytest.raises(ParseError) as caught:
        parse_promql(query)
    error = caught.value
    assert isinstance(error, QuerySyntaxError)
    assert reason in error.reason
    assert (error.line, error.column) == line_column
    assert str(error).startswith(f"{line_column[0]}:{line_column[1]}: ")


def test_error_message_has_caret_under_the_position() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_promql("sum(rate(x[5m]) by (le)")
    assert str(caught.value).splitlines() == [
        '1:17: unexpected "by"',
        "  sum(rate(x[5m]) by (le)",
        "                  ^^",
    ]


def test_variable_query_parses_after_substitution() -> None:
    query = substitute(
        'sum(rate(x{job=~"$job"}[$__rate_interval]))',
        {"job": ["api", "web"]},
        interval_seconds=15,
        rate_interval_seconds=60,
        range_seconds=3600,
    )
    expr = parse_promql(query)
    assert isinstance(expr, Aggregation) and isinstance(expr.expr, Call)
    matrix = expr.expr.args[0]
    assert isinstance(matrix, MatrixSelector)
    assert matrix.range_seconds == 60
    assert matrix.vector.matchers == (Matcher("job", "=~", "(api|web)"),)


def test_many_returns_errors_in_place() -> None:
    results = parse_promql_many(["up", "rate(x[5m]", "up"])
    assert results[0] == results[2] == vs("up")
    assert isinstance(results[1], QuerySyntaxError)


def test_positions_point_into_the_query() -> None:
    query = 'sum(rate(x{job="a"}[5m]))'
    expr = parse_promql(query)
    (selector,) = selectors(expr)
    assert query[selector.start : selector.end] == 'x{job="a"}'
    assert query[selector.matchers[0].start : selector.matchers[0].end] == 'job="a"'
    assert (expr.start, expr.end) == (0, len(query))


def test_walk_visits_every_node_in_source_order() -> None:
    expr = parse_promql("sum(rate(a[5m])) / sum(b)")
    assert [type(node).__name__ for node in walk(expr)] == [
        "Binary",
        "Aggregation",
        "Call",
        "MatrixSelector",
        "VectorSelector",
        "Aggregation",
        "VectorSelector",
    ]


def test_selectors_include_those_in_ranges_and_subqueries() -> None:
    expr = parse_promql('rate(a[5m]) + max_over_time(b[1h:]) + {__name__="c"}')
    assert [metric_name(selector) for selector in selectors(expr)] == ["a", "b", "c"]


def test_metric_name_is_none_for_regex_name() -> None:
    (selector,) = selectors(parse_promql('{__name__=~"a.*"}'))
    assert metric_name(selector) is None


def test_matcher_matches_label_values_like_prometheus() -> None:
    assert Matcher("a", "=~", "api|web").matches("web")
    assert not Matcher("a", "=~", "api").matches("api-2")  # anchored
    assert Matcher("a", "!~", "api").matches("web")
    assert Matcher("a", "!=", "api").matches("web")
