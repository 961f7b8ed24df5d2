"""Parses PromQL with the official lezer grammar and converts the tree into the dataclasses of promql_ast."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Literal

from generator.parsers.bridge import Node, QuerySyntaxError, parse_and_convert
from generator.parsers.literals import parse_duration, parse_number, unquote_string
from generator.parsers.promql_ast import (
    MATCH_OPS,
    Aggregation,
    AtValue,
    Binary,
    Call,
    Expr,
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
    selectors,
    walk,
)

__all__ = [
    "Aggregation", "Binary", "Call", "Expr", "Matcher", "MatrixSelector", "NumberLiteral", "Paren",
    "StringLiteral", "Subquery", "Unary", "VectorMatching", "VectorSelector", "metric_name", "parse_duration",
    "parse_promql", "parse_promql_many", "selectors", "walk",
]

# Aggregations whose first argument is a parameter (k, quantile, label, ratio).
PARAM_AGGREGATIONS = frozenset({"topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio"})
COMPARISON_OPS = frozenset({"==", "!=", ">", "<", ">=", "<="})
SET_OPS = frozenset({"and", "or", "unless"})
# Binary operator precedence, loosest first, as in Prometheus' yacc grammar; `^` is right-associative.
_PRECEDENCE = {
    "or": 1, "and": 2, "unless": 2, "==": 3, "!=": 3, ">": 3, "<": 3, ">=": 3, "<=": 3, "</": 3, ">/": 3,
    "+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "atan2": 5, "^": 6,
}
_UNARY_PRECEDENCE = 5
_MODIFIABLE = "an instant vector selector or range vector selector or a subquery"
_DURATION_OPS: dict[str, Callable[[float, float], float]] = {
    "Add": lambda a, b: a + b, "Sub": lambda a, b: a - b, "Mul": lambda a, b: a * b,
    "Div": lambda a, b: a / b, "Mod": math.fmod, "Pow": lambda a, b: a**b,
}


def parse_promql(query: str, *, node_binary: str | None = None) -> Expr:
    """Parses one PromQL query, raising QuerySyntaxError (a ParseError) with line:column and a caret excerpt."""
    result = parse_promql_many([query], node_binary=node_binary)[0]
    if isinstance(result, QuerySyntaxError):
        raise result
    return result


def parse_promql_many(queries: Iterable[str], *, node_binary: str | None = None) -> list[Expr | QuerySyntaxError]:
    """Parses many PromQL queries with one node process; errors are returned in place, not raised."""
    return parse_and_convert([("promql", text) for text in queries], {"promql": convert_tree}, node_binary=node_binary)


def convert_tree(text: str, tree: Node | QuerySyntaxError) -> Expr | QuerySyntaxError:
    """The AST for one parsed tree (bridge output), or the syntax error in place."""
    return tree if isinstance(tree, QuerySyntaxError) else _Converter(text).top(tree)


class _Converter:
    """Turns one lezer PromQL tree into dataclasses and applies the checks Prometheus' own parser makes."""

    def __init__(self, query: str) -> None:
        self.query = query

    def fail(self, start: int, end: int, reason: str) -> QuerySyntaxError:
        return QuerySyntaxError(self.query, start, end, reason)

    def text(self, node: Node) -> str:
        return self.query[node.start:node.end]

    def top(self, tree: Node) -> Expr:
        if not tree.children:
            raise self.fail(tree.start, tree.end, "query has no expression")
        return self.expr(tree.children[0])

    def expr(self, node: Node) -> Expr:
        method: Callable[[Node], Expr] | None = getattr(self, "_" + node.type, None)
        if method is None:
            raise self.fail(node.start, node.end, f"unsupported PromQL construct {node.type}")
        return method(node)

    def string(self, node: Node) -> str:
        try:
            return unquote_string(self.text(node))
        except ValueError as exc:
            raise self.fail(node.start, node.end, str(exc)) from None

    def number(self, node: Node) -> float:
        try:
            return parse_number(self.text(node))
        except ValueError:
            raise self.fail(node.start, node.end, f"bad number or duration {self.text(node)!r}") from None

    def label(self, node: Node) -> str:
        """A LabelName, or a QuotedLabelName holding a string (UTF-8 label names)."""
        return self.string(node.children[0]) if node.type == "QuotedLabelName" else self.text(node)

    def labels(self, node: Node) -> tuple[str, ...]:
        return tuple(self.label(child) for child in node.children)

    def duration(self, node: Node) -> float:
        """Evaluates a duration, or a constant duration expression such as `5m * 2`, to seconds."""
        kids = node.children
        if node.type == "NumberDurationLiteralInDurationContext":
            return self.number(node)
        head = kids[0].type if kids else ""
        if head in ("DurationStep", "DurationRange"):
            raise self.fail(node.start, node.end, "durations depending on step() or range() are not supported")
        if head in ("DurationMinOf", "DurationMaxOf"):
            values = [self.duration(kid) for kid in kids[1:]]
            return min(values) if head == "DurationMinOf" else max(values)
        if head == "UnaryOp":
            value = self.duration(kids[1])
            return -value if self.text(kids[0]) == "-" else value
        if len(kids) == 1:
            return self.duration(kids[0])
        left, right = self.duration(kids[0]), self.duration(kids[2])
        if kids[1].type in ("Div", "Mod") and right == 0:
            raise self.fail(node.start, node.end, "division by zero in duration expression")
        return _DURATION_OPS[kids[1].type](left, right)

    def _ParenExpr(self, node: Node) -> Expr:
        return Paren(self.expr(node.children[0]), start=node.start, end=node.end)

    def _NumberDurationLiteral(self, node: Node) -> Expr:
        return NumberLiteral(self.number(node), start=node.start, end=node.end)

    def _StringLiteral(self, node: Node) -> Expr:
        return StringLiteral(self.string(node), start=node.start, end=node.end)

    def _UnaryExpr(self, node: Node) -> Expr:
        op: Literal["-", "+"] = "-" if self.text(node.children[0]) == "-" else "+"
        return Unary(op, self.expr(node.children[1]), start=node.start, end=node.end)

    def _VectorSelector(self, node: Node) -> Expr:
        name: str | None = None
        matchers: list[Matcher] = []
        for child in node.children:
            if child.type == "Identifier":
                name = self.text(child)
                continue
            for item in child.children:
                if item.type == "QuotedLabelName":
                    if name is not None:
                        raise self.fail(item.start, item.end, f"metric name must not be set twice: {name!r}")
                    name = self.string(item.children[0])
                    continue
                label_node, op_node, value_node = item.children
                op = MATCH_OPS[self.text(op_node)]
                label, value = self.label(label_node), self.string(value_node)
                matchers.append(Matcher(label, op, value, start=item.start, end=item.end))
        if name is not None and any(m.label == "__name__" for m in matchers):
            raise self.fail(node.start, node.end, f"metric name must not be set twice: {name!r} and a __name__ matcher")
        if name is None and all(m.matches("") for m in matchers):
            raise self.fail(node.start, node.end, "vector selector must contain at least one non-empty matcher")
        return VectorSelector(name, tuple(matchers), start=node.start, end=node.end)

    def _FunctionCall(self, node: Node) -> Expr:
        name_node, body = node.children
        args = tuple(self.expr(arg) for arg in body.children)
        return Call(self.text(name_node), args, start=node.start, end=node.end)

    def _AggregateExpr(self, node: Node) -> Expr:
        op = self.text(node.children[0]).lower()
        grouping: tuple[str, ...] = ()
        without = has_grouping = False
        args: tuple[Expr, ...] = ()
        for child in node.children[1:]:
            if child.type == "AggregateModifier":
                without = child.children[0].type == "Without"
                grouping, has_grouping = self.labels(child.children[1]), True
            else:
                args = tuple(self.expr(arg) for arg in child.children)
        expected = 2 if op in PARAM_AGGREGATIONS else 1
        if len(args) != expected:
            raise self.fail(
                node.start, node.end,
                f"wrong number of arguments for aggregate expression provided, expected {expected}, got {len(args)}",
            )
        param = args[0] if expected == 2 else None
        return Aggregation(op, args[-1], param, grouping, without, has_grouping, start=node.start, end=node.end)

    def _BinaryExpr(self, node: Node) -> Expr:
        lhs_node, op_node, *modifiers, rhs_node = node.children
        op = self.text(op_node).lower()
        bool_modifier = False
        matching: VectorMatching | None = None
        fill_left = fill_right = None
        for modifier in modifiers:
            if modifier.type == "BoolModifier":
                if op not in COMPARISON_OPS:
                    reason = "bool modifier can only be used on comparison operators"
                    raise self.fail(modifier.start, modifier.end, reason)
                bool_modifier = True
            elif modifier.type == "MatchingModifierClause":
                matching = self.matching(modifier, op)
            elif modifier.type == "FillModifier":
                for clause in modifier.children:
                    value = self.number(clause.children[1])
                    if clause.type in ("FillClause", "FillLeftClause"):
                        fill_left = value
                    if clause.type in ("FillClause", "FillRightClause"):
                        fill_right = value
        binary = Binary(
            op, self.expr(lhs_node), self.expr(rhs_node), bool_modifier, matching, fill_left, fill_right,
            start=node.start, end=node.end,
        )
        return _rotate(binary)

    def matching(self, node: Node, op: str) -> VectorMatching:
        kids = node.children
        group: Literal["left", "right"] | None = None
        include: tuple[str, ...] = ()
        if len(kids) > 2:
            if op in SET_OPS:
                raise self.fail(kids[2].start, kids[2].end, f"no grouping allowed for {op!r} operation")
            group = "left" if kids[2].type == "GroupLeft" else "right"
            include = self.labels(kids[3]) if len(kids) > 3 else ()
        return VectorMatching(kids[0].type == "On", self.labels(kids[1]), group, include)

    # Postfix constructs. The lezer grammar (written for editor highlighting) gives `[range]`,
    # `offset`, `@`, `anchored` and `smoothed` the lowest precedence, so `a + b offset 5m`
    # arrives as `(a + b) offset 5m`. Prometheus binds them tightest, to the right-most
    # operand: `a + (b offset 5m)`. `postfix` re-associates them the Prometheus way.

    def postfix(self, node: Node, build: Callable[[Expr], Expr]) -> Expr:
        return self._push_down(self.expr(node.children[0]), node, build)

    def _push_down(self, inner: Expr, node: Node, build: Callable[[Expr], Expr]) -> Expr:
        if isinstance(inner, Binary):
            return replace(inner, rhs=self._push_down(inner.rhs, node, build), end=node.end)
        if isinstance(inner, Unary):
            return replace(inner, expr=self._push_down(inner.expr, node, build), end=node.end)
        return build(inner)

    def _MatrixSelector(self, node: Node) -> Expr:
        duration = node.children[1]
        seconds, text = self.duration(duration), self.text(duration)

        def build(inner: Expr) -> Expr:
            if not isinstance(inner, VectorSelector):
                raise self.fail(inner.start, node.end, "ranges only allowed for vector selectors")
            if inner.offset_seconds is not None or inner.at is not None or inner.anchored or inner.smoothed:
                raise self.fail(inner.start, node.end, "no offset or @ modifiers allowed before range")
            return MatrixSelector(inner, seconds, text, start=inner.start, end=node.end)

        return self.postfix(node, build)

    def _SubqueryExpr(self, node: Node) -> Expr:
        range_node, *step = node.children[1:]
        seconds, text = self.duration(range_node), self.text(range_node)
        step_seconds = self.duration(step[0]) if step else None
        step_text = self.text(step[0]) if step else ""

        def build(inner: Expr) -> Expr:
            return Subquery(inner, seconds, step_seconds, text, step_text, start=inner.start, end=node.end)

        return self.postfix(node, build)

    def _OffsetExpr(self, node: Node) -> Expr:
        return self.modifier(node, "offset", "offset_seconds", self.duration(node.children[2]))

    def _StepInvariantExpr(self, node: Node) -> Expr:
        value = node.children[2]
        at: AtValue = "start()" if value.type == "AtModifierPreprocessors" else self.number(value)
        if value.type == "AtModifierPreprocessors" and value.children[0].type == "AtEnd":
            at = "end()"
        return self.modifier(node, "@", "at", at)

    def _AnchoredExpr(self, node: Node) -> Expr:
        return self.modifier(node, "anchored", "anchored", True)

    def _SmoothedExpr(self, node: Node) -> Expr:
        return self.modifier(node, "smoothed", "smoothed", True)

    def modifier(self, node: Node, what: str, key: str, value: object) -> Expr:
        """Sets offset/@/anchored/smoothed on the selector or subquery it follows, as Prometheus does."""

        def build(inner: Expr) -> Expr:
            target: Expr = inner.vector if isinstance(inner, MatrixSelector) else inner
            allowed = (VectorSelector,) if key in ("anchored", "smoothed") else (VectorSelector, Subquery)
            if not isinstance(target, allowed):
                raise self.fail(inner.start, node.end, f"{what} modifier must be preceded by {_MODIFIABLE}")
            if getattr(target, key) not in (None, False):
                raise self.fail(inner.start, node.end, f"{what} may not be set multiple times")
            updated = replace(target, **{key: value})  # type: ignore[arg-type]
            if isinstance(inner, MatrixSelector):
                assert isinstance(updated, VectorSelector)
                return replace(inner, vector=updated, end=node.end)
            return replace(updated, end=node.end)

        return self.postfix(node, build)


def _rotate(binary: Binary) -> Expr:
    """Restores Prometheus precedence when a re-associated postfix left a looser operator on the left."""
    lhs, prec = binary.lhs, _PRECEDENCE[binary.op]
    if isinstance(lhs, Binary) and (_PRECEDENCE[lhs.op] < prec or (prec == 6 and _PRECEDENCE[lhs.op] == 6)):
        inner = _rotate(replace(binary, lhs=lhs.rhs, start=lhs.rhs.start))
        return replace(lhs, rhs=inner, end=binary.end)
    if isinstance(lhs, Unary) and prec > _UNARY_PRECEDENCE:
        inner = _rotate(replace(binary, lhs=lhs.expr, start=lhs.expr.start))
        return replace(lhs, expr=inner, end=binary.end)
    return binary
