"""The LogQL syntax tree as typed, frozen dataclasses, plus walkers lint and check use to inspect queries."""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Literal

from generator.parsers.promql_ast import Matcher, SyntaxNode as _Node, VectorMatching, walk

__all__ = [
    "LINE_FILTER_OPS", "PARSER_KINDS", "Binary", "Decolorize", "Drop", "Expr", "Keep", "LabelAssignment",
    "LabelExtraction", "LabelFilter", "LabelFilterLogic", "LabelFormat", "LabelReplace", "LineFilter", "LineFormat",
    "LogQuery", "Matcher", "NumberLiteral", "Parser", "RangeAggregation", "Stage", "VectorAggregation",
    "VectorLiteral", "VectorMatching", "log_queries", "walk",
]

LineFilterOp = Literal["|=", "!=", "|~", "!~", "|>", "!>"]
ParserKind = Literal["json", "logfmt", "regexp", "pattern", "unpack"]
LabelFilterKind = Literal["string", "number", "duration", "bytes", "ip"]
# Operator and keyword text to their typed forms, for the converter.
LINE_FILTER_OPS: dict[str, LineFilterOp] = {"|=": "|=", "!=": "!=", "|~": "|~", "!~": "!~", "|>": "|>", "!>": "!>"}
PARSER_KINDS: dict[str, ParserKind] = {
    "json": "json", "logfmt": "logfmt", "regexp": "regexp", "pattern": "pattern", "unpack": "unpack",
}


# Pipeline stages.


@dataclass(frozen=True)
class LineFilter(_Node):
    """`|= "a"`, `|~ "re"`, ...; `or_values` holds `|= "a" or "b"` alternatives; ip marks `|= ip("...")`."""

    op: LineFilterOp
    value: str
    or_values: tuple[str, ...] = ()
    ip: bool = False

    def accepts(self, line: str) -> bool:
        """Whether a line passes this filter (Python re stands in for Go's RE2); pattern and
        ip() filters are not evaluated here and raise ValueError."""
        options = (self.value, *self.or_values)
        if self.ip or self.op not in ("|=", "!=", "|~", "!~"):
            raise ValueError(f"line filter {self.op}{' ip()' if self.ip else ''} is not evaluated")
        if self.op in ("|=", "!="):
            found = any(option in line for option in options)
        else:
            found = any(re.search(option, line) for option in options)
        return found == (self.op in ("|=", "|~"))


@dataclass(frozen=True)
class LabelExtraction:
    """`label="expression"` in `| json` / `| logfmt`; a bare `label` extracts the field of that name."""

    label: str
    expression: str | None = None


@dataclass(frozen=True)
class Parser(_Node):
    """`| json`, `| logfmt [--flags] [extractions]`, `| regexp "re"`, `| pattern "p"`, `| unpack`."""

    kind: ParserKind
    params: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    extractions: tuple[LabelExtraction, ...] = ()


@dataclass(frozen=True)
class LabelFilter(_Node):
    """`label op value`: value is a str for string/ip filters, a float (seconds, bytes) otherwise."""

    label: str
    op: str
    value: str | float
    kind: LabelFilterKind = "string"


@dataclass(frozen=True)
class LabelFilterLogic(_Node):
    """`lhs and rhs` / `lhs or rhs` between label filters; a comma means `and`."""

    op: Literal["and", "or"]
    lhs: LabelFilter | LabelFilterLogic
    rhs: LabelFilter | LabelFilterLogic


@dataclass(frozen=True)
class LineFormat(_Node):
    template: str


@dataclass(frozen=True)
class LabelAssignment:
    """`target=source` renames a label; `target="{{...}}"` (template=True) renders one."""

    target: str
    source: str
    template: bool


@dataclass(frozen=True)
class LabelFormat(_Node):
    assignments: tuple[LabelAssignment, ...]


@dataclass(frozen=True)
class Drop(_Node):
    labels: tuple[str, ...]
    matchers: tuple[Matcher, ...] = ()


@dataclass(frozen=True)
class Keep(_Node):
    labels: tuple[str, ...]
    matchers: tuple[Matcher, ...] = ()


@dataclass(frozen=True)
class Decolorize(_Node):
    pass


Stage = LineFilter | Parser | LabelFilter | LabelFilterLogic | LineFormat | LabelFormat | Drop | Keep | Decolorize


# Expressions.


@dataclass(frozen=True)
class LogQuery(_Node):
    """A stream selector and its pipeline: `{job="x"} |= "error" | logfmt`."""

    selector: tuple[Matcher, ...]
    pipeline: tuple[Stage, ...] = ()


@dataclass(frozen=True)
class RangeAggregation(_Node):
    """`op([param,] log_query [range] [| unwrap ...])`; param is a float, or the label of approx_count_distinct."""

    op: str
    log_query: LogQuery
    range_seconds: float
    range_text: str = ""
    unwrap: str | None = None
    unwrap_conversion: str | None = None
    unwrap_filters: tuple[Stage, ...] = ()
    param: float | str | None = None
    offset_seconds: float | None = None
    grouping: tuple[str, ...] = ()
    without: bool = False
    has_grouping: bool = False

    def children(self) -> tuple[Expr, ...]:
        return (self.log_query,)


@dataclass(frozen=True)
class VectorAggregation(_Node):
    op: str
    expr: Expr
    param: float | None = None
    grouping: tuple[str, ...] = ()
    without: bool = False
    has_grouping: bool = False

    def children(self) -> tuple[Expr, ...]:
        return (self.expr,)


@dataclass(frozen=True)
class Binary(_Node):
    op: str
    lhs: Expr
    rhs: Expr
    bool_modifier: bool = False
    matching: VectorMatching | None = None

    def children(self) -> tuple[Expr, ...]:
        return (self.lhs, self.rhs)


@dataclass(frozen=True)
class LabelReplace(_Node):
    expr: Expr
    destination: str
    replacement: str
    source: str
    regex: str

    def children(self) -> tuple[Expr, ...]:
        return (self.expr,)


@dataclass(frozen=True)
class NumberLiteral(_Node):
    value: float


@dataclass(frozen=True)
class VectorLiteral(_Node):
    """`vector(1)`."""

    value: float


Expr = LogQuery | RangeAggregation | VectorAggregation | Binary | LabelReplace | NumberLiteral | VectorLiteral


def log_queries(expr: Expr) -> list[LogQuery]:
    """Every log query (stream selector plus pipeline) inside an expression, in source order."""
    return [node for node in walk(expr) if isinstance(node, LogQuery)]
