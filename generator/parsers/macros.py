"""Grafana's macro and template-variable substitution, done before a query is parsed, run or linted.

Grafana rewrites `$__rate_interval`, `$var`, `${var:regex}`, `[[var]]`, ... before a query reaches
Prometheus or Loki, so dashgen must do the same before it can parse one. `substitute` renders real
values (for check and preview); `lint_substitute` puts a valid placeholder in every macro so any
query can be parsed for lint, and maps error positions back to the query as written.

Simplifications, all deliberate:
- Durations render in the largest whole unit (`1m`, `4m`, `90s`, `1h`); Grafana sometimes writes
  `60s` for `$__rate_interval`, which Prometheus and Loki read identically.
- Multi-value variables render as a regex alternation `(a|b)` with every value regex-escaped
  (also for `:regex`); every other Grafana format (`FORMATS`) renders as Grafana's format registry
  does (`:pipe` a|b, `:csv`/`:raw` a,b, `:glob` {a,b}, `:json`, `:singlequote`, `:doublequote`,
  `:sqlstring`, `:lucene`, `:percentencode`, `:queryparam`, `:distributed`, `:text`, `:date...`).
  An unknown format raises MacroError, which lint reports on that target only.
- `$__from` / `$__to` are the range's end minus the range and its end, in ms; `:date` renders ISO
  8601, `:date:seconds` epoch seconds, `:date:iso` ISO, any other date pattern a fixed-width text.
- The include-all value (`$__all`, or a current text of `All`) renders as `.*`, the custom
  all-value every dashgen dashboard uses.
- Unknown variables are left untouched, as Grafana leaves them.
"""

from __future__ import annotations

import html
import json
import re
from bisect import bisect_right
from datetime import datetime, timezone
from urllib.parse import quote
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from generator.errors import DashgenError
from generator.parsers.literals import format_duration

__all__ = [
    "BUILTIN_VARIABLES", "FORMATS", "MacroError", "Substitution", "find_variables", "format_errors",
    "lint_substitute", "substitute",
]

# `$name`, `[[name]]`, `[[name:format]]`, `${name}`, `${name:format}` (Grafana's variableRegex).
_MACRO_RE = re.compile(
    r"\$(?P<plain>\w+)"
    r"|\[\[(?P<bracket>\w+?)(?::(?P<bracket_format>\w+))?\]\]"
    r"|\$\{(?P<brace>\w+)(?:\.[^:}]+)?(?::(?P<brace_format>[^}]+))?\}"
)
# Macros that render as a duration and as a plain number.
_DURATION_MACROS = frozenset({"__interval", "__rate_interval", "__range", "__auto"})
_NUMBER_MACROS = frozenset({"__interval_ms", "__rate_interval_ms", "__range_s", "__range_ms", "__from", "__to"})
# Every format Grafana's format registry knows (`${var:format}`); `date` takes an argument.
FORMATS = frozenset({"csv", "distributed", "doublequote", "glob", "html", "json", "lucene", "percentencode",
                     "pipe", "raw", "regex", "singlequote", "sqlstring", "text", "queryparam", "date"})
_LUCENE_SPECIAL_RE = re.compile(r'([+\-!(){}\[\]^"~*?:\\/])')
# The range end lint assumes when no real one is given (a fixed instant keeps output stable).
DEFAULT_END_SECONDS = 1_700_000_000
# Every global Grafana defines itself; anything else must be a dashboard variable.
BUILTIN_VARIABLES = _DURATION_MACROS | _NUMBER_MACROS | {"__dashboard", "__org", "__user", "__timezone", "__name"}
ALL_VALUES = frozenset({"$__all", "All"})
# Characters Grafana escapes in regex context; the doubled backslash survives PromQL/LogQL string
# unquoting, so the regex engine sees `\.`.
_REGEX_SPECIAL_RE = re.compile(r"[$^*+?.()|\\\[\]{}']")
# Functions whose first argument must be a number in LogQL (and reads as one in PromQL).
_NUMERIC_FIRST_ARGUMENT = frozenset({
    "topk", "bottomk", "quantile", "limitk", "limit_ratio", "quantile_over_time", "approx_topk", "vector",
    "histogram_quantile",
})
_DURATION_PLACEHOLDER, _NUMBER_PLACEHOLDER, _NAME_PLACEHOLDER = "1m", "1", "x"


class MacroError(DashgenError):
    """A template variable uses a format dashgen cannot render."""


def _name_and_format(match: re.Match[str]) -> tuple[str, str | None]:
    name = match.group("plain") or match.group("bracket") or match.group("brace")
    return name, match.group("bracket_format") or match.group("brace_format")


def _is_variable_name(name: str) -> bool:
    """`$1` in a label_replace replacement is a capture group, not a variable."""
    return not name.isdigit()


def find_variables(query: str) -> set[str]:
    """Names of the variables a query references, leaving out Grafana's built-ins, so lint can flag undefined ones."""
    names = {_name_and_format(match)[0] for match in _MACRO_RE.finditer(query)}
    return {name for name in names if _is_variable_name(name) and name not in BUILTIN_VARIABLES}


def _regex_escape(value: str) -> str:
    return _REGEX_SPECIAL_RE.sub(lambda match: "\\\\" + match.group(0), value)


def _base_format(fmt: str | None) -> str | None:
    return None if fmt is None else fmt.split(":", 1)[0]


def format_errors(query: str) -> list[str]:
    """`${name:format}` uses whose format Grafana does not know, as messages (for a lint finding)."""
    errors = []
    for match in _MACRO_RE.finditer(query):
        name, fmt = _name_and_format(match)
        if fmt is not None and _base_format(fmt) not in FORMATS:
            errors.append(f"${{{name}:{fmt}}} uses format {fmt!r}, which Grafana does not know "
                          f"(known: {', '.join(sorted(FORMATS))})")
    return errors


def _quote(values: list[str], quote: str, escape: str) -> str:
    return ",".join(f"{quote}{v.replace(quote, escape)}{quote}" for v in values)


def _render(value: str | Sequence[str], fmt: str | None, name: str = "var") -> str:
    """A variable's value as Grafana writes it into a Prometheus or Loki query."""
    values = [value] if isinstance(value, str) else list(value)
    if any(item in ALL_VALUES for item in values):
        return ".*"
    base = _base_format(fmt)
    multi = len(values) != 1
    if base in (None, "regex"):
        if not multi:
            return _regex_escape(values[0]) if base == "regex" else values[0]
        return "(" + "|".join(_regex_escape(item) for item in values) + ")"
    if base == "pipe":
        return "|".join(values)
    if base in ("raw", "csv", "text"):
        return ",".join(values)
    if base == "glob":
        return "{" + ",".join(values) + "}" if multi else values[0]
    if base == "json":
        return json.dumps(values if multi else values[0])
    if base == "singlequote":
        return _quote(values, "'", "\\'")
    if base == "doublequote":
        return _quote(values, '"', '\\"')
    if base == "sqlstring":
        return _quote(values, "'", "''")
    if base == "lucene":
        escaped = [_LUCENE_SPECIAL_RE.sub(r"\\\1", v) for v in values]
        return "(" + " OR ".join(f'"{v}"' for v in escaped) + ")" if multi else escaped[0]
    if base == "percentencode":
        encoded = [quote(v, safe="") for v in values]
        return quote("{" + ",".join(values) + "}", safe="") if multi else encoded[0]
    if base == "distributed":
        return ",".join(values)
    if base == "html":
        return ", ".join(html.escape(v) for v in values)
    if base == "queryparam":
        return "&".join(f"var-{name}={quote(v, safe='')}" for v in values)
    if base == "date":
        return values[0]
    raise MacroError(f"variable format {fmt!r} is not supported")


def _time(milliseconds: int, fmt: str | None) -> str:
    """`$__from` / `$__to` in a format: ms by default, `date:seconds`, `date`/`date:iso`, a pattern."""
    if fmt is None or _base_format(fmt) != "date":
        return _render(str(milliseconds), fmt)
    argument = fmt.split(":", 1)[1] if ":" in fmt else "iso"
    if argument == "seconds":
        return str(milliseconds // 1000)
    stamp = datetime.fromtimestamp(milliseconds / 1000, tz=timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{milliseconds % 1000:03d}Z"


def substitute(
    query: str,
    variables: Mapping[str, str | list[str]],
    *,
    interval_seconds: float,
    rate_interval_seconds: float,
    range_seconds: float,
    end_seconds: float | None = None,
) -> str:
    """The query with every macro and defined variable replaced as Grafana would before sending it."""
    end_ms = round((DEFAULT_END_SECONDS if end_seconds is None else end_seconds) * 1000)
    times = {"__to": end_ms, "__from": end_ms - round(range_seconds * 1000)}
    builtins = {
        "__interval": format_duration(interval_seconds),
        "__auto": format_duration(interval_seconds),
        "__interval_ms": str(round(interval_seconds * 1000)),
        "__rate_interval": format_duration(rate_interval_seconds),
        "__rate_interval_ms": str(round(rate_interval_seconds * 1000)),
        "__range": format_duration(range_seconds),
        "__range_s": str(round(range_seconds)),
        "__range_ms": str(round(range_seconds * 1000)),
    }

    def replace(match: re.Match[str]) -> str:
        name, fmt = _name_and_format(match)
        if name in times:
            return _time(times[name], fmt)
        if name in builtins:
            return builtins[name]
        if name in variables:
            return _render(variables[name], fmt, name)
        return match.group(0)

    return _MACRO_RE.sub(replace, query)


@dataclass(frozen=True)
class Substitution:
    """A query with placeholders in place of macros, and the map back to the query as written."""

    original: str
    text: str
    # (start, end) in `text` and (start, end) in `original` of every replaced macro, in order.
    spans: tuple[tuple[int, int, int, int], ...]
    # Variables referenced but neither defined nor built in.
    undefined: frozenset[str]

    def to_original(self, offset: int, *, end: bool = False) -> int:
        """An offset in `text` as one in `original`; inside a placeholder, the macro's start (or end)."""
        index = bisect_right([span[0] for span in self.spans], offset) - 1
        if index < 0:
            return offset
        new_start, new_end, old_start, old_end = self.spans[index]
        if offset < new_end or (end and offset == new_end and offset > new_start):
            return old_end if end else old_start
        return offset + (old_end - new_end)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """A [start, end) span in `text` as the covering span in `original`."""
        return self.to_original(start), max(self.to_original(start), self.to_original(end, end=True))


class _Context:
    """Tracks whether a position is inside a string or a `[...]` range while scanning left to right."""

    def __init__(self) -> None:
        self.quote: str | None = None
        self.escaped = False
        self.depth = 0

    def feed(self, text: str) -> None:
        for char in text:
            if self.quote is not None:
                if self.escaped:
                    self.escaped = False
                elif char == "\\" and self.quote != "`":
                    self.escaped = True
                elif char == self.quote:
                    self.quote = None
            elif char in "\"'`":
                self.quote = char
            elif char == "[":
                self.depth += 1
            elif char == "]":
                self.depth = max(0, self.depth - 1)


def _placeholder(name: str, query: str, start: int, end: int, context: _Context) -> str:
    """A placeholder that keeps the query valid where the macro stands (string, range, number or name)."""
    if name in _DURATION_MACROS:
        return _DURATION_PLACEHOLDER
    if context.quote is None and context.depth > 0:
        return _DURATION_PLACEHOLDER
    if name in _NUMBER_MACROS:
        return _NUMBER_PLACEHOLDER
    if context.quote is not None:
        return _NAME_PLACEHOLDER
    before = query[:start].rstrip()
    after = query[end:].lstrip()
    if re.search(r"\boffset$", before, re.I):
        return _DURATION_PLACEHOLDER
    if after[:1] == "{" or before[-1:].isalnum() or before[-1:] == "_":
        return _NAME_PLACEHOLDER
    if before[-1:] and before[-1] in "<>=!+-*/%^":
        return _NUMBER_PLACEHOLDER
    function = re.search(r"(\w+)\s*\($", before)
    if function and function.group(1).lower() in _NUMERIC_FIRST_ARGUMENT:
        return _NUMBER_PLACEHOLDER
    return _NAME_PLACEHOLDER


def lint_substitute(query: str, variable_names: Collection[str]) -> Substitution:
    """Replaces every macro and variable with a valid placeholder so any Grafana query parses for lint."""
    defined = set(variable_names)
    context = _Context()
    pieces: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    undefined: set[str] = set()
    position = length = 0
    for match in _MACRO_RE.finditer(query):
        name, _ = _name_and_format(match)
        if not _is_variable_name(name):
            continue
        if name not in defined and name not in BUILTIN_VARIABLES:
            undefined.add(name)
        context.feed(query[position:match.start()])
        placeholder = _placeholder(name, query, match.start(), match.end(), context)
        pieces.append(query[position:match.start()])
        length += match.start() - position
        spans.append((length, length + len(placeholder), match.start(), match.end()))
        pieces.append(placeholder)
        length += len(placeholder)
        position = match.end()
    pieces.append(query[position:])
    return Substitution(query, "".join(pieces), tuple(spans), frozenset(undefined))
