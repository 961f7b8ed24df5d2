"""`dashgen alerts`: the detection report and the promtool unit tests, both generated from the
simulator and checked with the real Prometheus and promtool."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from generator import config as config_module
from generator.pipeline.cache import Cache
from generator.proof import rulefiles
from generator.proof.rulefiles import ProofError
from generator.sim.options import parse_duration


def _seeds(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ProofError(f"--seeds: expected comma-separated integers, got {text!r}") from None
    if not seeds:
        raise ProofError("--seeds: at least one seed")
    return seeds


def _hours(value: float, option: str) -> int:
    if value <= 0:
        raise ProofError(f"{option} must be positive")
    return int(round(value * 3600 / 60)) * 60


# The thresholds were chosen looking at seeds 1-3 (ToygresActivityLatencyHigh's `for`, the SLO
# burns' outage on 1-12, ToygresInfrastructureErrors' threshold on 1-2); the report proves them on
# seeds none of which chose one (change a threshold while looking at these and they must move to
# fresh ones). 101-110 were the proof seeds until two rules were fixed after failing there;
# 111-120 until the burn signals became oracles after ToygresSLOFastBurn's miss on seed 118.
PROOF_SEEDS = "121,122,123,124,125,126,127,128,129,130"


@click.group("alerts", context_settings={"help_option_names": ["-h", "--help"]})
def alerts() -> None:
    """Prove the alert rules against the simulated workload (real Prometheus and promtool)."""


@alerts.command("report")
@click.option("--seeds", default=PROOF_SEEDS, show_default=True,
              help="Comma-separated simulator seeds (default: 10 seeds no threshold was chosen on).")
@click.option("--healthy-hours", type=float, default=24.0, show_default=True,
              help="Healthy hours per seed in which no rule may fire.")
@click.option("--scenario-hours", type=float, default=2.0, show_default=True,
              help="Length of each fault run (fault at --fault-start, or later when a rule's windows "
                   "need more history).")
@click.option("--fault-start", default="30m", show_default=True, metavar="DUR",
              help="Minimum healthy history before a fault.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--rule", "names", multiple=True, metavar="NAME", help="Only this rule (repeat for several).")
@click.option("--workers", type=int, default=2, show_default=True, help="Runs simulated and evaluated in parallel.")
@click.option("--env", "env", default=None, metavar="ENV",
              help="Environment (observability/env/ENV.yaml) or YAML file.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("observability"), show_default=True,
              help="The compiled output whose rule files are proven.")
@click.option("--no-cache", is_flag=True, help="Simulate every run afresh (ignore .dashgen/cache/).")
def report(no_cache: bool, seeds: str, healthy_hours: float, scenario_hours: float, fault_start: str, fmt: str,
           names: tuple[str, ...], workers: int, env: str | None, out_dir: Path) -> None:
    """Detection latency per rule in its fires_in scenarios and false positives in healthy days.

    Every run is simulated, backfilled into a private Prometheus on 127.0.0.1 and evaluated at
    the rule groups' evaluation interval with Prometheus' `for` semantics; the LogQL rule is
    evaluated over the simulated log lines by a small LogQL evaluator (there is no Loki here).
    Goal: each rule fires within `for` + 2 evaluation intervals of the fault's onset, and never
    in the healthy runs. Exit 1 if any goal is missed. Progress goes to stderr.
    """
    from generator.proof import engine as proof, reporters

    config = config_module.load(env)
    rules = rulefiles.load(out_dir, names)
    every = rulefiles.load(out_dir, ()) if names else rules
    settings = proof.Settings(seeds=_seeds(seeds), healthy_seconds=_hours(healthy_hours, "--healthy-hours"),
                              scenario_seconds=_hours(scenario_hours, "--scenario-hours"),
                              fault_start_seconds=parse_duration(fault_start, "--fault-start"), workers=workers)
    started = time.monotonic()

    def progress(message: str) -> None:
        click.echo(f"alerts: {time.monotonic() - started:6.1f}s {message}", err=True)

    result = proof.run(rules, config, settings, progress, Cache(None) if no_cache else None, every)
    click.echo(reporters.RENDERERS[fmt](result), nl=False)
    if not result.passed:
        sys.exit(1)


@alerts.command("promtool-tests")
@click.option("--out", "test_dir", type=click.Path(path_type=Path), required=True, help="Directory for the test files.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--duration", default="90m", show_default=True, metavar="DUR", help="Length of each simulated run.")
@click.option("--fault-start", default="30m", show_default=True, metavar="DUR")
@click.option("--rule", "names", multiple=True, metavar="NAME", help="Only this rule (repeat for several).")
@click.option("--run", "run_promtool", is_flag=True, help="Run `promtool test rules` on the files afterwards.")
@click.option("--env", "env", default=None, metavar="ENV",
              help="Environment (observability/env/ENV.yaml) or YAML file.")
@click.option("--rules-dir", "out_dir", type=click.Path(path_type=Path), default=Path("observability"),
              show_default=True, help="The compiled output whose Prometheus rule files the tests load.")
@click.option("--no-cache", is_flag=True, help="Simulate every run afresh (ignore .dashgen/cache/).")
def promtool_tests(no_cache: bool, test_dir: Path, seed: int, duration: str, fault_start: str, names: tuple[str, ...],
                   run_promtool: bool, env: str | None, out_dir: Path) -> None:
    """Write promtool rule unit tests generated from simulator runs (one file per PromQL rule).

    Each file loads the compiled rule group, feeds the series the rule selects from its fires_in
    scenario and expects the alert (labels and rendered annotations) at onset + for + 2
    evaluation intervals, or at its measured first firing; a second test feeds the healthy run
    and expects silence. The LogQL rule has no promtool test (promtool evaluates PromQL only).
    """
    from generator.proof import promtool_tests as generator

    config = config_module.load(env)
    rules = [r for r in rulefiles.load(out_dir, names) if r.language == "promql"]
    written = generator.write_tests(rules, config, test_dir, seed=seed,
                                    duration_seconds=parse_duration(duration, "--duration"),
                                    fault_start_seconds=parse_duration(fault_start, "--fault-start"),
                                    progress=lambda m: click.echo(f"alerts: {m}", err=True),
                                    cache=Cache(None) if no_cache else None)
    for path in written:
        click.echo(f"wrote {path}")
    if run_promtool:
        failures = generator.run_promtool(written)
        for path, output in failures:
            click.echo(f"promtool: {path}: FAILED\n{output}", err=True)
        if failures:
            sys.exit(1)
        click.echo(f"promtool test rules: {len(written)} file(s) passed")
