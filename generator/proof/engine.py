"""The detection proof: every rule against simulated faults and healthy days in a real Prometheus.

For each seed, each scenario some rule must fire in is simulated (the fault after a healthy
history), and `healthy` is simulated for a whole day. Each run is backfilled into its own
private Prometheus; every PromQL rule is evaluated over the whole window with Prometheus'
`for` semantics (evaluation.py), the LogQL rule with the small LogQL evaluator over the
simulated log lines (logql_eval.py). Detection latency is the first firing at or after the
fault's onset minus the onset; a false positive is any firing in a healthy run.

The history before each fault is at least the longest range any rule proven in that scenario
reads (6 h for the slow SLO burn), so long windows hold healthy data as they would on a
Prometheus that has been running, not just the 30 minutes before the fault.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from generator.proof.evaluation import Firing, Timeline, evaluate_promql
from generator.proof.logql_eval import LogQLEvaluator, entries_from_push, evaluate_logql
from generator.proof.rulefiles import ProofError, ProofRule
from generator.proof.signals import SIGNALS, Evaluation
from generator.config import Config
from generator.parsers import logql_ast, parse_mixed, promql
from generator.pipeline import Cache, Dataset, ScenarioSpec, Timings, families_for, served

HOUR = 3600
HEALTHY = ScenarioSpec(("healthy",))
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Settings:
    """What to simulate: seeds, the healthy length, the fault scenarios' length and history."""

    seeds: tuple[int, ...] = (1, 2, 3)
    healthy_seconds: int = 24 * HOUR
    scenario_seconds: int = 2 * HOUR
    fault_start_seconds: int = 1800
    workers: int = 2


@dataclass(frozen=True)
class ParsedRule:
    """A rule with what its expression reads: metric names and the longest range."""

    rule: ProofRule
    metrics: frozenset[str]
    lookback_seconds: int
    tree: Any = None


@dataclass(frozen=True)
class Detection:
    """One rule in one fault scenario for one seed."""

    scenario: str
    seed: int
    onset: float
    fired_at: float | None
    goal_seconds: int
    # When the rule's ground-truth signal began (rules that declare one), else None.
    signal_at: float | None = None
    signal: str = ""

    @property
    def latency(self) -> float | None:
        return None if self.fired_at is None else self.fired_at - self.onset

    @property
    def signal_latency(self) -> float | None:
        if self.fired_at is None or self.signal_at is None:
            return None
        return self.fired_at - self.signal_at

    @property
    def passed(self) -> bool:
        """Within the goal after the fault's onset; for a rule with a signal, after the signal's."""
        latency = self.signal_latency if self.signal else self.latency
        return latency is not None and latency <= self.goal_seconds


@dataclass(frozen=True)
class FalsePositives:
    """Firings of one rule in one healthy run."""

    seed: int
    hours: float
    firings: tuple[Firing, ...]


@dataclass(frozen=True)
class RuleReport:
    rule: ProofRule
    evaluated_by: str
    detections: tuple[Detection, ...]
    false_positives: tuple[FalsePositives, ...]
    # Other scenarios (not in fires_in) in which the rule also fired: scenario -> seeds.
    also_fired: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.detections) and all(d.passed for d in self.detections) \
            and not any(f.firings for f in self.false_positives)


@dataclass(frozen=True)
class Report:
    rules: tuple[RuleReport, ...]
    settings: Settings
    timings: Timings
    wall_seconds: float
    datasets: tuple[tuple[Dataset, float], ...]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rules)


@dataclass
class DatasetResult:
    """What one simulated run produced: its onset and every rule's timeline."""

    spec: Dataset
    onset: float | None
    timelines: dict[str, Timeline]
    timings: Timings
    wall_seconds: float
    # Rule name -> when its ground-truth signal began (rules that declare one).
    signals: dict[str, float | None] = field(default_factory=dict)


def parse_rules(rules: Sequence[ProofRule]) -> list[ParsedRule]:
    """Parse every expression once (one node process) for its metrics and longest range."""
    asts = parse_mixed([(r.language, r.expr) for r in rules])
    parsed = []
    for rule, tree in zip(rules, asts):
        if isinstance(tree, Exception):
            raise ProofError(f"{rule.rule_file}: rule {rule.name}: {tree}")
        if rule.language == "promql":
            names = frozenset(n for s in promql.selectors(tree) if (n := promql.metric_name(s)))
            parsed.append(ParsedRule(rule, names, int(_promql_lookback(tree)), tree))
        else:
            ranges = [n.range_seconds for n in logql_ast.walk(tree) if isinstance(n, logql_ast.RangeAggregation)]
            parsed.append(ParsedRule(rule, frozenset(), int(max(ranges, default=0)), tree))
    return parsed


def _promql_lookback(tree: promql.Expr) -> float:
    """The longest span of history an expression reads (ranges, subqueries and offsets)."""
    longest = 0.0
    for node in promql.walk(tree):
        if isinstance(node, promql.MatrixSelector):
            longest = max(longest, node.range_seconds + (node.vector.offset_seconds or 0))
        elif isinstance(node, promql.Subquery):
            longest = max(longest, node.range_seconds + (node.offset_seconds or 0))
    return longest


def plan(parsed: Sequence[ParsedRule], settings: Settings,
         every: Sequence[ParsedRule] | None = None) -> list[Dataset]:
    """The runs to simulate: each fires_in scenario per seed (history >= the longest range any
    rule proven there reads, among `every` rule of the set, not only those selected: a run must
    not change with --rule) and one healthy run per seed; longest first, to pack workers."""
    every = parsed if every is None else every
    specs: list[Dataset] = []
    scenarios = sorted({s for p in parsed for s in p.rule.fires_in}, key=str)
    after_onset = settings.scenario_seconds - settings.fault_start_seconds
    if after_onset <= 0:
        raise ProofError("--scenario-hours must be longer than the fault start")
    for seed in settings.seeds:
        specs.append(Dataset(HEALTHY, seed, settings.healthy_seconds,
                             fault_start_seconds=settings.fault_start_seconds))
        for scenario in scenarios:
            history = max([settings.fault_start_seconds] +
                          [p.lookback_seconds for p in every if scenario in p.rule.fires_in])
            history = -(-history // 900) * 900
            # A held fault gets half an hour after it ends, like the default window does.
            after = max(after_onset, (scenario.hold_seconds or 0) + 1800)
            specs.append(Dataset(scenario, seed, history + after, fault_start_seconds=history))
    return sorted(specs, key=lambda s: (-s.duration_seconds, str(s.scenario), s.seed))


def exported_families(parsed: Sequence[ParsedRule]) -> frozenset[str]:
    """The OpenMetrics families a proof run writes: those any of these rules reads."""
    return families_for(m for p in parsed for m in p.metrics)


def run_dataset(spec: Dataset, parsed: Sequence[ParsedRule], config: Config,
                cache: Cache | None = None, families: frozenset[str] | None = None) -> DatasetResult:
    """Simulate one run, serve it, and evaluate every rule over its whole window. `families`:
    the metric families exported (default: those `parsed` read)."""
    started = time.perf_counter()
    timings = Timings()
    timelines: dict[str, Timeline] = {}
    promql_rules = [p.rule for p in parsed if p.rule.language == "promql"]
    if families is None:
        families = exported_families(parsed)
    with served([spec], config, families=families, timings=timings, cache=cache) as prom:
        result = prom.runs[0]
        start, end = float(result.header["start"]), float(result.header["end"])
        client = prom.client()
        if promql_rules:
            queried = time.perf_counter()
            with ThreadPoolExecutor(max_workers=4) as pool:
                futures = {r.name: pool.submit(evaluate_promql, client, r.name, r.expr, r.for_seconds, start, end,
                                               r.interval_seconds) for r in promql_rules}
                timelines.update({name: future.result() for name, future in futures.items()})
            timings.queries = time.perf_counter() - queried
    logql_rules = [p for p in parsed if p.rule.language == "logql"]
    if logql_rules:
        evaluated = time.perf_counter()
        evaluator = LogQLEvaluator(entries_from_push(result.push))
        for p in logql_rules:
            timelines[p.rule.name] = evaluate_logql(evaluator, p.rule.name, p.tree, p.rule.for_seconds, start, end,
                                                    p.rule.interval_seconds)
        timings.logql = time.perf_counter() - evaluated
    onset = result.header["onset"]
    signals: dict[str, float | None] = {}
    if onset is not None:
        interval = int(result.header["scrape_interval"])
        # Per rule: a burn signal is an oracle with the rule's own `for` and evaluation interval.
        for p in parsed:
            if p.rule.signal:
                signals[p.rule.name] = SIGNALS[p.rule.signal](
                    result.truth, float(onset), interval, config,
                    Evaluation(p.rule.for_seconds, p.rule.interval_seconds))
    return DatasetResult(spec, None if onset is None else float(onset), timelines, timings,
                         time.perf_counter() - started, signals)


def run(rules: Sequence[ProofRule], config: Config, settings: Settings,
        progress: Progress | None = None, cache: Cache | None = None,
        every: Sequence[ProofRule] | None = None) -> Report:
    """Simulate and evaluate everything (runs in parallel worker processes) into a Report.
    `every`: the whole rule set `rules` was selected from (the runs' history depends on it)."""
    started = time.perf_counter()
    parsed = parse_rules(rules)
    everything = parse_rules(every) if every is not None else parsed
    specs = plan(parsed, settings, everything)
    # The families every rule of the set reads, whichever are selected: with --rule a run is
    # exported (and cached) exactly as in the full report, so it reuses the full report's runs.
    families = exported_families(everything)
    results: list[DatasetResult] = []
    with ProcessPoolExecutor(max_workers=max(1, settings.workers)) as pool:
        futures = {pool.submit(run_dataset, spec, parsed, config, cache, families): spec for spec in specs}
        for done, future in enumerate(as_completed(futures), 1):
            result = future.result()
            results.append(result)
            if progress is not None:
                t = result.timings
                progress(f"[{done}/{len(specs)}] {result.spec.label} ({result.spec.duration_seconds / HOUR:g} h): "
                         f"simulate {t.simulate:.1f}s, write {t.write:.1f}s, backfill {t.backfill:.1f}s, "
                         f"queries {t.queries:.1f}s, logql {t.logql:.1f}s")
    timings = Timings()
    for result in results:
        timings.add(result.timings)
    reports = tuple(_rule_report(p, results) for p in parsed)
    ordered = sorted(results, key=lambda r: (str(r.spec.scenario), r.spec.seed))
    return Report(reports, settings, timings, time.perf_counter() - started,
                  tuple((r.spec, r.wall_seconds) for r in ordered))


def _rule_report(parsed: ParsedRule, results: Sequence[DatasetResult]) -> RuleReport:
    rule = parsed.rule
    detections: list[Detection] = []
    false_positives: list[FalsePositives] = []
    also: dict[str, list[int]] = {}
    evaluated_by = ""
    for result in sorted(results, key=lambda r: (str(r.spec.scenario), r.spec.seed)):
        timeline = result.timelines[rule.name]
        evaluated_by = timeline.evaluated_by
        if result.spec.scenario.healthy:
            false_positives.append(FalsePositives(result.spec.seed, result.spec.duration_seconds / HOUR,
                                                  tuple(timeline.fired())))
        elif result.spec.scenario in rule.fires_in:
            assert result.onset is not None
            detections.append(Detection(str(result.spec.scenario), result.spec.seed, result.onset,
                                        timeline.first_fired_at(result.onset), rule.goal_seconds,
                                        result.signals.get(rule.name), rule.signal))
        elif result.onset is not None and timeline.first_fired_at(result.onset) is not None \
                and result.spec.fault_start_seconds >= parsed.lookback_seconds:
            # Only where the run's history covers the rule's windows (else: a fresh-start artefact).
            also.setdefault(str(result.spec.scenario), []).append(result.spec.seed)
    return RuleReport(rule, evaluated_by, tuple(detections), tuple(false_positives),
                      {k: tuple(v) for k, v in sorted(also.items())})
