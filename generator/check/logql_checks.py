"""LogQL targets checked against the simulated log streams, as far as can be done without Loki.

Verified: the stream selector matches a stream the configured shipping method produces; the
pipeline's line filters, logfmt/regexp parsers and label filters keep at least one simulated
line in some scenario; label filters name labels or parsed fields that exist. Not verified:
Loki's own evaluation (metric query arithmetic, line_format output, json parsing, timing).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Sequence

from generator.pipeline import ScenarioRun
from generator.config import Config
from generator.walker import TargetCtx, variable_values
from generator.parsers import logql
from generator.parsers.logql_ast import (
    LabelFilter, LabelFilterLogic, LineFilter, LogQuery, Parser,
)
from generator.parsers.macros import substitute
from generator.parsers.promql_ast import Matcher
from generator.problems import Problem, Severity

LOGFMT = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)')


def _line_ok(stage: LineFilter, line: str) -> bool:
    try:
        return stage.accepts(line)
    except ValueError:
        return True  # pattern and ip() filters are not evaluated here (see the module docstring)


def _fields(line: str) -> dict[str, str]:
    return {k: v.strip('"') for k, v in LOGFMT.findall(line)}


def label_ok(stage: LabelFilter | LabelFilterLogic, labels: Mapping[str, str]) -> bool:
    """Whether a line's labels (stream and parsed) pass a LogQL label filter."""
    if isinstance(stage, LabelFilterLogic):
        left, right = label_ok(stage.lhs, labels), label_ok(stage.rhs, labels)
        return (left and right) if stage.op == "and" else (left or right)
    value = labels.get(stage.label, "")
    if stage.kind == "string":
        return Matcher(stage.label, stage.op, str(stage.value)).matches(value)  # type: ignore[arg-type]
    try:
        number, target = float(value), float(stage.value)
    except ValueError:
        return False
    return {">": number > target, ">=": number >= target, "<": number < target, "<=": number <= target,
            "==": number == target, "=": number == target, "!=": number != target}.get(stage.op, False)


def _filter_labels(stage: LabelFilter | LabelFilterLogic) -> list[str]:
    if isinstance(stage, LabelFilterLogic):
        return _filter_labels(stage.lhs) + _filter_labels(stage.rhs)
    return [stage.label]


def run_pipeline(query: LogQuery, stream: dict[str, str], lines: Iterable[str]) -> tuple[int, set[str]]:
    """(lines surviving the pipeline, label names available to label filters)."""
    known = set(stream)
    survivors = 0
    for line in lines:
        labels = dict(stream)
        alive = True
        for stage in query.pipeline:
            if isinstance(stage, LineFilter):
                alive = _line_ok(stage, line)
            elif isinstance(stage, Parser) and stage.kind == "logfmt":
                parsed = _fields(line)
                known |= set(parsed)
                labels.update(parsed)
            elif isinstance(stage, Parser) and stage.kind == "regexp" and stage.params:
                pattern = re.sub(r"\(\?P?<", "(?P<", stage.params[0])
                known |= set(re.compile(pattern).groupindex)
                match = re.search(pattern, line)
                labels.update(match.groupdict() if match else {})
            elif isinstance(stage, (LabelFilter, LabelFilterLogic)):
                alive = label_ok(stage, labels)
            if not alive:
                break
        survivors += alive
    return survivors, known


def check(targets: Sequence[TargetCtx], runs: Sequence[ScenarioRun], config: Config) -> list[Problem]:
    problems: list[Problem] = []
    for target in targets:
        problems.extend(_check_target(target, runs, config))
    return problems


# The LogQL checks' ids (they run together, over the simulated streams), for --list-rules.
RULES: tuple[tuple[str, Severity, str], ...] = (
    ("logql/stream-selector", Severity.ERROR, "The stream selector matches a stream the configured log shipping produces."),
    ("logql/unknown-field", Severity.ERROR, "Label filters name labels the stream or the pipeline's parsers have."),
    ("logql/no-lines", Severity.ERROR, "The pipeline keeps at least one simulated log line in some scenario."),
)


def _problem(target: TargetCtx, rule: str, message: str, severity: Severity = Severity.ERROR) -> Problem:
    d = target.panel.dashboard
    return Problem(rule, severity, message, dashboard=d.uid, panel=target.panel.title, target=target.ref_id,
                   file=d.file)


def _check_target(target: TargetCtx, runs: Sequence[ScenarioRun], config: Config) -> Iterable[Problem]:
    values = variable_values(target.panel.dashboard.data)
    text = substitute(target.expr, values, interval_seconds=config.scrape_interval_seconds,
                      rate_interval_seconds=4 * config.scrape_interval_seconds, range_seconds=3600)
    try:
        ast: Any = logql.parse_logql(text)
    except Exception:  # noqa: BLE001 - lint's logql/parse reports it
        return
    streams = {tuple(sorted(labels.items())) for run in runs for labels, _ in run.streams}
    for query in logql.log_queries(ast):
        selected = [dict(s) for s in streams if all(m.matches(dict(s).get(m.label, "")) for m in query.selector)]
        if not selected:
            shown = "; ".join("{" + ", ".join(f'{k}="{v}"' for k, v in s) + "}" for s in sorted(streams))
            yield _problem(target, "logql/stream-selector",
                           f"stream selector matches none of the streams {config.log_shipping} shipping produces ({shown})")
            continue
        total, known = 0, set()
        for run in runs:
            for labels, lines in run.streams:
                if labels in selected:
                    survivors, names = run_pipeline(query, labels, lines)
                    total += survivors
                    known |= names
        for stage in query.pipeline:
            if isinstance(stage, (LabelFilter, LabelFilterLogic)):
                for name in _filter_labels(stage):
                    if name not in known and name != "__error__":
                        yield _problem(target, "logql/unknown-field",
                                       f"label filter on {name!r}, which neither the stream labels nor the parsed fields have")
        if total == 0:
            yield _problem(target, "logql/no-lines",
                           f"the pipeline keeps no simulated log line in any of {len(runs)} scenarios: the panel is always empty")
