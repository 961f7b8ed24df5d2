"""PromQL and LogQL parsing through the official lezer grammars (run in node), plus Grafana macro substitution."""

from __future__ import annotations

from typing import Any, Sequence

from generator.parsers import logql, promql
from generator.parsers.bridge import (
    ParserCrashError, ParserUnavailableError, QuerySyntaxError, parse_and_convert, parse_batch,
)
from generator.parsers.logql import parse_logql, parse_logql_many
from generator.parsers.macros import MacroError, Substitution, find_variables, lint_substitute, substitute
from generator.parsers.promql import parse_promql, parse_promql_many

__all__ = [
    "MacroError", "ParserCrashError", "ParserUnavailableError", "QuerySyntaxError", "Substitution",
    "find_variables", "lint_substitute", "parse_batch", "parse_logql", "parse_logql_many", "parse_mixed",
    "parse_promql", "parse_promql_many", "substitute",
]

_CONVERTERS = {"promql": promql.convert_tree, "logql": logql.convert_tree}


def parse_mixed(items: Sequence[tuple[str, str]]) -> list[Any]:
    """Parse (language, query) pairs of both languages with a single node process; syntax
    errors are returned in place as QuerySyntaxError."""
    return parse_and_convert(items, _CONVERTERS)  # type: ignore[arg-type]
