"""What the LogQL lint rules know about the lines: the log catalogue's events as sample lines
(placeholders and values stand-ins), which events a query's fixed filters can select, and the
fields a query parses and uses."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable

from generator.log_catalogue import DEBUG, EVENTS, NUMBER, QUOTED, LogEvent
from generator.parsers import logql
from generator.parsers.logql_ast import (
    LabelFilter, LabelFilterLogic, LineFilter, LineFormat, LogQuery, Parser, RangeAggregation,
    VectorAggregation, walk,
)

# Stream labels some shipping method gives (push, promtail, otlp) and Loki's own.
STREAM_LABELS = frozenset({"job", "level", "source", "service_name", "instance_id", "orchestration_name",
                           "activity_name", "__error__", "__error_details__", "__line__", "__stream_shard__",
                           "detected_level", "service_name"})
_FIELD_REF = re.compile(r"(?<![\w<])([A-Za-z_]\w*)=")
_TEMPLATE_FIELD = re.compile(r"\{\{\s*\.(\w+)")


def _stand_in(kind: str) -> str:
    return {QUOTED: '"x"', NUMBER: "1", DEBUG: "None"}.get(kind, "x")


@lru_cache(maxsize=None)
def sample_lines() -> tuple[tuple[LogEvent, str], ...]:
    """One line per event and level, values replaced by stand-ins."""
    out = []
    for event in EVENTS:
        message = re.sub(r"\{[^}]*\}", "x", event.template)
        fields = "".join(f" {f.name}={_stand_in(f.kind)}" for f in event.fields)
        # Events inside an #[instrument]ed function carry its span prefix, one sample per span.
        scopes = [f"{span}{{x=1}}: " for span in event.spans] or [""]
        for level in event.levels:
            for scope in scopes:
                out.append((event, f"2024-01-01T00:00:00.000000Z {level:>5} {scope}{event.target}: {message}{fields}"))
    return tuple(out)


def structural(stage: LineFilter) -> bool:
    """Does a positive filter test the lines' structure (level, target, message, field names)
    rather than values (an instance id)? Only those narrow the candidate events."""
    if stage.op not in ("|=", "|~") or stage.ip:
        return False
    texts = (stage.value, *stage.or_values)
    if any(not t for t in texts):
        return False
    lines = [line for _, line in sample_lines()]
    return all(any(_passes(stage.op, t, line) for line in lines) for t in texts)


def _passes(op: str, text: str, line: str) -> bool:
    if op == "|=":
        return text in line
    try:
        return re.search(text, line) is not None
    except re.error:
        return True


def candidates(query: LogQuery) -> list[LogEvent] | None:
    """The events whose lines pass the query's structural line filters (None: not narrowed)."""
    stages = [s for s in query.pipeline if isinstance(s, LineFilter) and structural(s)]
    if not stages:
        return None
    out = []
    for event, line in sample_lines():
        if all(any(_passes(s.op, t, line) for t in (s.value, *s.or_values)) for s in stages):
            if event not in out:
                out.append(event)
    return out


def filter_field_refs(query: LogQuery) -> list[str]:
    """Field names a line filter names as `name=`."""
    names = []
    for stage in query.pipeline:
        if isinstance(stage, LineFilter) and stage.op in ("|=", "|~"):
            for text in (stage.value, *stage.or_values):
                names.extend(_FIELD_REF.findall(text))
    return names


def parsed_field_refs(tree: Any, query: LogQuery) -> list[str]:
    """Labels a query uses after a parser (label filters, line_format, grouping, unwrap)."""
    if not any(isinstance(s, Parser) for s in query.pipeline):
        return []
    names: list[str] = []
    parsed_seen = False
    for stage in query.pipeline:
        if isinstance(stage, Parser):
            parsed_seen = True
            names.extend(e.label for e in stage.extractions)
            if stage.kind == "regexp" and stage.params:
                return []  # regexp names its own labels
        elif parsed_seen and isinstance(stage, (LabelFilter, LabelFilterLogic)):
            names.extend(_labels(stage))
        elif parsed_seen and isinstance(stage, LineFormat):
            names.extend(_TEMPLATE_FIELD.findall(stage.template))
    for node in walk(tree):
        if isinstance(node, RangeAggregation) and node.log_query is query:
            names.extend([node.unwrap] if node.unwrap else [])
            names.extend(node.grouping)
        elif isinstance(node, VectorAggregation):
            names.extend(node.grouping)
    return names


def _labels(stage: LabelFilter | LabelFilterLogic) -> list[str]:
    if isinstance(stage, LabelFilterLogic):
        return _labels(stage.lhs) + _labels(stage.rhs)
    return [stage.label]


def log_queries(tree: Any) -> Iterable[LogQuery]:
    return logql.log_queries(tree)
