"""promtool rule unit tests generated from simulator runs, with exactly rendered annotations.

For each PromQL rule: its first fires_in scenario and the healthy run are simulated (aligned
scrape instants, since promtool feeds samples on a fixed interval grid), backfilled into a
private Prometheus, and the rule is evaluated there with Prometheus' `for` semantics. The test
file then carries only the series the rule's selectors match, as explicit values per scrape
interval, and expects: the alert firing at onset + for + 2 evaluation intervals (or at its
measured first firing, if later), with its labels and annotations rendered from the value the
real Prometheus computed at that instant; and silence at several instants of the healthy run.
promtool re-evaluates everything independently, so a passing test confirms the rule, the
evaluation emulation and the template rendering at once.
"""

from __future__ import annotations

import math
import os
import subprocess
from pathlib import Path
from typing import Any, Callable, Sequence

import yaml

from generator.proof import engine as proof, templates
from generator.proof.evaluation import Firing, LabelSet, Timeline, evaluate_promql, label_set
from generator.alerting.render import rule_uid
from generator.proof.rulefiles import ProofError, ProofRule
from generator.config import Config
from generator.parsers import promql
from generator.pipeline import Cache, Dataset, ScenarioSpec, families_for, served
from generator.prometheus.client import Client
from generator.prometheus.server import require

HEALTHY_CHECKS = 6


def selector_text(selector: promql.VectorSelector) -> str:
    """A vector selector as PromQL text (offset and @ dropped: the raw series are wanted)."""
    def quote(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    matchers = [f"{m.label}{m.op}{quote(m.value)}" for m in selector.matchers]
    return f"{selector.name or ''}{{{', '.join(matchers)}}}"


def number(value: float) -> str:
    """A sample value as promtool's series notation parses it back exactly."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def expand(values: Sequence[str]) -> str:
    """promtool's expanding notation for runs: `5x3` is four 5s, `_x3` is three gaps."""
    out: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        run = j - i + 1
        if values[i] == "_":
            out.append("_" if run == 1 else f"_x{run}")
        else:
            out.append(values[i] if run == 1 else f"{values[i]}x{run - 1}")
        i = j + 1
    return " ".join(out)


def series_name(labels: dict[str, str]) -> str:
    name = labels.get("__name__", "")
    body = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    return f"{name}{{{body}}}"


def input_series(client: Client, selectors: Sequence[promql.VectorSelector], start: int, end: int,
                 interval: int) -> list[dict[str, str]]:
    """Every series the selectors match over [start, end], one value (or `_`) per interval."""
    found: dict[LabelSet, dict[int, float]] = {}
    for selector in selectors:
        for series in client.query_matrix(f"{selector_text(selector)}[{end - start + interval}s]", end):
            target = found.setdefault(tuple(sorted(series.labels.items())), {})
            target.update((int(round(t)), v) for t, v in series.samples)
    out = []
    for key in sorted(found):
        samples = found[key]
        values = [number(samples[t]) if t in samples else "_" for t in range(start, end + 1, interval)]
        out.append({"series": series_name(dict(key)), "values": expand(values)})
    return out


def _firing_at(timeline: Timeline, t: float) -> list[Firing]:
    return [f for f in timeline.firings if f.fired_at is not None and f.fired_at <= t
            and (f.resolved_at is None or f.resolved_at > t)]


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"


def expected_alerts(client: Client, rule: ProofRule, firing: Sequence[Firing], t: float) -> list[dict[str, Any]]:
    """exp_alerts for the firing label sets at t: labels, and annotations rendered from the
    value the real Prometheus returns for the expression at t."""
    values = {label_set(s.labels): (s.labels, s.samples[0][1]) for s in client.query(rule.expr, t)}
    out = []
    for alert in sorted(firing, key=lambda f: f.labels):
        if alert.labels not in values:
            raise ProofError(f"rule {rule.name}: firing label set {dict(alert.labels)} has no value at {t}")
        sample_labels, value = values[alert.labels]
        labels = {k: v for k, v in sample_labels.items() if k != "__name__"}
        annotations = {k: templates.render(v, value, sample_labels) for k, v in rule.annotations.items()}
        out.append({"exp_labels": {**labels, **rule.labels}, "exp_annotations": annotations})
    return out


def _test_case(name: str, series: list[dict[str, str]], cases: list[dict[str, Any]], interval: int) -> dict[str, Any]:
    return {"name": name, "interval": f"{interval}s", "input_series": series, "alert_rule_test": cases}


def _render_file(rule: ProofRule, rule_file: str, interval: int, blocks: list[tuple[str, dict[str, Any]]],
                 header: str) -> str:
    lines = [f"# {header}", "# Regenerate: dashgen alerts promtool-tests --out DIR; do not edit by hand.",
             yaml.safe_dump({"rule_files": [rule_file], "evaluation_interval": f"{interval}s"},
                            sort_keys=True, width=10_000).rstrip(), "tests:"]
    for comment, test in blocks:
        lines.append(f"# {comment}")
        body = yaml.safe_dump([test], sort_keys=False, width=10_000, default_flow_style=False)
        lines.append(body.rstrip())
    return "\n".join(lines) + "\n"


def write_tests(rules: Sequence[ProofRule], config: Config, test_dir: Path, *, seed: int, duration_seconds: int,
                fault_start_seconds: int, progress: Callable[[str], None] = lambda _: None,
                cache: Cache | None = None) -> list[Path]:
    """Generate one promtool test file per rule into test_dir; returns the paths written."""
    parsed = {p.rule.name: p for p in proof.parse_rules(rules)}
    scenarios: dict[ScenarioSpec, list[ProofRule]] = {}
    for rule in rules:
        if not rule.fires_in:
            raise ProofError(f"rule {rule.name} has no fires_in scenario: nothing to test it with")
        scenarios.setdefault(rule.fires_in[0], []).append(rule)
    interval = config.scrape_interval_seconds
    test_dir.mkdir(parents=True, exist_ok=True)
    healthy = _healthy_blocks(rules, parsed, config, seed, duration_seconds, interval, progress, cache)
    written = []
    for scenario, members in sorted(scenarios.items(), key=lambda item: str(item[0])):
        spec = Dataset(scenario, seed, duration_seconds, fault_start_seconds=fault_start_seconds)
        families = families_for(m for r in members for m in parsed[r.name].metrics)
        with served([spec], config, families=families, aligned=True, cache=cache) as prom:
            result, client = prom.runs[0], prom.client()
            start, end, onset = int(result.header["start"]), int(result.header["end"]), int(result.header["onset"])
            for rule in members:
                timeline = evaluate_promql(client, rule.name, rule.expr, rule.for_seconds, start, end,
                                           rule.interval_seconds)
                goal_at = onset + rule.goal_seconds
                at = goal_at if _firing_at(timeline, goal_at) else timeline.first_fired_at(onset)
                if at is None:
                    raise ProofError(f"rule {rule.name} never fires in {scenario} within {duration_seconds // 60} "
                                     f"minutes (seed {seed}): no firing test can be written")
                selectors = promql.selectors(parsed[rule.name].tree)
                firing = [_test_case(f"{rule.name} fires in {scenario}",
                                     input_series(client, selectors, start, end, interval),
                                     [{"eval_time": _duration(at - start), "alertname": rule.name,
                                       "exp_alerts": expected_alerts(client, rule, _firing_at(timeline, at), at)}],
                                     interval)]
                when = "onset + for + 2 evaluation intervals" if at == goal_at else "its measured first firing"
                comment = (f"{scenario}: fault at {_duration(onset - start)}; expected firing at {when} "
                           f"({_duration(at - start)}).")
                path = test_dir / f"{rule_uid(rule.name)}.yml"
                rule_file = os.path.relpath(rule.rule_file.resolve(), test_dir.resolve())
                header = (f"promtool unit tests for {rule.name}, generated from simulator runs "
                          f"(seed {seed}, {duration_seconds // 60} min, E2 era).")
                path.write_text(_render_file(rule, rule_file, rule.interval_seconds,
                                             [(comment, firing[0]), healthy[rule.name]], header), encoding="utf-8")
                written.append(path)
        progress(f"{scenario}: {', '.join(r.name for r in members)}")
    return sorted(written)


def _healthy_blocks(rules: Sequence[ProofRule], parsed: dict[str, proof.ParsedRule], config: Config, seed: int,
                    duration_seconds: int, interval: int,
                    progress: Callable[[str], None],
                    cache: Cache | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """The silent test per rule: the healthy run's series and exp_alerts: [] at several instants."""
    spec = Dataset(proof.HEALTHY, seed, duration_seconds)
    families = families_for(m for p in parsed.values() for m in p.metrics)
    blocks = {}
    with served([spec], config, families=families, aligned=True, cache=cache) as prom:
        result, client = prom.runs[0], prom.client()
        start, end = int(result.header["start"]), int(result.header["end"])
        step = max(interval, (end - start) // HEALTHY_CHECKS // 60 * 60)
        instants = [t for t in range(start + step, end + 1, step)][:HEALTHY_CHECKS]
        for rule in rules:
            timeline = evaluate_promql(client, rule.name, rule.expr, rule.for_seconds, start, end,
                                       rule.interval_seconds)
            if timeline.fired():
                first = timeline.fired()[0]
                at = _duration((first.fired_at or 0) - start)
                raise ProofError(f"rule {rule.name} fires in the healthy run at +{at} "
                                 f"(labels {dict(first.labels)}): a false positive, fix the rule")
            selectors = promql.selectors(parsed[rule.name].tree)
            cases = [{"eval_time": _duration(t - start), "alertname": rule.name, "exp_alerts": []} for t in instants]
            blocks[rule.name] = (f"healthy: no alert at any of {', '.join(c['eval_time'] for c in cases)}.",
                                 _test_case(f"{rule.name} stays silent in healthy",
                                            input_series(client, selectors, start, end, interval), cases, interval))
    progress(f"healthy: {len(rules)} rules silent")
    return blocks


def run_promtool(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """`promtool test rules` on each file; (path, output) for every file that failed."""
    binary = require("promtool")
    failures = []
    for path in paths:
        done = subprocess.run([binary, "test", "rules", path.name], capture_output=True, text=True, cwd=path.parent)
        if done.returncode != 0:
            failures.append((path, (done.stdout + done.stderr).strip()))
    return failures
