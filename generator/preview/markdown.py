"""The markdown subset text panels use (headings, paragraphs, lists, bold, italics, code, links),
rendered to HTML with everything else escaped."""

from __future__ import annotations

import html
import re

from markupsafe import Markup

INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*([^*]+)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])"), r"<em>\1</em>"),
    (re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)"), r'<a href="\2">\1</a>'),
]


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    for pattern, replacement in INLINE:
        out = pattern.sub(replacement, out)
    return out


def to_html(text: str) -> Markup:
    blocks: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        heading = re.match(r"(#{1,6})\s+(.*)", lines[0]) if lines else None
        if heading and len(lines) == 1:
            level = len(heading.group(1))
            blocks.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif lines and all(re.match(r"\s*([*-]|\d+\.)\s+", line) or line.startswith("  ") for line in lines):
            items: list[str] = []
            for line in lines:
                item = re.match(r"\s*(?:[*-]|\d+\.)\s+(.*)", line)
                if item:
                    items.append(item.group(1))
                elif items:
                    items[-1] += " " + line.strip()
            blocks.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
        else:
            blocks.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    return Markup("\n".join(blocks))
