"""Alert rule checks: validity (one line naming the rule, build stops) and lint problems.

Invalid definitions (bad name, duplicate, unknown severity, query that does not parse) raise;
quality problems (no summary, no runbook, no `for` on a noisy signal, a metric duroxide never
records) are returned as problems by the rules under alerting/rules/, one module per id.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from generator.alerting.model import NAME_PATTERN, OPS, RECORD_PATTERN, SEVERITIES, AlertRule, RecordingRule
from generator.alerting.rules import RULES
from generator.proof.signals import SIGNALS
from generator.config import Config
from generator.errors import DefinitionError
from generator.parsers import parse_mixed
from generator.parsers.bridge import QuerySyntaxError
from generator.pipeline.spec import ScenarioSpecError, as_spec
from generator.problems import Problem

DURATION = re.compile(r"^(\d+[smhd])+$")


def validate(alerts: Sequence[tuple[AlertRule, str]], recordings: Sequence[tuple[RecordingRule, str]]) -> None:
    """Raise DefinitionError for the first invalid rule (name, severity, for, duplicates)."""
    seen: dict[str, str] = {}
    for rule, source in alerts:
        where = f"{source}: rule {rule.name}"
        if not NAME_PATTERN.match(rule.name):
            raise DefinitionError(f"{where}: name must be CamelCase starting with 'Toygres'")
        if rule.name in seen:
            raise DefinitionError(f"{where}: duplicate alert name (also in {seen[rule.name]})")
        seen[rule.name] = source
        if rule.severity not in SEVERITIES:
            raise DefinitionError(f"{where}: unknown severity {rule.severity!r} (use {', '.join(SEVERITIES)})")
        if not DURATION.match(rule.for_):
            raise DefinitionError(f"{where}: `for` must be a duration like 5m, got {rule.for_!r}")
        if rule.threshold is not None and rule.threshold.op not in OPS:
            raise DefinitionError(f"{where}: threshold operator {rule.threshold.op!r} is not one of "
                                  f"{', '.join(OPS)} (Grafana's threshold step compares strictly)")
        if rule.language not in ("promql", "logql"):
            raise DefinitionError(f"{where}: language must be promql or logql")
        for entry in rule.fires_in:
            try:
                as_spec(entry)
            except ScenarioSpecError as exc:
                raise DefinitionError(f"{where}: fires_in: {exc}") from None
        if rule.signal and rule.signal not in SIGNALS:
            raise DefinitionError(f"{where}: unknown signal {rule.signal!r} (known: {', '.join(sorted(SIGNALS))})")
    for recording, source in recordings:
        if not RECORD_PATTERN.match(recording.record):
            raise DefinitionError(f"{source}: recording rule {recording.record}: name must be level:metric:operations")
        if recording.record in seen:
            raise DefinitionError(f"{source}: duplicate rule name {recording.record}")
        seen[recording.record] = source


def parse_all(alerts: Sequence[tuple[AlertRule, str]],
              recordings: Sequence[tuple[RecordingRule, str]]) -> dict[str, object]:
    """Parse every expression in one batch (rule name -> AST); raise on the first that fails,
    naming the rule."""
    items = [(r.name, f"{s}: rule {r.name}", r.language, r.expr) for r, s in alerts]
    items += [(r.record, f"{s}: recording rule {r.record}", "promql", r.expr) for r, s in recordings]
    asts: dict[str, object] = {}
    for (name, where, lang, _), result in zip(items, parse_mixed([(i[2], i[3]) for i in items])):
        if isinstance(result, QuerySyntaxError):
            kind = "PromQL" if lang == "promql" else "LogQL"
            raise DefinitionError(f"{where}: invalid {kind} at {result.summary}")
        asts[name] = result
    return asts


def check_rules(alerts: Sequence[tuple[AlertRule, str]], recordings: Sequence[tuple[RecordingRule, str]],
                config: Config) -> list[Problem]:
    validate(alerts, recordings)
    asts = parse_all(alerts, recordings)
    problems: list[Problem] = []
    for rule, source in alerts:
        problems.extend(lint_rule(rule, source, asts[rule.name]))
    return problems


def lint_rule(rule: AlertRule, source: str, ast: object) -> Iterable[Problem]:
    """Every alert/* rule's problems for one definition."""
    for check in RULES:
        yield from check.check(rule, source, ast)
