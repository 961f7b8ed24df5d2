"""`dashgen check`: prove dashboards against the simulated workload in a real Prometheus."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable

import click

from generator import config as config_module
from generator.check.engine import (DEFAULT_DURATION, MEASURES_FILE, check as run_check, coverage, default_specs,
                                    load_measures)
from generator.check.report import render_markdown
from generator.errors import DashgenError
from generator.lint.reporters import REPORTERS
from generator.pipeline import Cache, ScenarioSpec, Timings
from generator.problems import has_errors
from generator.walker import DEFAULT_GLOB, read_dashboard
from generator.sim.scenarios import SCENARIOS

FORMATS = sorted([*REPORTERS, "markdown"])


def _duration(text: str) -> int:
    from generator.parsers.literals import parse_duration
    try:
        return int(parse_duration(text))
    except Exception:  # noqa: BLE001
        raise click.BadParameter(f"{text!r} is not a duration like 90m or 2h") from None


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--scenario", "scenarios", multiple=True, metavar="SPEC",
              help=f"Scenario to check against (repeatable; default: all), e.g. healthy, database-slow+burst, "
                   f"healthy,era=E1: {', '.join(SCENARIOS)}.")
@click.option("--prometheus-url", metavar="URL",
              help="Check against an existing Prometheus (last 6 h) instead of the simulation; rules that need ground truth are skipped.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--env", default="local", show_default=True, help="Environment overrides (local, aks or a YAML path).")
@click.option("--duration", default="2h", show_default=True, help="Simulated window per scenario.")
@click.option("--seed", default=1, show_default=True, help="Simulation seed.")
@click.option("--seeds", "seed_list", metavar="LIST",
              help="Check on each of these seeds in turn (e.g. 1-20 or 7,99,12345) and print a table per seed.")
@click.option("--measures", type=click.Path(path_type=Path), default=MEASURES_FILE, show_default=True,
              help="What each panel declares it measures (compiled from the Python definitions).")
@click.option("--timings", "show_timings", is_flag=True, help="Print the time split to stderr.")
@click.option("--no-cache", is_flag=True, help="Simulate and backfill every scenario afresh (ignore .dashgen/cache/).")
@click.option("--list-rules", is_flag=True, help="Print every check rule id with its severity and description and exit.")
@click.option("--deadline", type=click.FloatRange(min=0), default=300.0, show_default=True,
              help="With --prometheus-url: seconds the whole run may take (each query at most 30 s); 0 for none.")
def check(files: tuple[Path, ...], scenarios: tuple[str, ...], prometheus_url: str | None, fmt: str, env: str,
          duration: str, seed: int, seed_list: str | None, measures: Path, show_timings: bool, no_cache: bool,
          list_rules: bool, deadline: float) -> None:
    """Evaluate every panel's queries against simulated scenarios in a real Prometheus.

    Simulates each scenario, backfills it with promtool into a temporary TSDB, starts a private
    Prometheus on 127.0.0.1, evaluates every PromQL target as Grafana would (macros expanded,
    variables at their defaults), and runs the online rules: no data, constant, ground truth,
    double counting, impossible ranges, cardinality and cost. LogQL targets are checked against
    the simulated log streams. Exit 1 on any error. Works on hand-made dashboard JSON too.
    """
    if list_rules:
        _list_rules()
        return
    config = config_module.load(env)
    parsed = [ScenarioSpec.parse(s) for s in scenarios]
    paths = list(files) or sorted(Path().glob(DEFAULT_GLOB))
    if not paths:
        raise DashgenError(f"no dashboards to check (nothing matches {DEFAULT_GLOB}; run `make dashboards`)")
    specs = [s if s.era else s.in_era(config.era) for s in parsed] or default_specs(config)
    started = time.perf_counter()

    def progress(message: str) -> None:
        click.echo(f"[{time.perf_counter() - started:5.1f}s] {message}", err=True)

    files = [(str(p), read_dashboard(p)) for p in paths]
    if seed_list:
        sys.exit(_over_seeds(files, config, specs, _seeds(seed_list), _duration(duration), measures, progress))
    problems, timings = run_check(files, config, specs=specs,
                                  prometheus_url=prometheus_url, duration=_duration(duration), seed=seed,
                                  measures_file=measures, progress=progress,
                                  cache=Cache(None) if no_cache else None, deadline_seconds=deadline)
    click.echo(coverage(files, config, load_measures(measures)).line(), err=True)
    names = ["live"] if prometheus_url else [s.label(config.era) for s in specs]
    if fmt == "markdown":
        click.echo(render_markdown(problems, names, timings), nl=False)
    else:
        click.echo(REPORTERS[fmt](problems), nl=False)
    if show_timings or fmt == "text":
        click.echo(_timings_line(timings, time.perf_counter() - started), err=True)
    if has_errors(problems):
        sys.exit(1)


def _list_rules() -> None:
    from generator.check import logql_checks
    from generator.check.rules import RULES

    for rule in RULES:
        note = " (needs ground truth)" if rule.needs_truth else ""
        click.echo(f"{rule.id:32} {rule.severity.value:8} {rule.description}{note}")
    for rule_id, severity, description in logql_checks.RULES:
        click.echo(f"{rule_id:32} {severity.value:8} {description} (needs ground truth)")


def _timings_line(t: Timings, total: float) -> str:
    return (f"time: simulate {t.simulate:.1f}s ({t.cache_hits} scenarios and {t.results_cached} target results "
            f"from the cache), write {t.write:.1f}s, "
            f"backfill {t.backfill:.1f}s (overlapped), start {t.start:.1f}s, "
            f"queries {t.queries:.1f}s, rules {t.rules:.1f}s; wall {total:.1f}s")


def _seeds(text: str) -> list[int]:
    seeds: list[int] = []
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            seeds += list(range(int(low), int(high) + 1)) if high else [int(low)]
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a seed list like 1-20 or 7,99,12345", param_hint="--seeds") from None
    return seeds


def _over_seeds(files: list[tuple[str, dict[str, Any]]], config: config_module.Config, specs: list[ScenarioSpec],
                seeds: list[int], duration: int, measures: Path, progress: Callable[[str], None]) -> int:
    """Check on every seed; a markdown table (seed, errors, warnings, what failed); 1 if any error."""
    click.echo(f"seeds: {','.join(map(str, seeds))}", err=True)
    click.echo("| seed | errors | warnings | failing (panel / rule / scenario) |\n|---|---|---|---|")
    failed = 0
    for seed in seeds:
        started = time.perf_counter()
        problems, _ = run_check(files, config, specs=specs, duration=duration, seed=seed, measures_file=measures,
                                progress=lambda _: None)
        errors = [p for p in problems if p.severity.value == "error"]
        warnings = len(problems) - len(errors)
        failed += bool(errors)
        what = "; ".join(sorted({f"{p.panel} / {p.rule} / {_scenario_of(p.message)}" for p in errors})) or "-"
        click.echo(f"| {seed} | {len(errors)} | {warnings} | {what} |")
        progress(f"seed {seed}: {len(errors)} error(s) in {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


def _scenario_of(message: str) -> str:
    words = message.replace(",", " ").split()
    for i, word in enumerate(words):
        if word == "in" and i + 1 < len(words) and words[i + 1] in SCENARIOS:
            return words[i + 1]
        if word in SCENARIOS:
            return word
    return "?"
