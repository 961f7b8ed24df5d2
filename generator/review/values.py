"""Leaf-level comparison of JSON values and short renderings of them for reports."""

from __future__ import annotations

import json
from typing import Any, Iterator

MAX_SHOWN = 80


def show(value: Any) -> str:
    """A value as one short line: strings quoted, JSON compact, long text elided."""
    if value is None:
        return "(none)"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def leaves(before: Any, after: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(dotted path, before, after) for every leaf that differs; lists of scalars compare whole."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            yield from leaves(before.get(key), after.get(key), f"{path}.{key}" if path else str(key))
        return
    if (isinstance(before, list) and isinstance(after, list) and len(before) == len(after)
            and any(isinstance(v, (dict, list)) for v in before + after)):
        for index, (a, b) in enumerate(zip(before, after)):
            yield from leaves(a, b, f"{path}[{index}]")
        return
    if before != after:
        yield path, before, after


def without(data: Any, *paths: str) -> Any:
    """A copy of a dict without these dotted paths (for comparing what no explicit check covers)."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    nested: dict[str, list[str]] = {}
    for path in paths:
        head, _, rest = path.partition(".")
        if rest:
            nested.setdefault(head, []).append(rest)
        else:
            out.pop(head, None)
    for head, rests in nested.items():
        if isinstance(out.get(head), dict):
            out[head] = without(out[head], *rests)
    return out


def dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data
