"""A tiny Python expression model for generated definition modules: each node can be evaluated
(to build the very objects the module will build) and rendered as house-style source (double
quotes, 100 columns, one argument per line when a call does not fit)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Callable

WIDTH = 100
INDENT = 4


@dataclass(frozen=True)
class Name:
    """A name in the generated module (`c`, `PROMETHEUS_DS`, a module constant) and its value."""

    text: str
    value: Any


@dataclass
class Call:
    """`callee(*args, **kwargs)`; `func` is the real callable, `callee` its name in the module."""

    callee: str
    func: Callable[..., Any]
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)


def evaluate(node: Any) -> Any:
    """The value the generated source would compute for this node."""
    if isinstance(node, Name):
        return node.value
    if isinstance(node, Call):
        return node.func(*[evaluate(a) for a in node.args],
                         **{k: evaluate(v) for k, v in node.kwargs.items()})
    if isinstance(node, list):
        return [evaluate(v) for v in node]
    if isinstance(node, tuple):
        return tuple(evaluate(v) for v in node)
    if isinstance(node, dict):
        return {k: evaluate(v) for k, v in node.items()}
    return node


@functools.lru_cache(maxsize=65536)
def _string(text: str) -> str:
    """Double quotes, or single quotes when that saves escaping (PromQL label matchers)."""
    quoted = json.dumps(text, ensure_ascii=False)
    if '"' in text and "'" not in text:
        return "'" + quoted[1:-1].replace('\\"', '"') + "'"
    return quoted


def inline(node: Any) -> str:
    """The node on one line."""
    if isinstance(node, Name):
        return node.text
    if isinstance(node, Call):
        parts = [inline(a) for a in node.args] + [f"{k}={inline(v)}" for k, v in node.kwargs.items()]
        return f"{node.callee}({', '.join(parts)})"
    if isinstance(node, str):
        return _string(node)
    if isinstance(node, bool) or node is None:
        return repr(node)
    if isinstance(node, (int, float)):
        return repr(node)
    if isinstance(node, list):
        return "[" + ", ".join(inline(v) for v in node) + "]"
    if isinstance(node, tuple):
        inner = ", ".join(inline(v) for v in node)
        return f"({inner},)" if len(node) == 1 else f"({inner})"
    if isinstance(node, dict):
        return "{" + ", ".join(f"{_string(str(k))}: {inline(v)}" for k, v in node.items()) + "}"
    raise TypeError(f"cannot render {type(node).__name__}")


def _length(node: Any, memo: dict[int, int]) -> int:
    """len(inline(node)), computed once per container (so wrapping costs the module's size,
    not its size times its depth)."""
    if not isinstance(node, (Call, list, tuple, dict)):
        return len(inline(node))
    key = id(node)
    if key in memo:
        return memo[key]
    if isinstance(node, Call):
        parts = [_length(a, memo) for a in node.args]
        parts += [len(k) + 1 + _length(v, memo) for k, v in node.kwargs.items()]
        size = len(node.callee) + 2
    elif isinstance(node, dict):
        parts = [len(_string(str(k))) + 2 + _length(v, memo) for k, v in node.items()]
        size = 2
    else:
        parts = [_length(v, memo) for v in node]
        size = 3 if isinstance(node, tuple) and len(node) == 1 else 2
    size += sum(parts) + 2 * max(len(parts) - 1, 0)
    memo[key] = size
    return size


def render(node: Any, indent: int = 0, prefix: str = "", suffix: str = "") -> str:
    """`prefix + node + suffix` starting at column `indent`, wrapped to WIDTH; the first line is
    not indented (the caller places it), continuation lines are."""
    return _render(node, indent, prefix, suffix, {})


def _render(node: Any, indent: int, prefix: str, suffix: str, memo: dict[int, int]) -> str:
    if indent + len(prefix) + _length(node, memo) + len(suffix) <= WIDTH:
        return prefix + inline(node) + suffix
    pad = " " * (indent + INDENT)
    close = " " * indent
    if isinstance(node, Call) and node.args and not node.kwargs and isinstance(node.args[-1], (list, dict)):
        # Hug a trailing list or dict: `Row("Now", [` ... `])`, `verbatim({` ... `})`.
        head_size = len(prefix) + len(node.callee) + 1 + sum(_length(a, memo) + 2 for a in node.args[:-1])
        if indent + head_size <= WIDTH:
            head = prefix + node.callee + "(" + "".join(inline(a) + ", " for a in node.args[:-1])
            return _render(node.args[-1], indent, head, ")" + suffix, memo)
    if isinstance(node, Call):
        items = [_render(a, indent + INDENT, "", ",", memo) for a in node.args]
        items += [_render(v, indent + INDENT, f"{k}=", ",", memo) for k, v in node.kwargs.items()]
        return f"{prefix}{node.callee}(\n" + "".join(f"{pad}{i}\n" for i in items) + f"{close}){suffix}"
    if isinstance(node, list) and len(node) == 1 and isinstance(node[0], dict):
        # Hug a lone dict: `[{` ... `}]`.
        return _render(node[0], indent, prefix + "[", "]" + suffix, memo)
    if isinstance(node, (list, tuple)):
        opening, ending = ("[", "]") if isinstance(node, list) else ("(", ")")
        items = [_render(v, indent + INDENT, "", ",", memo) for v in node]
        return f"{prefix}{opening}\n" + "".join(f"{pad}{i}\n" for i in items) + f"{close}{ending}{suffix}"
    if isinstance(node, dict):
        items = [_render(v, indent + INDENT, f"{_string(str(k))}: ", ",", memo) for k, v in node.items()]
        return f"{prefix}{{\n" + "".join(f"{pad}{i}\n" for i in items) + f"{close}}}{suffix}"
    if isinstance(node, str) and " " in node:
        return prefix + _split_string(node, indent + len(prefix), len(suffix)) + suffix
    return prefix + inline(node) + suffix


def _split_string(text: str, column: int, tail: int) -> str:
    """A long string as adjacent literals (Python joins them), broken after spaces."""
    room = max(WIDTH - column - tail - 2, 30)
    chunks: list[str] = []
    current = ""
    for word in text.split(" ")[:-1]:
        piece = word + " "
        if current and len(_string(current + piece)) > room:
            chunks.append(current)
            current = ""
        current += piece
    current += text.split(" ")[-1]
    chunks.append(current)
    if len(chunks) == 1:
        return _string(text)
    pad = " " * column
    return ("\n" + pad).join(_string(c) for c in chunks)
