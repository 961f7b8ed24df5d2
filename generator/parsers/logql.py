"""Parses LogQL with the official lezer grammar and converts the tree into the dataclasses of logql_ast."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Literal

from generator.parsers.bridge import Node, QuerySyntaxError, parse_and_convert
from generator.parsers.literals import parse_bytes, parse_duration, parse_number, unquote_string
from generator.parsers.logql_ast import (
    LINE_FILTER_OPS,
    PARSER_KINDS,
    Binary,
    Decolorize,
    Drop,
    Expr,
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
    Stage,
    VectorAggregation,
    VectorLiteral,
    VectorMatching,
    log_queries,
    walk,
)
from generator.parsers.promql_ast import MATCH_OPS

__all__ = [
    "Binary", "Decolorize", "Drop", "Expr", "Keep", "LabelAssignment", "LabelExtraction", "LabelFilter",
    "LabelFilterLogic", "LabelFormat", "LabelReplace", "LineFilter", "LineFormat", "LogQuery", "Matcher",
    "NumberLiteral", "Parser", "RangeAggregation", "Stage", "VectorAggregation", "VectorLiteral", "log_queries",
    "parse_logql", "parse_logql_many", "walk",
]

# Loki's binary operator precedence, loosest first; `^` is right-associative. The lezer grammar
# gets this wrong (it reads `1 + 2 * 3` as `(1 + 2) * 3`), so operator chains are rebuilt here.
_PRECEDENCE = {
    "or": 1, "and": 2, "unless": 2, "==": 3, "!=": 3, ">": 3, ">=": 3, "<": 3, "<=": 3,
    "+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "^": 6,
}
_COMPARISONS = frozenset({"==", "!=", ">", ">=", "<", "<="})
# Loki's RangeAggregationExpr.validate(): which range ops accept `by`/`without`, which accept
# `| unwrap`, and which work without one (the line-counting ones).
_GROUPING_ALLOWED = frozenset({
    "avg_over_time", "stddev_over_time", "stdvar_over_time", "quantile_over_time", "max_over_time", "min_over_time",
    "first_over_time", "last_over_time",
})
_UNWRAP_ALLOWED = _GROUPING_ALLOWED | {"sum_over_time", "rate", "rate_counter", "absent_over_time"}
_NO_UNWRAP_ALLOWED = frozenset({"bytes_over_time", "bytes_rate", "count_over_time", "rate", "absent_over_time"})
# Loki's own wording, so lint output matches what Loki answers.
_EMPTY_SELECTOR = (
    "queries require at least one regexp or equality matcher that does not have an empty-compatible value"
)
_NEEDS_PARAM = frozenset({"topk", "bottomk", "approx_topk", "quantile_over_time"})


def parse_logql(query: str, *, node_binary: str | None = None) -> Expr:
    """Parses one LogQL query, raising QuerySyntaxError (a ParseError) with line:column and a caret excerpt."""
    result = parse_logql_many([query], node_binary=node_binary)[0]
    if isinstance(result, QuerySyntaxError):
        raise result
    return result


def parse_logql_many(queries: Iterable[str], *, node_binary: str | None = None) -> list[Expr | QuerySyntaxError]:
    """Parses many LogQL queries with one node process; errors are returned in place, not raised."""
    return parse_and_convert([("logql", text) for text in queries], {"logql": convert_tree}, node_binary=node_binary)


def convert_tree(text: str, tree: Node | QuerySyntaxError) -> Expr | QuerySyntaxError:
    """The AST for one parsed tree (bridge output), or the syntax error in place."""
    return tree if isinstance(tree, QuerySyntaxError) else _Converter(text).expr(tree)


def _collect(node: Node, types: frozenset[str] | set[str]) -> list[Node]:
    """Nodes of the given types under node, in source order, flattening the grammar's left-recursive lists."""
    found: list[Node] = []
    stack = list(reversed(node.children))
    while stack:
        child = stack.pop()
        if child.type in types:
            found.append(child)
        else:
            stack.extend(reversed(child.children))
    return found


def _child(node: Node, type_name: str) -> Node | None:
    return next((child for child in node.children if child.type == type_name), None)


class _Converter:
    """Turns one lezer LogQL tree into dataclasses and applies the checks Loki's own parser makes."""

    def __init__(self, query: str) -> None:
        self.query = query

    def fail(self, node: Node, reason: str) -> QuerySyntaxError:
        return QuerySyntaxError(self.query, node.start, node.end, reason)

    def text(self, node: Node) -> str:
        return self.query[node.start:node.end]

    def convert(self, node: Node, parse: Callable[[str], float], what: str) -> float:
        try:
            return parse(self.text(node))
        except ValueError:
            raise self.fail(node, f"bad {what} {self.text(node)!r}") from None

    def string(self, node: Node) -> str:
        try:
            return unquote_string(self.text(node))
        except ValueError as exc:
            raise self.fail(node, str(exc)) from None

    def literal(self, node: Node) -> float:
        """A LiteralExpr (optionally signed Number) or a bare Number."""
        if node.type == "Number":
            return self.convert(node, parse_number, "number")
        sign = -1.0 if node.children[0].type == "Sub" else 1.0
        return sign * self.convert(node.children[-1], parse_number, "number")

    def expr(self, node: Node) -> Expr:
        method: Callable[[Node], Expr] | None = getattr(self, "_" + node.type, None)
        if method is None:
            raise self.fail(node, f"unsupported LogQL construct {node.type}")
        return method(node)

    def _LogQL(self, node: Node) -> Expr:
        if not node.children:
            raise self.fail(node, "query has no expression")
        return self.expr(node.children[0])

    def _Expr(self, node: Node) -> Expr:
        return self.expr(node.children[0])

    _MetricExpr = _Expr

    # Log queries and their pipelines.

    def matchers(self, selector: Node) -> tuple[Matcher, ...]:
        found = tuple(self.matcher(item) for item in _collect(selector, {"Matcher"}))
        if all(m.matches("") for m in found):
            raise self.fail(selector, _EMPTY_SELECTOR)
        return found

    def matcher(self, node: Node) -> Matcher:
        label, op, value = node.children
        return Matcher(self.text(label), MATCH_OPS[self.text(op)], self.string(value), start=node.start, end=node.end)

    def _LogExpr(self, node: Node) -> Expr:
        inner = _child(node, "LogExpr")
        if inner is not None:
            return self._LogExpr(inner)
        selector = _child(node, "Selector")
        assert selector is not None
        stages = tuple(self.stages(node))
        return LogQuery(self.matchers(selector), stages, start=node.start, end=node.end)

    def stages(self, node: Node) -> Iterator[Stage]:
        for pipeline in _collect(node, {"PipelineExpr"}):
            for stage in _collect(pipeline, {"PipelineStage"}):
                body = stage.children[-1]
                if body.type == "LineFilters":
                    yield from (self.line_filter(item) for item in _collect(body, {"LineFilter"}))
                else:
                    yield self.stage(body)

    def line_filter(self, node: Node) -> LineFilter:
        op = self.text(node.children[0])
        strings = [self.string(item) for item in _collect(node, {"String"})]
        ip = bool(_collect(node, {"Ip"}))
        return LineFilter(LINE_FILTER_OPS[op], strings[0], tuple(strings[1:]), ip, start=node.start, end=node.end)

    def stage(self, node: Node) -> Stage:
        span = {"start": node.start, "end": node.end}
        kind = node.children[0].type.lower() if node.children else ""
        if node.type in ("LabelParser", "LogfmtParser", "JsonExpressionParser", "LogfmtExpressionParser"):
            params = tuple(self.string(child) for child in node.children if child.type == "String")
            flags = tuple(self.text(flag) for flag in _collect(node, {"ParserFlag"}))
            extractions = tuple(self.extraction(item) for item in _collect(node, {"LabelExtractionExpression"}))
            return Parser(PARSER_KINDS[kind], params, flags, extractions, **span)
        if node.type == "LabelFilter":
            return self.label_filter(node)
        if node.type == "LineFormatExpr":
            return LineFormat(self.string(node.children[1]), **span)
        if node.type == "LabelFormatExpr":
            return LabelFormat(tuple(self.assignment(item) for item in _collect(node, {"LabelFormatMatcher"})), **span)
        if node.type in ("DropLabelsExpr", "KeepLabelsExpr"):
            items = _collect(node, {"DropLabel", "KeepLabel"})
            labels = tuple(self.text(item.children[0]) for item in items if item.children[0].type == "Identifier")
            matchers = tuple(self.matcher(item.children[0]) for item in items if item.children[0].type == "Matcher")
            return (Drop if node.type == "DropLabelsExpr" else Keep)(labels, matchers, **span)
        if node.type == "DecolorizeExpr":
            return Decolorize(**span)
        raise self.fail(node, f"unsupported LogQL pipeline stage {node.type}")

    def extraction(self, node: Node) -> LabelExtraction:
        label = self.text(node.children[0])
        return LabelExtraction(label, self.string(node.children[2]) if len(node.children) > 2 else None)

    def assignment(self, node: Node) -> LabelAssignment:
        target, _, source = node.children
        if source.type == "String":
            return LabelAssignment(self.text(target), self.string(source), True)
        return LabelAssignment(self.text(target), self.text(source), False)

    def label_filter(self, node: Node) -> LabelFilter | LabelFilterLogic:
        kids = node.children
        span = {"start": node.start, "end": node.end}
        if len(kids) == 1 and kids[0].type == "LabelFilter":
            return self.label_filter(kids[0])
        if len(kids) >= 2:
            logic: Literal["and", "or"] = "or" if kids[1].type == "Or" else "and"
            return LabelFilterLogic(logic, self.label_filter(kids[0]), self.label_filter(kids[-1]), **span)
        leaf = kids[0].children[0] if kids[0].type == "UnitFilter" else kids[0]
        if leaf.type == "Matcher":
            matcher = self.matcher(leaf)
            return LabelFilter(matcher.label, matcher.op, matcher.value, "string", **span)
        label, op = self.text(leaf.children[0]), self.text(leaf.children[1])
        value_node = leaf.children[-1]
        if leaf.type == "IpLabelFilter":
            return LabelFilter(label, op, self.string(value_node), "ip", **span)
        if leaf.type == "DurationFilter":
            return LabelFilter(label, op, self.convert(value_node, parse_duration, "duration"), "duration", **span)
        if leaf.type == "BytesFilter":
            return LabelFilter(label, op, self.convert(value_node, parse_bytes, "byte size"), "bytes", **span)
        return LabelFilter(label, op, self.literal(value_node), "number", **span)

    # Metric queries.

    def grouping(self, node: Node | None) -> tuple[tuple[str, ...], bool, bool]:
        if node is None:
            return (), False, False
        labels = tuple(self.text(item) for item in _collect(node, {"Identifier"}))
        return labels, node.children[0].type == "Without", True

    def _RangeAggregationExpr(self, node: Node) -> Expr:
        op = self.text(node.children[0])
        number = _child(node, "Number")
        param: float | str | None = self.literal(number) if number is not None else None
        return self.range_aggregation(node, op, param)

    def _LabelAggregationExpr(self, node: Node) -> Expr:
        label = _child(node, "Identifier")
        assert label is not None
        return self.range_aggregation(node, self.text(node.children[0]), self.text(label))

    def range_aggregation(self, node: Node, op: str, param: float | str | None) -> Expr:
        logs = _child(node, "LogRangeExpr")
        assert logs is not None
        while (inner := _child(logs, "LogRangeExpr")) is not None:
            logs = inner
        selector, range_node = _child(logs, "Selector"), _child(logs, "Range")
        assert selector is not None and range_node is not None
        stages = tuple(self.stages(logs))
        query_end = max([selector.end] + [pipe.end for pipe in _collect(logs, {"PipelineExpr"})])
        log_query = LogQuery(self.matchers(selector), stages, start=selector.start, end=query_end)
        unwrap, conversion, filters = self.unwrap(_child(logs, "UnwrapExpr"))
        offset = _child(logs, "OffsetExpr")
        offset_seconds = self.convert(offset.children[-1], parse_duration, "duration") if offset else None
        grouping, without, has_grouping = self.grouping(_child(node, "Grouping"))
        self.check_range(node, op, param, unwrap is not None, has_grouping)
        duration = range_node.children[0]
        return RangeAggregation(
            op, log_query, self.convert(duration, parse_duration, "duration"), self.text(duration), unwrap, conversion,
            filters, param, offset_seconds, grouping, without, has_grouping, start=node.start, end=node.end,
        )

    def check_range(self, node: Node, op: str, param: float | str | None, unwrapped: bool, grouped: bool) -> None:
        """The checks of Loki's RangeAggregationExpr validation, so lint reports what Loki would."""
        if op == "approx_count_distinct":
            return
        if op in _NEEDS_PARAM and param is None:
            raise self.fail(node, f"parameter required for operation {op}")
        if grouped and op not in _GROUPING_ALLOWED:
            raise self.fail(node, f"grouping not allowed for {op} aggregation")
        if unwrapped and op not in _UNWRAP_ALLOWED:
            raise self.fail(node, f"invalid aggregation {op} with unwrap")
        if not unwrapped and op not in _NO_UNWRAP_ALLOWED:
            raise self.fail(node, f"invalid aggregation {op} without unwrap")

    def unwrap(self, node: Node | None) -> tuple[str | None, str | None, tuple[Stage, ...]]:
        """`| unwrap [conv(]label[)] [| label filter ...]` as (label, conversion, filters)."""
        if node is None:
            return None, None, ()
        inner = _child(node, "UnwrapExpr")
        if inner is not None:
            label, conversion, filters = self.unwrap(inner)
            label_filter = _child(node, "LabelFilter")
            assert label_filter is not None
            return label, conversion, filters + (self.label_filter(label_filter),)
        conv = _child(node, "ConvOp")
        identifier = _child(node, "Identifier")
        assert identifier is not None
        return self.text(identifier), self.text(conv) if conv is not None else None, ()

    def _VectorAggregationExpr(self, node: Node) -> Expr:
        op = self.text(node.children[0]).lower()
        number = _child(node, "Number")
        param = self.literal(number) if number is not None else None
        if op in _NEEDS_PARAM and param is None:
            raise self.fail(node, f"parameter required for operation {op}")
        inner = _child(node, "MetricExpr")
        assert inner is not None
        grouping, without, has_grouping = self.grouping(_child(node, "Grouping"))
        return VectorAggregation(
            op, self.expr(inner), param, grouping, without, has_grouping, start=node.start, end=node.end,
        )

    def _LabelReplaceExpr(self, node: Node) -> Expr:
        inner = _child(node, "MetricExpr")
        assert inner is not None
        dst, replacement, src, regex = (self.string(child) for child in node.children if child.type == "String")
        return LabelReplace(self.expr(inner), dst, replacement, src, regex, start=node.start, end=node.end)

    def _LiteralExpr(self, node: Node) -> Expr:
        return NumberLiteral(self.literal(node), start=node.start, end=node.end)

    def _VectorExpr(self, node: Node) -> Expr:
        return VectorLiteral(self.literal(node.children[-1]), start=node.start, end=node.end)

    def _BinOpExpr(self, node: Node) -> Expr:
        operands: list[Node] = []
        operators: list[tuple[Node, Node]] = []
        self.flatten(node, operands, operators)
        converted = [self.expr(operand) for operand in operands]
        position = 0

        def climb(min_prec: int) -> tuple[Expr, int, int]:
            """Precedence climbing over the flattened chain; returns the tree and its span."""
            nonlocal position
            first = operands[position]
            lhs, start, end = converted[position], first.start, first.end
            while position < len(operators):
                op_node, modifier = operators[position]
                op = self.text(op_node).lower()
                if _PRECEDENCE[op] < min_prec:
                    break
                position += 1
                rhs, _, end = climb(_PRECEDENCE[op] + (0 if op == "^" else 1))
                lhs = self.binary(op, op_node, modifier, lhs, rhs, start, end)
            return lhs, start, end

        return climb(0)[0]

    def flatten(self, node: Node, operands: list[Node], operators: list[tuple[Node, Node]]) -> None:
        """Operands and operators of an unparenthesized chain `a op b op c`, in source order."""
        lhs, op_node, modifier, rhs = node.children
        for side in (lhs, rhs):
            metric = side.children[0] if side.type == "Expr" else side
            if metric.type == "MetricExpr" and metric.children and metric.children[0].type == "BinOpExpr":
                self.flatten(metric.children[0], operands, operators)
            else:
                operands.append(side)
            if side is lhs:
                operators.append((op_node, modifier))

    def binary(self, op: str, op_node: Node, modifier: Node, lhs: Expr, rhs: Expr, start: int, end: int) -> Expr:
        if isinstance(lhs, LogQuery) or isinstance(rhs, LogQuery):
            raise self.fail(op_node, "binary operations need metric queries on both sides, not log queries")
        bool_modifier = _child(modifier, "Bool") is not None
        if bool_modifier and op not in _COMPARISONS:
            raise self.fail(modifier, "bool modifier can only be used on comparison operators")
        matching = None
        on_or_ignoring = _child(modifier, "OnOrIgnoringModifier")
        if on_or_ignoring is not None:
            labels = tuple(self.text(item) for item in _collect(on_or_ignoring, {"LabelName"}))
            group_node = next((c for c in modifier.children if c.type in ("GroupLeft", "GroupRight")), None)
            include_node = _child(modifier, "GroupingLabels")
            include = tuple(self.text(item) for item in _collect(include_node, {"LabelName"})) if include_node else ()
            group: Literal["left", "right"] | None = None
            if group_node is not None:
                group = "left" if group_node.type == "GroupLeft" else "right"
            matching = VectorMatching(on_or_ignoring.children[0].type == "On", labels, group, include)
        return Binary(op, lhs, rhs, bool_modifier, matching, start=start, end=end)
