"""The PromQL syntax tree as typed, frozen dataclasses, plus walkers lint and check use to inspect queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "MATCH_OPS", "Aggregation", "AtValue", "Binary", "Call", "Expr", "MatchOp", "Matcher", "MatrixSelector",
    "NumberLiteral", "Paren", "StringLiteral", "Subquery", "SyntaxNode", "Unary", "VectorMatching",
    "VectorSelector", "metric_name", "selectors", "walk",
]

MatchOp = Literal["=", "!=", "=~", "!~"]
# Operator text to its typed form, shared by the PromQL and LogQL converters.
MATCH_OPS: dict[str, MatchOp] = {"=": "=", "!=": "!=", "=~": "=~", "!~": "!~"}
AtValue = float | Literal["start()", "end()"]


@dataclass(frozen=True)
class Matcher:
    """One label matcher; value is unquoted, and regexes are anchored like Prometheus does."""

    label: str
    op: MatchOp
    value: str
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    def matches(self, value: str) -> bool:
        """Whether a label value satisfies this matcher (Python re stands in for Go's RE2)."""
        if self.op in ("=", "!="):
            return (value == self.value) == (self.op == "=")
        try:
            found = re.fullmatch(self.value, value, re.S) is not None
        except re.error:
            return False
        return found == (self.op == "=~")


@dataclass(frozen=True, kw_only=True)
class SyntaxNode:
    """Base of every PromQL expression and LogQL node: character offsets into the parsed query,
    ignored by equality."""

    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    def children(self) -> tuple[Expr, ...]:
        """Direct sub-expressions, in source order."""
        return ()


@dataclass(frozen=True)
class NumberLiteral(SyntaxNode):
    value: float


@dataclass(frozen=True)
class StringLiteral(SyntaxNode):
    value: str


@dataclass(frozen=True)
class VectorSelector(SyntaxNode):
    """An instant vector selector with its modifiers (`at` is a timestamp, `start()` or `end()`)."""

    name: str | None
    matchers: tuple[Matcher, ...]
    offset_seconds: float | None = None
    at: AtValue | None = None
    anchored: bool = False
    smoothed: bool = False


@dataclass(frozen=True)
class MatrixSelector(SyntaxNode):
    """`vector[range]`; offset and @ live on the inner vector selector, as in Prometheus."""

    vector: VectorSelector
    range_seconds: float
    range_text: str

    def children(self) -> tuple[Expr, ...]:
        return (self.vector,)


@dataclass(frozen=True)
class Subquery(SyntaxNode):
    expr: Expr
    range_seconds: float
    step_seconds: float | None
    range_text: str = ""
    step_text: str = ""
    offset_seconds: float | None = None
    at: AtValue | None = None

    def children(self) -> tuple[Expr, ...]:
        return (self.expr,)


@dataclass(frozen=True)
class Call(SyntaxNode):
    func: str
    args: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.args


@dataclass(frozen=True)
class Aggregation(SyntaxNode):
    """`op [by|without (labels)] ([param,] expr)`; has_grouping tells `sum(x)` from `sum by () (x)`."""

    op: str
    expr: Expr
    param: Expr | None = None
    grouping: tuple[str, ...] = ()
    without: bool = False
    has_grouping: bool = False

    def children(self) -> tuple[Expr, ...]:
        return (self.expr,) if self.param is None else (self.param, self.expr)


@dataclass(frozen=True)
class VectorMatching:
    """`on(...)`/`ignoring(...)` with an optional `group_left/right(...)`."""

    on: bool
    labels: tuple[str, ...]
    group: Literal["left", "right"] | None = None
    include: tuple[str, ...] = ()


@dataclass(frozen=True)
class Binary(SyntaxNode):
    op: str
    lhs: Expr
    rhs: Expr
    bool_modifier: bool = False
    matching: VectorMatching | None = None
    fill_left: float | None = None
    fill_right: float | None = None

    def children(self) -> tuple[Expr, ...]:
        return (self.lhs, self.rhs)


@dataclass(frozen=True)
class Unary(SyntaxNode):
    op: Literal["-", "+"]
    expr: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.expr,)


@dataclass(frozen=True)
class Paren(SyntaxNode):
    expr: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.expr,)


Expr = (
    Aggregation | Binary | Call | MatrixSelector | NumberLiteral | Paren | StringLiteral | Subquery | Unary
    | VectorSelector
)


def walk(expr: Any) -> Iterator[Any]:
    """Every node, pre-order, by `children()`: the PromQL walk (matrix selectors yield their
    vector selector) and the LogQL one (pipeline stages are reached through LogQuery.pipeline)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children()))


def selectors(expr: Expr) -> list[VectorSelector]:
    """Every vector selector in source order, also those inside matrix selectors and subqueries."""
    return [node for node in walk(expr) if isinstance(node, VectorSelector)]


def metric_name(selector: VectorSelector) -> str | None:
    """The metric a selector names, from `name{...}` or an equality `__name__` matcher."""
    if selector.name is not None:
        return selector.name
    for matcher in selector.matchers:
        if matcher.label == "__name__" and matcher.op == "=":
            return matcher.value
    return None
