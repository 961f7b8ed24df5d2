"""Word-level diff of query expressions, in git's `--word-diff=plain` notation."""

from __future__ import annotations

import difflib
import re

# Identifiers, numbers with units, strings, and single punctuation: `rate(x[5m])` -> rate ( x [ 5m ] ).
TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|\$\{?\w+\}?|[A-Za-z_:][\w:.]*|\d+(?:\.\d+)?[a-z]*|\s+|.')


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def word_diff(before: str, after: str) -> str:
    """`sum by (le[-, operation-]) ...`: unchanged text as is, removals in [-..-], additions in {+..+}."""
    old, new = tokens(before), tokens(after)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(old[i1:i2]))
            continue
        if op in ("delete", "replace"):
            out.append("[-" + "".join(old[i1:i2]) + "-]")
        if op in ("insert", "replace"):
            out.append("{+" + "".join(new[j1:j2]) + "+}")
    return "".join(out)


def similarity(before: str, after: str) -> float:
    """0..1, how alike two expressions are by their tokens (used to pair renamed panels)."""
    if not before and not after:
        return 0.0
    return difflib.SequenceMatcher(None, tokens(before), tokens(after), autojunk=False).ratio()
