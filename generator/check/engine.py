"""The check pipeline: dashboards -> targets -> simulated scenarios in a real Prometheus ->
results -> online rules (and LogQL checks against the simulated log streams)."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Sequence

from generator.check import logql_checks
from generator.check.evaluate import WARMUP_SECONDS, Query, Result, Window, expand, run_queries
from generator.check.measures import Measure, parse_declaration
from generator.check.model import TargetResults
from generator.check.rules import RULES
from generator.config import Config
from generator.pipeline import END_TS, Cache, ScenarioRun, ScenarioSpec, Timings, served, staggered
from generator.problems import Problem
from generator.prometheus.client import Client
from generator.walker import TargetCtx, build_contexts

MEASURES_FILE = Path("observability/check/measures.json")
DEFAULT_DURATION = 2 * 3600


def default_specs(config: Config) -> list[ScenarioSpec]:
    """Every scenario in the configured era (dashboards compiled for E1 set job_label too)."""
    from generator.sim.scenarios import SCENARIOS

    return [ScenarioSpec((name,), era=config.era) for name in SCENARIOS]


def load_measures(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def measure_for(target: TargetCtx, declared: dict[str, dict[str, str]]) -> Measure | None:
    text = declared.get(target.panel.dashboard.uid, {}).get(target.panel.title)
    if not text:
        return None
    measure, ref = parse_declaration(text)
    return measure if not ref or ref == target.ref_id else None


def _apply_rules(targets: Sequence[TargetCtx], results: dict[int, list[Result]], config: Config,
                 declared: dict[str, dict[str, str]], runs: dict[str, ScenarioRun],
                 windows: dict[str, Window], client: Client) -> list[Problem]:
    problems: list[Problem] = []
    for index, target in enumerate(targets):
        tr = TargetResults(target, results.get(index, []), config, measure_for(target, declared),
                           runs, windows, client)
        for rule in RULES:
            if rule.needs_truth and not runs:
                continue
            problems.extend(rule.check(tr))
    return problems


def check(files: Sequence[tuple[str, dict[str, Any]]], config: Config, *,
          specs: Sequence[ScenarioSpec] | None = None, prometheus_url: str | None = None,
          duration: int = DEFAULT_DURATION, seed: int = 1, measures_file: Path = MEASURES_FILE,
          progress: Callable[[str], None] = lambda _: None,
          cache: Cache | None = None) -> tuple[list[Problem], Timings]:
    """Every problem the online rules find in these dashboards, and where the time went."""
    timings = Timings()
    declared = load_measures(measures_file)
    if prometheus_url:
        return check_against(files, config, prometheus_url, [], declared, timings), timings
    specs = [s if s.era else s.in_era(config.era) for s in (specs or default_specs(config))]
    # A fixed end (not now): the same options give the same datasets, which the cache reuses.
    datasets = staggered(specs, end_ts=END_TS, duration_seconds=duration, seed=seed,
                         step=config.scrape_interval_seconds)
    with served(datasets, config, progress=progress, timings=timings, cache=cache) as prom:
        progress(f"querying {len(files)} dashboards x {len(prom.runs)} scenarios")
        problems = check_against(files, config, prom.url, prom.runs, declared, timings)
    return problems, timings


def check_against(files: Sequence[tuple[str, dict[str, Any]]], config: Config, url: str,
                  runs: Sequence[ScenarioRun], declared: dict[str, dict[str, str]],
                  timings: Timings | None = None) -> list[Problem]:
    """Online rules over these dashboards against a running Prometheus. With `runs` (simulated
    scenarios served there) every rule applies; without, the live last 6 h is queried and the
    rules that need ground truth are skipped."""
    timings = timings or Timings()
    _, _, all_targets = build_contexts(files, config)
    prom_targets = [t for t in all_targets if t.language == "promql" and t.ast is not None]
    log_targets = [t for t in all_targets if t.language == "logql" and t.ast is not None]
    client = Client(url)
    if runs:
        windows = {run.key: Window.for_range(run.start + WARMUP_SECONDS, run.end, config) for run in runs}
    else:
        end = time.time()
        windows = {"live": Window.for_range(end - 6 * 3600, end, config)}
    results = _query(client, prom_targets, windows, timings)
    started = time.perf_counter()
    problems = _apply_rules(prom_targets, results, config, declared, {r.key: r for r in runs}, windows, client)
    if runs:
        problems += logql_checks.check(log_targets, runs, config)
    timings.rules += time.perf_counter() - started
    return sorted(problems, key=_order)


def _query(client: Client, targets: Sequence[TargetCtx], windows: dict[str, Window],
           timings: Timings) -> dict[int, list[Result]]:
    started = time.perf_counter()
    jobs: list[tuple[Query, str, Window]] = []
    owner: list[int] = []
    for index, target in enumerate(targets):
        for key, window in windows.items():
            repeat = _repeat_values(client, target, window)
            for query in expand(target, window, repeat):
                jobs.append((query, key, window))
                owner.append(index)
    grouped: dict[int, list[Result]] = defaultdict(list)
    for index, result in zip(owner, run_queries(client, jobs)):
        grouped[index].append(result)
    timings.queries += time.perf_counter() - started
    return grouped


def _repeat_values(client: Client, target: TargetCtx, window: Window) -> dict[str, list[str]]:
    """Values of the panel's repeat variable, resolved like Grafana (label_values only)."""
    name = target.panel.panel.get("repeat")
    if not name:
        return {}
    for variable in target.panel.dashboard.variables():
        query = str(variable.get("query") or "")
        if variable.get("name") == name and query.startswith("label_values("):
            inner = query[len("label_values("):-1]
            match, _, label = inner.rpartition(",")
            try:
                return {name: client.label_values(label.strip(), match.strip() or None, window.start, window.end)}
            except Exception:  # noqa: BLE001 - an unresolved repeat is checked at its default
                return {}
    return {}


def _order(p: Problem) -> tuple[str, ...]:
    return (p.file, p.dashboard, p.panel, p.target, p.rule, p.message)
