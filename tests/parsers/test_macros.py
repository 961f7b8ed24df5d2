"""Grafana macro substitution: every macro and variable syntax renders as Grafana does; lint placeholders parse."""

from __future__ import annotations

import pytest

from generator.parsers.bridge import QuerySyntaxError
from generator.parsers.logql import parse_logql_many
from generator.parsers.macros import MacroError, find_variables, lint_substitute, substitute
from generator.parsers.promql import parse_promql_many

# Grafana's numbers for a 1h dashboard on 15s scrapes: interval 15s, rate interval 4 x 15s.
TIMES = {"interval_seconds": 15.0, "rate_interval_seconds": 60.0, "range_seconds": 3600.0}

MACROS = [
    pytest.param("$__rate_interval", "1m", id="rate-interval"),
    pytest.param("$__rate_interval_ms", "60000", id="rate-interval-ms"),
    pytest.param("$__interval", "15s", id="interval"),
    pytest.param("$__interval_ms", "15000", id="interval-ms"),
    pytest.param("$__auto", "15s", id="auto-is-interval"),
    pytest.param("$__range", "1h", id="range"),
    pytest.param("$__range_s", "3600", id="range-s"),
    pytest.param("$__range_ms", "3600000", id="range-ms"),
    pytest.param("${__rate_interval}", "1m", id="braced-builtin"),
]


@pytest.mark.parametrize(("macro", "expected"), MACROS)
def test_builtin_macros_render_like_grafana(macro: str, expected: str) -> None:
    assert substitute(f"rate(x[{macro}])", {}, **TIMES) == f"rate(x[{expected}])"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(240, "4m"), (90, "90s"), (0.5, "500ms"), (86400, "1d"), (5400, "90m")],
    ids=["minutes", "seconds-when-minutes-not-whole", "milliseconds", "days", "largest-whole-unit"],
)
def test_durations_use_the_largest_whole_unit(seconds: float, expected: str) -> None:
    assert (
        substitute("$__interval", {}, interval_seconds=seconds, rate_interval_seconds=60, range_seconds=60) == expected
    )


VARIABLES = [
    pytest.param('x{job="$job"}', {"job": "api"}, 'x{job="api"}', id="dollar-name"),
    pytest.param('x{job="${job}"}', {"job": "api"}, 'x{job="api"}', id="braces"),
    pytest.param('x{job="[[job]]"}', {"job": "api"}, 'x{job="api"}', id="double-brackets"),
    pytest.param('x{job=~"$job"}', {"job": ["api", "web"]}, 'x{job=~"(api|web)"}', id="multi-value-alternation"),
    pytest.param('x{job=~"$job"}', {"job": ["a.b", "c"]}, 'x{job=~"(a\\\\.b|c)"}', id="multi-value-regex-escaped"),
    pytest.param('x{job=~"${job:regex}"}', {"job": "a.b"}, 'x{job=~"a\\\\.b"}', id="regex-format"),
    pytest.param('x{job=~"${job:pipe}"}', {"job": ["a.b", "c"]}, 'x{job=~"a.b|c"}', id="pipe-format"),
    pytest.param('x{job="${job:raw}"}', {"job": ["a", "b"]}, 'x{job="a,b"}', id="raw-format"),
    pytest.param('x{job=~"[[job:pipe]]"}', {"job": ["a", "b"]}, 'x{job=~"a|b"}', id="double-brackets-format"),
    pytest.param('x{job=~"$job"}', {"job": "$__all"}, 'x{job=~".*"}', id="all-value"),
    pytest.param('x{job=~"$job"}', {"job": ["All"]}, 'x{job=~".*"}', id="all-text"),
    pytest.param('x{job="$job"}', {}, 'x{job="$job"}', id="unknown-left-alone"),
    pytest.param(
        'label_replace(x, "a", "$1", "b", "(.*)")',
        {},
        'label_replace(x, "a", "$1", "b", "(.*)")',
        id="capture-group-untouched",
    ),
    pytest.param("topk($k, x)", {"k": "5"}, "topk(5, x)", id="bare-number"),
]


@pytest.mark.parametrize(("query", "variables", "expected"), VARIABLES)
def test_variables_render_like_grafana(query: str, variables: dict[str, str | list[str]], expected: str) -> None:
    assert substitute(query, variables, **TIMES) == expected


def test_unknown_format_is_a_clear_error() -> None:
    with pytest.raises(MacroError, match="format 'jsonl' is not supported"):
        substitute('x{a="${job:jsonl}"}', {"job": "a"}, **TIMES)


def test_find_variables_reports_user_variables_but_not_builtins() -> None:
    query = 'rate(x{job=~"$job", pod="${pod:regex}", env="[[env]]"}[$__rate_interval]) > $__range_s and on() "$1"'
    assert find_variables(query) == {"job", "pod", "env"}


def test_find_variables_reports_misspelled_builtin() -> None:
    assert find_variables("rate(x[$__rate_intervall])") == {"__rate_intervall"}


LINT_PROMQL = [
    pytest.param('x{job=~"$job"}', 'x{job=~"x"}', id="matcher-value"),
    pytest.param("rate(x[$window])", "rate(x[1m])", id="range-variable-is-duration"),
    pytest.param("rate(x[$__rate_interval])", "rate(x[1m])", id="builtin-duration"),
    pytest.param("max_over_time(x[$__range:$step])", "max_over_time(x[1m:1m])", id="subquery"),
    pytest.param("x offset $shift", "x offset 1m", id="offset"),
    pytest.param("sum by ($label) ($metric)", "sum by (x) (x)", id="label-and-metric-names"),
    pytest.param('$metric{a="b"} > $threshold', 'x{a="b"} > 1', id="metric-and-threshold"),
    pytest.param("topk($k, x) / $__range_s", "topk(1, x) / 1", id="numbers"),
    pytest.param("x @ ${__to:date:seconds}", "x @ 1", id="at-time"),
]


@pytest.mark.parametrize(("query", "expected"), LINT_PROMQL)
def test_lint_substitute_keeps_promql_valid(query: str, expected: str) -> None:
    result = lint_substitute(query, {"job", "window", "step", "shift", "label", "metric", "threshold", "k"})
    assert result.text == expected
    assert not isinstance(parse_promql_many([result.text])[0], QuerySyntaxError)


LINT_LOGQL = [
    pytest.param('{job="$job"} |= "$search"', '{job="x"} |= "x"', id="strings"),
    pytest.param('count_over_time({job="a"}[$__auto])', 'count_over_time({job="a"}[1m])', id="auto"),
    pytest.param('{job="a"} | logfmt | duration > $min', '{job="a"} | logfmt | duration > 1', id="numeric-filter"),
    pytest.param('topk($k, sum(rate({job="a"}[$__interval])))', 'topk(1, sum(rate({job="a"}[1m])))', id="topk-param"),
]


@pytest.mark.parametrize(("query", "expected"), LINT_LOGQL)
def test_lint_substitute_keeps_logql_valid(query: str, expected: str) -> None:
    result = lint_substitute(query, {"job", "search", "min", "k"})
    assert result.text == expected
    assert not isinstance(parse_logql_many([result.text])[0], QuerySyntaxError)


def test_lint_substitute_reports_undefined_variables() -> None:
    result = lint_substitute('x{job="$job", pod="$pod"}[$__rate_interval]', {"job"})
    assert result.undefined == {"pod"}


def test_lint_error_positions_map_back_to_the_written_query() -> None:
    written = 'rate(x{job=~"$job"}[$window]'
    result = lint_substitute(written, {"job", "window"})
    error = parse_promql_many([result.text])[0]
    assert isinstance(error, QuerySyntaxError)
    start, end = result.original_span(error.start, error.end)
    assert (start, end) == (len(written), len(written))


def test_placeholder_spans_map_to_the_macro() -> None:
    written = 'x{a="$job"}[$window] + y'
    result = lint_substitute(written, {"job", "window"})
    placeholder = result.text.index("1m")
    start, end = result.original_span(placeholder, placeholder + 2)
    assert written[start:end] == "$window"
    plus = result.text.index("+")
    assert written[result.to_original(plus)] == "+"
