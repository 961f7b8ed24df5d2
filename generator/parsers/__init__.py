"""PromQL and LogQL parsing through the official lezer grammars (run in node), plus Grafana macro substitution."""

from __future__ import annotations

from generator.parsers.bridge import ParserCrashError, ParserUnavailableError, QuerySyntaxError, parse_batch
from generator.parsers.logql import parse_logql, parse_logql_many
from generator.parsers.macros import MacroError, Substitution, find_variables, lint_substitute, substitute
from generator.parsers.promql import parse_promql, parse_promql_many

__all__ = [
    "MacroError", "ParserCrashError", "ParserUnavailableError", "QuerySyntaxError", "Substitution",
    "find_variables", "lint_substitute", "parse_batch", "parse_logql", "parse_logql_many", "parse_promql",
    "parse_promql_many", "substitute",
]
