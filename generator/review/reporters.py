"""Reporters for a review Report: text for terminals, markdown for pull requests, JSON for machines.

Text and markdown are rendered from the jinja2 templates next to this module.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from typing import Callable

import jinja2

from generator.review.model import SUMMARY_NOUNS, Change, ItemDiff, Report

# The hidden marker the pull-request workflow finds its own comment by (updated, never duplicated).
COMMENT_MARKER = "<!-- dashgen-review -->"


def _md(text: str) -> str:
    """Escape what GitHub markdown would otherwise interpret in titles and details."""
    out = str(text)
    for char in ("\\", "`", "*", "_", "<", ">", "|", "[", "]"):
        out = out.replace(char, "\\" + char)
    return out


def _item_summary(item: ItemDiff) -> str:
    if item.status in ("added", "removed"):
        return item.status
    kinds = Counter(SUMMARY_NOUNS.get(c.kind, (c.kind, c.kind)) for c in item.changes)
    parts = [f"{n} {forms[0] if n == 1 else forms[1]}" for forms, n in sorted(kinds.items())]
    if item.layout:
        parts.append(f"{len(item.layout)} layout change{'s' if len(item.layout) > 1 else ''}")
    return ", ".join(parts) or "changed"


def _change_line(change: Change) -> str:
    if change.words:
        return _md(change.detail.split(": ", 1)[0]) + ":"
    return _md(change.detail)


def _grouped(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    """Changes grouped by the panel (or dashboard part) they are about, in report order."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.subject.split(" / ")[0], []).append(change)
    return list(groups.items())


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("generator.review", "templates"),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters["md"] = _md
    env.globals.update(item_summary=_item_summary, change_line=_change_line, grouped=_grouped)
    return env


def render_text(report: Report) -> str:
    text = _environment().get_template("diff.txt.j2").render(report=report)
    lines = [f"warning: {w}" for w in report.warnings] + [f"error: {e}" for e in report.errors]
    return "\n".join(lines + [text.rstrip("\n")]) + "\n"


def render_markdown(report: Report, marker: bool = False, open_sections: bool = False) -> str:
    text = _environment().get_template("diff.md.j2").render(
        report=report, marker=COMMENT_MARKER if marker else "", open=open_sections)
    # Templates keep blank lines readable; collapse runs of them for a tidy comment.
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return "\n".join(lines).rstrip("\n") + "\n"


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


REPORTERS: dict[str, Callable[[Report], str]] = {"text": render_text, "markdown": render_markdown,
                                                 "json": render_json}
