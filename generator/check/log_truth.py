"""check for logs: does each log panel (and the LogQL alert rule) show the lines it claims to?

Each log panel declares what it shows (generator.check.log_claims); the simulation records the
catalogue event of every line it wrote. For every scenario, the lines the panel's LogQL keeps
(stream selector, line filters, logfmt/regexp parsers, label filters; variables at their
defaults) are compared with the recorded lines of the claimed events: a claimed line the query
drops is an error (`logql/hides-lines`). Panels that filter on `$instance_id` are run a second
time with an instance chosen: every claimed line naming it (`instance_id=` or `instance=`) must
be kept (`logql/instance-filter`), and none naming another instance. A claim no scenario
produced a line for proves nothing and is an error too (`logql/claim-unproven`).

Evaluated here, not in Loki: Python's `re` stands in for RE2, pattern and ip() filters are not
evaluated (treated as keeping the line), line_format and other formatting stages do not filter.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from generator.check.log_claims import Claim, ClaimError, parse_claim
from generator.check.logql_checks import label_ok
from generator.config import Config
from generator.parsers import logql
from generator.parsers.logql_ast import LabelFilter, LabelFilterLogic, LineFilter, LogQuery, Parser
from generator.parsers.macros import substitute
from generator.problems import Problem, Severity
from generator.walker import TargetCtx, variable_values

CLAIMS_FILE = "log-claims.json"
INSTANCE_VARIABLE = "instance_id"
_LOGFMT = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)')


@dataclass(frozen=True)
class LogLine:
    """One simulated line as Loki stores it, with the truth about it."""

    labels: Mapping[str, str]
    line: str
    event: str
    level: str
    fields: Mapping[str, str]

    @property
    def instance(self) -> str:
        """The instance the line names (as instance_id= or instance=), "" if none."""
        return self.fields.get("instance", "")


def lines_of(push: Mapping[str, Any]) -> list[LogLine]:
    """A Loki push body recorded with its events (loki_push_body(with_events=True)) as lines."""
    out = []
    for stream in push.get("streams", []):
        labels = dict(stream["stream"])
        for (_, line), (event, level, instance, duration) in zip(stream["values"], stream.get("events", [])):
            fields = {"instance": instance} if instance else {}
            if duration:
                fields["duration_ms"] = duration
            out.append(LogLine(labels, line, event, level, fields))
    return out


def load_claims(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


LineTest = Callable[[Mapping[str, str], str], bool]


def compile_query(query: LogQuery) -> LineTest:
    """A predicate (stream labels, line) -> kept, for one log query's selector and pipeline."""
    matchers = query.selector
    stages: list[Callable[[dict[str, str], str], bool]] = []
    for stage in query.pipeline:
        if isinstance(stage, LineFilter):
            stages.append(_line_stage(stage))
        elif isinstance(stage, Parser) and stage.kind == "logfmt":
            stages.append(_logfmt_stage)
        elif isinstance(stage, Parser) and stage.kind == "regexp" and stage.params:
            stages.append(_regexp_stage(re.compile(re.sub(r"\(\?P?<", "(?P<", stage.params[0]))))
        elif isinstance(stage, (LabelFilter, LabelFilterLogic)):
            stages.append(lambda labels, _line, s=stage: label_ok(s, labels))

    def keeps(stream: Mapping[str, str], line: str) -> bool:
        if not all(m.matches(stream.get(m.label, "")) for m in matchers):
            return False
        labels = dict(stream)
        return all(test(labels, line) for test in stages)
    return keeps


def _line_stage(stage: LineFilter) -> Callable[[dict[str, str], str], bool]:
    if stage.ip or stage.op not in ("|=", "!=", "|~", "!~"):
        return lambda _labels, _line: True
    options = (stage.value, *stage.or_values)
    positive = stage.op in ("|=", "|~")
    if stage.op in ("|=", "!="):
        return lambda _labels, line: any(o in line for o in options) == positive
    patterns = [re.compile(o) for o in options]
    return lambda _labels, line: any(p.search(line) for p in patterns) == positive


def _logfmt_stage(labels: dict[str, str], line: str) -> bool:
    labels.update({k: v.strip('"') for k, v in _LOGFMT.findall(line)})
    return True


def _regexp_stage(pattern: re.Pattern[str]) -> Callable[[dict[str, str], str], bool]:
    def stage(labels: dict[str, str], line: str) -> bool:
        match = pattern.search(line)
        if match:
            labels.update({k: v for k, v in match.groupdict().items() if v is not None})
        return True
    return stage


def _selections(texts: Iterable[str]) -> dict[str, LineTest | None]:
    """Each query text's line test, parsed in one node process (None: it does not parse)."""
    unique = sorted(set(texts))
    out: dict[str, LineTest | None] = {}
    for text, tree in zip(unique, logql.parse_logql_many(unique)):
        if isinstance(tree, Exception):
            out[text] = None  # lint's logql/parse reports it
            continue
        tests = [compile_query(q) for q in logql.log_queries(tree)]
        out[text] = lambda stream, line, tests=tests: any(t(stream, line) for t in tests)
    return out


@dataclass(frozen=True)
class Subject:
    """A LogQL query that claims to show something: a panel target or an alert rule."""

    expr: str
    claim: Claim
    variables: Mapping[str, str]
    dashboard: str
    panel: str
    ref: str
    file: str

    def problem(self, rule: str, message: str) -> Problem:
        return Problem(rule, Severity.ERROR, message, dashboard=self.dashboard, panel=self.panel, target=self.ref,
                       file=self.file)


def _text(subject: Subject, config: Config, **override: str) -> str:
    values = {**subject.variables, **override}
    return substitute(subject.expr, values, interval_seconds=config.scrape_interval_seconds,
                      rate_interval_seconds=4 * config.scrape_interval_seconds, range_seconds=3600)


Runs = Sequence[tuple[str, Sequence[LogLine]]]


def prove_all(subjects: Sequence[Subject], runs: Runs, config: Config) -> list[Problem]:
    """Compare what each subject's query keeps with the claimed lines of every run."""
    plans = []
    for subject in subjects:
        uses_instance = f"${INSTANCE_VARIABLE}" in subject.expr or "${" + INSTANCE_VARIABLE in subject.expr
        per_run = []
        table = subject.claim.by_event()
        covers = subject.claim.covers
        for key, lines in runs:
            claimed = [ln for ln in lines
                       if (table.get((ln.event, ln.level)) is True)
                       or (table.get((ln.event, ln.level)) is None and covers(ln.event, ln.level, ln.fields))]
            chosen = _choose_instance(claimed) if uses_instance else ""
            per_run.append((key, claimed, chosen))
        plans.append((subject, per_run))
    texts = [_text(s, config) for s, _ in plans]
    texts += [_text(s, config, **{INSTANCE_VARIABLE: chosen}) for s, per_run in plans for _, _, chosen in per_run if chosen]
    tests = _selections(texts)
    problems: list[Problem] = []
    for subject, per_run in plans:
        keeps = tests[_text(subject, config)]
        if keeps is None:
            continue
        compared = 0
        for key, claimed, chosen in per_run:
            compared += len(claimed)
            hidden = [ln for ln in claimed if not keeps(ln.labels, ln.line)]
            if hidden:
                problems.append(subject.problem(
                    "logql/hides-lines",
                    f"claims to show {subject.claim.text!r} but hides {len(hidden)} of {len(claimed)} such lines "
                    f"in {key} ({_events(hidden)}), e.g. {_short(hidden[0].line)}"))
            if chosen:
                chosen_keeps = tests[_text(subject, config, **{INSTANCE_VARIABLE: chosen})]
                if chosen_keeps is not None:
                    problems.extend(_prove_instance(subject, key, claimed, chosen, chosen_keeps))
        if compared == 0:
            problems.append(subject.problem(
                "logql/claim-unproven",
                f"claims to show {subject.claim.text!r}, but no scenario wrote such a line: nothing was compared"))
    return problems


def _choose_instance(claimed: Sequence[LogLine]) -> str:
    """The instance with the most claimed lines, preferring one the dispatchers name
    `instance=` so that both spellings are tested."""
    counts: dict[str, int] = {}
    for ln in claimed:
        if ln.instance:
            named = f" instance={ln.instance}" in ln.line  # the dispatchers' spelling
            counts[ln.instance] = counts.get(ln.instance, 0) + (1000 if named else 1)
    return max(sorted(counts), key=lambda i: counts[i]) if counts else ""


# Lines naming other instances checked for leaks per run (a sample keeps check fast).
LEAK_SAMPLE = 3000


def _prove_instance(subject: Subject, key: str, claimed: Sequence[LogLine], chosen: str,
                    keeps: LineTest) -> list[Problem]:
    """With one instance chosen, every claimed line naming it is kept and none naming another."""
    naming = [ln for ln in claimed if ln.instance == chosen]
    hidden = [ln for ln in naming if not keeps(ln.labels, ln.line)]
    others = [ln for ln in claimed if ln.instance and ln.instance != chosen][:LEAK_SAMPLE]
    leaked = [ln for ln in others if keeps(ln.labels, ln.line)]
    problems = []
    if hidden:
        problems.append(subject.problem(
            "logql/instance-filter",
            f"with {INSTANCE_VARIABLE}={chosen} chosen it hides {len(hidden)} of {len(naming)} lines naming it in "
            f"{key} ({_events(hidden)}), e.g. {_short(hidden[0].line)}"))
    if leaked:
        problems.append(subject.problem(
            "logql/instance-filter",
            f"with {INSTANCE_VARIABLE}={chosen} chosen it still shows {len(leaked)} of {len(others)} lines naming "
            f"other instances in {key}, e.g. {_short(leaked[0].line)}"))
    return problems


def _events(lines: Iterable[LogLine]) -> str:
    counts: dict[str, int] = {}
    for ln in lines:
        counts[ln.event] = counts.get(ln.event, 0) + 1
    return ", ".join(f"{k} x{v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:4])


def _short(line: str, width: int = 160) -> str:
    return line if len(line) <= width else line[:width] + "..."


def panel_subjects(targets: Sequence[TargetCtx], claims: Mapping[str, Mapping[str, str]]) -> list[Subject]:
    """The LogQL targets whose panels declare a claim (an unknown claim raises ClaimError)."""
    out = []
    for target in targets:
        dashboard = target.panel.dashboard
        text = claims.get(dashboard.uid, {}).get(target.panel.title)
        if not text:
            continue
        try:
            claim = parse_claim(text)
        except ClaimError as err:
            raise ClaimError(f"{dashboard.file}: panel {target.panel.title!r}: {err}") from None
        out.append(Subject(target.expr, claim, variable_values(dashboard.data), dashboard.uid,
                           target.panel.title, target.ref_id, dashboard.file))
    return out


@dataclass(frozen=True)
class LokiRule:
    """A Loki ruler alert rule and the panel its annotations link to."""

    name: str
    expr: str
    dashboard_uid: str
    panel: str
    file: str
    # The lines the rule itself claims to count (check/alerts.json "shows"); "": its panel's claim.
    shows: str = ""


def load_rules(rule_files: Sequence[Path], proof_file: Path | None = None) -> list[LokiRule]:
    """The alert rules of compiled Loki rule files (observability/loki/rules/*.yml), with the
    claim each declares in check/alerts.json."""
    import yaml

    shows: dict[str, str] = {}
    if proof_file is not None and proof_file.is_file():
        table = json.loads(proof_file.read_text(encoding="utf-8"))
        shows = {str(name): str(entry.get("shows", "")) for name, entry in table.items() if isinstance(entry, dict)}
    out = []
    for path in rule_files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for group in data.get("groups") or []:
            for rule in group.get("rules") or []:
                notes = rule.get("annotations") or {}
                if "alert" in rule:
                    out.append(LokiRule(str(rule["alert"]), str(rule["expr"]), str(notes.get("dashboard_uid", "")),
                                        str(notes.get("panel", "")), str(path), shows.get(str(rule["alert"]), "")))
    return out


def rule_subjects(targets: Sequence[TargetCtx], rules: Sequence[LokiRule],
                  claims: Mapping[str, Mapping[str, str]]) -> list[Subject]:
    """The rules linked to these targets' panels, each claiming what it declares or else what its
    panel claims."""
    panels = {(t.panel.dashboard.uid, t.panel.title) for t in targets}
    out = []
    for rule in rules:
        text = rule.shows or claims.get(rule.dashboard_uid, {}).get(rule.panel)
        if text and (rule.dashboard_uid, rule.panel) in panels:
            out.append(Subject(rule.expr, parse_claim(text), {}, rule.dashboard_uid, rule.panel,
                               f"alert {rule.name}", rule.file))
    return out


def with_claims(declared: Mapping[str, Mapping[str, str]], claims: Mapping[str, Mapping[str, str]],
                rules: Sequence[LokiRule]) -> dict[str, dict[str, str]]:
    """The declarations a cached check result depends on: measures, log claims and the alert
    rules proven with a panel (so a changed claim or rule is checked again)."""
    out = {uid: dict(panels) for uid, panels in declared.items()}
    for uid, panels in claims.items():
        for title, claim in panels.items():
            linked = sorted(f"{r.name}={r.expr}={r.shows}" for r in rules if (r.dashboard_uid, r.panel) == (uid, title))
            key = json.dumps({"measure": out.get(uid, {}).get(title, ""), "shows": claim, "rules": linked})
            out.setdefault(uid, {})[title] = key
    return out
