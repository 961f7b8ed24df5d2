"""The check pipeline: dashboards -> targets -> simulated scenarios in a real Prometheus ->
results -> online rules (and LogQL checks against the simulated log streams)."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Sequence
from urllib.parse import urlsplit

from generator.check import log_truth, logql_checks
from generator.check.evaluate import WARMUP_SECONDS, Query, Result, Window, expand, run_queries
from generator.check.measures import Measure, parse_declaration
from generator.check.model import TargetResults
from generator.check.rules import RULES
from generator.config import Config
from generator.check.results import ResultStore
from generator.errors import DashgenError
from generator.lint.rules import logql_parse, promql_parse, variable_format
from generator.pipeline import END_TS, Cache, ScenarioRun, ScenarioSpec, Timings, served, staggered
from generator.pipeline.served import dataset_key
from generator.problems import Problem
from generator.prometheus.client import Client, QueryError
from generator.walker import TargetCtx, build_contexts

# --prometheus-url: a query may take this long, and the whole run (probe, queries) this long.
LIVE_QUERY_TIMEOUT_SECONDS = 30.0
LIVE_DEADLINE_SECONDS = 300.0
MEASURES_FILE = Path("observability/check/measures.json")
DEFAULT_DURATION = 2 * 3600


def default_specs(config: Config) -> list[ScenarioSpec]:
    """Every scenario in the configured era (dashboards compiled for E1 set job_label too)."""
    from generator.sim.scenarios import SCENARIOS

    return [ScenarioSpec((name,), era=config.era) for name in SCENARIOS]


Declared = dict[str, dict[str, Any]]


def load_measures(path: Path) -> Declared:
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def declaration(target: TargetCtx, declared: Declared) -> tuple[Measure | None, str]:
    """(the measure this target declares, or None; why no ground truth applies, or "")."""
    entry = declared.get(target.panel.dashboard.uid, {}).get(target.panel.title)
    if isinstance(entry, dict):
        name = entry.get(target.ref_id)
        measure = parse_declaration(name)[0] if name else None
        return measure, "" if measure else str(entry.get("no_truth") or "")
    if not entry:
        return None, ""
    measure, ref = parse_declaration(str(entry))
    return (measure if not ref or ref == target.ref_id else None), ""


def measure_for(target: TargetCtx, declared: Declared) -> Measure | None:
    return declaration(target, declared)[0]


@dataclass(frozen=True)
class Coverage:
    """How many PromQL targets are compared with the truth, exempt with a reason, or undeclared."""

    measured: int
    exempt: int
    undeclared: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.measured + self.exempt + len(self.undeclared)

    def line(self) -> str:
        text = (f"truth coverage: {self.measured}/{self.total} PromQL targets compared with the ground truth, "
                f"{self.exempt} declare why no ground truth applies, {len(self.undeclared)} declare nothing")
        return text + (f" ({', '.join(self.undeclared[:5])}{', ...' if len(self.undeclared) > 5 else ''})"
                       if self.undeclared else "")


def coverage(files: Sequence[tuple[str, dict[str, Any]]], config: Config, declared: Declared) -> Coverage:
    _, _, targets = build_contexts(files, config)
    measured = exempt = 0
    undeclared: list[str] = []
    for target in targets:
        if target.language != "promql":
            continue
        measure, reason = declaration(target, declared)
        if measure is not None:
            measured += 1
        elif reason:
            exempt += 1
        else:
            undeclared.append(f"{target.panel.dashboard.uid}/{target.panel.title}/{target.ref_id}")
    return Coverage(measured, exempt, tuple(undeclared))


def _apply_rules(targets: Sequence[TargetCtx], results: dict[int, list[Result]], config: Config,
                 declared: Declared, runs: dict[str, ScenarioRun],
                 windows: dict[str, Window], client: Client) -> list[list[Problem]]:
    """The online rules' problems, one list per target."""
    out: list[list[Problem]] = []
    for index, target in enumerate(targets):
        tr = TargetResults(target, results.get(index, []), config, measure_for(target, declared),
                           runs, windows, client)
        found: list[Problem] = []
        for rule in RULES:
            if rule.needs_truth and not runs:
                continue
            found.extend(rule.check(tr))
        out.append(found)
    return out


def check(files: Sequence[tuple[str, dict[str, Any]]], config: Config, *,
          specs: Sequence[ScenarioSpec] | None = None, prometheus_url: str | None = None,
          duration: int = DEFAULT_DURATION, seed: int = 1, measures_file: Path = MEASURES_FILE,
          progress: Callable[[str], None] = lambda _: None,
          cache: Cache | None = None, deadline_seconds: float = LIVE_DEADLINE_SECONDS) -> tuple[list[Problem], Timings]:
    """Every problem the online rules find in these dashboards, and where the time went.

    Targets whose problems the cache holds for these very datasets are not run again; when all
    are held, nothing is simulated, served or queried. Targets that do not parse are reported
    as not checked, never skipped silently."""
    timings = Timings()
    declared = load_measures(measures_file)
    claims = log_truth.load_claims(measures_file.with_name(log_truth.CLAIMS_FILE))
    rule_dir = measures_file.parent.parent / "loki" / "rules"
    rules = log_truth.load_rules(sorted(rule_dir.glob("*.yml")) if rule_dir.is_dir() else [],
                                 measures_file.with_name("alerts.json"))
    all_targets = build_contexts(files, config)[2]
    targets = _runnable(all_targets)
    if prometheus_url:
        url = live_url(prometheus_url)
        try:
            Client(url).probe()
        except QueryError as exc:
            raise DashgenError(f"{exc}; nothing was checked") from None
        deadline = time.monotonic() + deadline_seconds if deadline_seconds else None
        found, _ = _check_targets(targets, config, url, [], declared, timings, deadline=deadline)
        return sorted(unparsed(all_targets) + found, key=_order), timings
    cache = cache if cache is not None else Cache()
    specs = [s if s.era else s.in_era(config.era) for s in (specs or default_specs(config))]
    # A fixed end (not now): the same options give the same datasets, which the cache reuses.
    datasets = staggered(specs, end_ts=END_TS, duration_seconds=duration, seed=seed,
                         step=config.scrape_interval_seconds, default_era=config.era, truth_grids=True)
    store = ResultStore(cache, [dataset_key(d, config, None, False) for d in datasets], config,
                        log_truth.with_claims(declared, claims, rules))
    problems: list[Problem] = unparsed(all_targets)
    todo: list[TargetCtx] = []
    for target in targets:
        held = store.get(target)
        if held is None:
            todo.append(target)
        else:
            problems.extend(held)
    timings.results_cached = len(targets) - len(todo)
    if todo:
        with served(datasets, config, progress=progress, timings=timings, cache=cache) as prom:
            progress(f"querying {len(todo)} of {len(targets)} targets x {len(prom.runs)} scenarios "
                     f"({len(targets) - len(todo)} results from the cache)")
            found, per_target = _check_targets(todo, config, prom.url, prom.runs, declared, timings,
                                               claims=claims, rules=rules)
        problems.extend(found)
        for target, target_problems in per_target:
            store.put(target, target_problems)
    else:
        progress(f"all {len(targets)} targets' results from the cache: nothing simulated or queried")
    return sorted(problems, key=_order), timings


def _runnable(all_targets: Sequence[TargetCtx]) -> list[TargetCtx]:
    """The PromQL and LogQL targets that parsed (`unparsed` reports the others)."""
    return [t for t in all_targets if t.language in ("promql", "logql") and t.ast is not None]


def live_url(text: str) -> str:
    """--prometheus-url checked: an http(s) URL with a host, else one line."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DashgenError(f"--prometheus-url must be an http(s) URL such as http://localhost:9090, got {text!r}")
    return text.strip()


def unparsed(targets: Sequence[TargetCtx]) -> list[Problem]:
    """Targets check cannot run because they do not parse (or use an unknown variable format)."""
    problems: list[Problem] = []
    for target in targets:
        if target.ast is None:
            for rule in (promql_parse.RULE, logql_parse.RULE, variable_format.RULE):
                for problem in rule.check_target(target):
                    problems.append(replace(problem, message=f"not checked: {problem.message}"))
    return problems


def check_against(files: Sequence[tuple[str, dict[str, Any]]], config: Config, url: str,
                  runs: Sequence[ScenarioRun], declared: Declared,
                  timings: Timings | None = None, *, deadline: float | None = None,
                  claims: dict[str, dict[str, str]] | None = None,
                  rules: Sequence[log_truth.LokiRule] = ()) -> list[Problem]:
    """Online rules over these dashboards against a running Prometheus. With `runs` (simulated
    scenarios served there) every rule applies; without, the live last 6 h is queried and the
    rules that need ground truth are skipped."""
    all_targets = build_contexts(files, config)[2]
    found, _ = _check_targets(_runnable(all_targets), config, url, runs, declared, timings, deadline=deadline,
                              claims=claims, rules=rules)
    return sorted(unparsed(all_targets) + found, key=_order)


def _check_targets(targets: Sequence[TargetCtx], config: Config, url: str, runs: Sequence[ScenarioRun],
                   declared: dict[str, dict[str, str]], timings: Timings | None = None, *,
                   deadline: float | None = None, claims: dict[str, dict[str, str]] | None = None,
                   rules: Sequence[log_truth.LokiRule] = ()) -> tuple[list[Problem], list[tuple[TargetCtx, list[Problem]]]]:
    """All problems of these targets, and each target's."""
    timings = timings or Timings()
    prom_targets = [t for t in targets if t.language == "promql"]
    log_targets = [t for t in targets if t.language == "logql"]
    client = Client(url, timeout=60.0 if runs else LIVE_QUERY_TIMEOUT_SECONDS, deadline=deadline)
    if runs:
        windows = {run.key: Window.for_range(run.start + WARMUP_SECONDS, run.end, config) for run in runs}
    else:
        end = time.time()
        windows = {"live": Window.for_range(end - 6 * 3600, end, config)}
    results = _query(client, prom_targets, windows, timings)
    if not runs:
        _give_up_on_a_dead_server(url, results, deadline)
    started = time.perf_counter()
    per_target = list(zip(prom_targets, _apply_rules(prom_targets, results, config, declared,
                                                     {r.key: r for r in runs}, windows, client)))
    if runs:
        per_target += [(t, logql_checks.check([t], runs, config) + prove_logs([t], runs, config, claims or {}, rules))
                       for t in log_targets]
    timings.rules += time.perf_counter() - started
    problems = [p for _, found in per_target for p in found]
    return sorted(problems, key=_order), per_target


def prove_logs(targets: Sequence[TargetCtx], runs: Sequence[ScenarioRun], config: Config,
               claims: dict[str, dict[str, str]], rules: Sequence[log_truth.LokiRule] = ()) -> list[Problem]:
    """Each log panel against the lines its claim covers, and the LogQL alert rules linked to
    it against the same claim (log_truth)."""
    lines = [(run.key, run.log_lines) for run in runs]
    subjects = log_truth.panel_subjects(targets, claims) + log_truth.rule_subjects(targets, rules, claims)
    return log_truth.prove_all(subjects, lines, config)


def _give_up_on_a_dead_server(url: str, results: dict[int, list[Result]], deadline: float | None) -> None:
    """One line instead of one error per target when the Prometheus stopped answering or the
    run's deadline cut the queries short."""
    flat = [r for rs in results.values() for r in rs]
    failed = [r for r in flat if "deadline passed" in r.error or "unreachable" in r.error]
    if deadline is not None and failed and time.monotonic() >= deadline - 0.5:
        raise DashgenError(f"Prometheus at {url} did not answer {len(failed)} of {len(flat)} queries within the "
                           "run's deadline (--deadline); nothing reported")
    if flat and len(failed) == len(flat):
        reason = flat[0].error.rsplit("unreachable: ", 1)[-1]
        raise DashgenError(f"Prometheus at {url} answered none of {len(flat)} queries ({reason}); nothing reported")


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
