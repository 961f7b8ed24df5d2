"""A small LogQL evaluator over simulated log lines, for the rule shapes our Loki rules use.

There is no Loki here, so a LogQL alerting rule is evaluated against the simulator's log
records: each line is put in the stream the configured shipping method gives it (push,
promtail or otlp labels), then exactly these shapes are evaluated at each instant t:

    [sum|min|max|count [by (labels)]] (count_over_time|rate ({selector} [|= |~ != !~ "..."]... [range]))
    optionally compared with a number (> >= < <= == !=, filter semantics, no `bool`)

with Loki's range semantics: lines whose timestamp is in (t - range, t]. Anything else raises
UnsupportedQuery (reported, never guessed). Results are what Loki would return in the same
shape: no series where no line matched.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from generator.proof.evaluation import LabelSet, Timeline, apply_for, evaluation_times
from generator.errors import DashgenError
from generator.parsers import logql_ast as ast

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}
AGGREGATIONS: dict[str, Callable[[list[float]], float]] = {
    "sum": sum, "min": min, "max": max, "count": lambda values: float(len(values)),
}


class UnsupportedQuery(DashgenError):
    """The LogQL rule uses a construct this evaluator does not implement."""


@dataclass(frozen=True)
class LogEntry:
    """One log line as Loki stores it: stream labels, timestamp (seconds), line."""

    labels: LabelSet
    ts: float
    line: str


@dataclass(frozen=True)
class _Stream:
    labels: LabelSet
    times: list[float]
    lines: list[str]


def _line_filter(stage: ast.LineFilter) -> Callable[[str], bool]:
    if stage.ip or stage.op not in ("|=", "!=", "|~", "!~"):
        raise UnsupportedQuery(f"line filter {stage.op}{' ip()' if stage.ip else ''} is not supported")
    return stage.accepts


class LogQLEvaluator:
    """Evaluates supported LogQL metric queries over a fixed set of log entries."""

    def __init__(self, entries: Iterable[LogEntry]) -> None:
        grouped: dict[LabelSet, list[LogEntry]] = {}
        for entry in entries:
            grouped.setdefault(entry.labels, []).append(entry)
        self.streams = []
        for labels, items in sorted(grouped.items()):
            items.sort(key=lambda e: e.ts)
            self.streams.append(_Stream(labels, [e.ts for e in items], [e.line for e in items]))
        self._filtered: dict[ast.LogQuery, list[tuple[LabelSet, list[float]]]] = {}

    def instant(self, expr: ast.Expr, t: float) -> dict[LabelSet, float]:
        """The query's result vector at time t (label set -> value)."""
        if isinstance(expr, ast.Binary):
            if expr.op not in COMPARISONS or expr.bool_modifier or not isinstance(expr.rhs, ast.NumberLiteral):
                raise UnsupportedQuery(f"binary {expr.op} is supported only as `<expr> <comparison> <number>`")
            compare, threshold = COMPARISONS[expr.op], expr.rhs.value
            return {k: v for k, v in self.instant(expr.lhs, t).items() if compare(v, threshold)}
        if isinstance(expr, ast.VectorAggregation):
            if expr.op not in AGGREGATIONS or expr.without or expr.param is not None:
                raise UnsupportedQuery(f"aggregation {expr.op} is not supported")
            groups: dict[LabelSet, list[float]] = {}
            for labels, value in self.instant(expr.expr, t).items():
                key = tuple((k, v) for k, v in labels if k in expr.grouping)
                groups.setdefault(key, []).append(value)
            return {k: AGGREGATIONS[expr.op](vs) for k, vs in groups.items()}
        if isinstance(expr, ast.RangeAggregation):
            return self._range(expr, t)
        raise UnsupportedQuery(f"{type(expr).__name__} is not supported")

    def _range(self, expr: ast.RangeAggregation, t: float) -> dict[LabelSet, float]:
        if expr.op not in ("count_over_time", "rate") or expr.unwrap or expr.offset_seconds or expr.has_grouping:
            raise UnsupportedQuery(f"range aggregation {expr.op} is supported only as plain count_over_time/rate")
        filters = []
        for stage in expr.log_query.pipeline:
            if not isinstance(stage, ast.LineFilter):
                raise UnsupportedQuery(f"pipeline stage {type(stage).__name__} is not supported")
            filters.append(_line_filter(stage))
        out: dict[LabelSet, float] = {}
        lo = t - expr.range_seconds
        for labels, times in self._selected(expr.log_query, filters):
            count = bisect.bisect_right(times, t) - bisect.bisect_right(times, lo)
            if count:
                out[labels] = count / expr.range_seconds if expr.op == "rate" else float(count)
        return out

    def _selected(self, query: ast.LogQuery,
                  filters: Sequence[Callable[[str], bool]]) -> list[tuple[LabelSet, list[float]]]:
        """Each matching stream's timestamps of the lines passing the filters, computed once per
        query: a rule evaluated every minute over a 5-minute range would otherwise filter every
        line five times (a 24 h healthy run took ~60 s of regex matching)."""
        if query not in self._filtered:
            self._filtered[query] = [
                (stream.labels, [ts for ts, line in zip(stream.times, stream.lines) if all(f(line) for f in filters)])
                for stream in self._matching(query.selector)]
        return self._filtered[query]

    def _matching(self, matchers: Sequence[ast.Matcher]) -> list[_Stream]:
        return [s for s in self.streams if all(m.matches(dict(s.labels).get(m.label, "")) for m in matchers)]


def evaluate_logql(evaluator: LogQLEvaluator, name: str, expr: ast.Expr, hold_seconds: float, start: float,
                   end: float, interval: float) -> Timeline:
    """An alerting rule over [start, end]: the query at every evaluation instant, then `for`."""
    times = evaluation_times(start, end, interval)
    present: dict[LabelSet, dict[float, float]] = {}
    for t in times:
        for labels, value in evaluator.instant(expr, t).items():
            present.setdefault(labels, {})[t] = value
    return Timeline(name, "logql-evaluator (not Loki)", times[0] if times else start,
                    times[-1] if times else end, interval, tuple(apply_for(present, times, hold_seconds)))


def entries_from_push(push: Mapping[str, Any]) -> list[LogEntry]:
    """A run's log lines from Loki's push API body (the streams its shipping method creates)."""
    out = []
    for stream in push.get("streams", []):
        labels = tuple(sorted(stream["stream"].items()))
        for ns, line in stream["values"]:
            out.append(LogEntry(labels, int(ns) // 1000 / 1_000_000, line))
    return out
