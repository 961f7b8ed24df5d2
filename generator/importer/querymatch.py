"""Recognise a query that is one of the named queries in generator/queries.py, so the import
writes `q.success_ratio(c, "5m")` instead of the PromQL text.

Candidates are the named functions called with argument values taken from the query itself
(quantiles, windows, `by (...)` label lists) or from small known sets; a candidate matches when
its text for the import's Config equals the query with whitespace outside string literals
removed. Only exact text matches count: a query that means the same but is written differently
stays a string (no false "this is the named query" claims).
"""

from __future__ import annotations

import inspect
import itertools
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from generator import queries
from generator.config import Config

_STRING_OR_SPACE = re.compile(r'("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`)|\s+')
_NUMBER = re.compile(r"(?<![\w.])(0?\.\d+|1(?:\.0+)?)(?![\w.])")
_WINDOW = re.compile(r"\[\s*([^\]\s:]+)\s*\]")
_BY = re.compile(r"\bby\s*\(([^)]*)\)")


def normalise(expr: str) -> str:
    """The query without whitespace outside string literals (the comparison key)."""
    return _STRING_OR_SPACE.sub(lambda m: m.group(1) or "", expr)


@dataclass(frozen=True)
class Constant:
    """A string constant of generator/queries.py passed as a matcher (`q.ORCH`)."""

    name: str
    value: str


@dataclass(frozen=True)
class NamedQuery:
    """A call of a named query: `q.<name>(c, *args)`."""

    name: str
    args: tuple[Any, ...]


def _named_functions() -> list[tuple[str, Callable[..., str]]]:
    return [(name, fn) for name, fn in vars(queries).items()
            if inspect.isfunction(fn) and fn.__module__ == queries.__name__ and not name.startswith("_")]


def _values(param: inspect.Parameter, expr: str) -> list[Any]:
    """Argument values worth trying for one parameter, given the query being matched."""
    name = param.name
    if name == "q":
        return sorted({float(n) for n in _NUMBER.findall(expr)})
    if name == "window":
        return list(dict.fromkeys(_WINDOW.findall(expr)))
    if name == "labels":
        found = [tuple(label.strip() for label in group.split(",") if label.strip() and label.strip() != "le")
                 for group in _BY.findall(expr)]
        return list(dict.fromkeys([*found, ()]))
    if name == "kind":
        return list(dict.fromkeys(re.findall(r"duroxide_([a-z]+)_", expr)))
    return []


def _calls(name: str, fn: Callable[..., str], expr: str) -> Iterator[NamedQuery]:
    """`fn(c)` with its defaults, then with each combination of plausible explicit values."""
    signature = list(inspect.signature(fn).parameters.values())
    params = [p for p in signature if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][1:]
    varargs = any(p.kind == p.VAR_POSITIONAL for p in signature)
    choices: list[list[Any]] = []
    for param in params:
        values = _values(param, expr)
        if param.default is inspect.Parameter.empty:
            if not values:
                return
            choices.append(values)
        else:
            choices.append([_DEFAULT, *values])
    # Matchers passed as *args: the module's string constants whose text the query contains.
    extras: list[tuple[Constant, ...]] = [()]
    if varargs:
        extras += [(c,) for c in _constants() if c.value in expr]
    for combo in itertools.product(*choices):
        # Trailing defaults are left out; a default in the middle is written out.
        args = list(combo)
        for extra in extras:
            full = args + list(extra)
            if extra and _DEFAULT in full:
                # *args need every positional parameter spelled out: use the defaults.
                full = [p.default if a is _DEFAULT else a for p, a in zip(params, args)] + list(extra)
            while full and full[-1] is _DEFAULT:
                full.pop()
            if _DEFAULT in full:
                continue
            yield NamedQuery(name, tuple(full))


def _constants() -> list[Constant]:
    return [Constant(k, v) for k, v in vars(queries).items()
            if k.isupper() and isinstance(v, str) and "=" in v]


_DEFAULT = object()


class Matcher:
    """Named-query lookup for one Config; remembers every expression it has seen."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.functions = _named_functions()
        self._cache: dict[str, NamedQuery | None] = {}

    def match(self, expr: str) -> NamedQuery | None:
        key = normalise(expr)
        if key not in self._cache:
            self._cache[key] = self._search(expr, key)
        return self._cache[key]

    def _search(self, expr: str, key: str) -> NamedQuery | None:
        # Every named query reads a duroxide metric or a duroxide log stream (job or level).
        if "duroxide" not in expr and self.config.job not in expr and "level" not in expr:
            return None
        for name, fn in self.functions:
            for call in _calls(name, fn, expr):
                try:
                    text = fn(self.config, *_values_of(call.args))
                except Exception:  # noqa: BLE001 - a candidate that does not apply is no match
                    continue
                if isinstance(text, str) and normalise(text) == key:
                    return call
        return None

    def text(self, call: NamedQuery) -> str:
        return str(dict(self.functions)[call.name](self.config, *_values_of(call.args)))


def _values_of(args: tuple[Any, ...]) -> list[Any]:
    return [a.value if isinstance(a, Constant) else a for a in args]
