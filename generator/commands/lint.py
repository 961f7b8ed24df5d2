"""`dashgen lint`: offline lint of dashboard JSON, compiled or hand-made."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator import config as config_module
from generator.errors import DashgenError
from generator.lint.engine import lint_dashboards
from generator.lint.reporters import REPORTERS
from generator.lint.rules import RULES
from generator.problems import has_errors
from generator.walker import DEFAULT_GLOB, read_dashboard

@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(REPORTERS)), default="text", show_default=True,
              help="Report format: text for people, json for tools, github for PR annotations.")
@click.option("--env", default="local", show_default=True, help="Environment overrides (local, aks or a YAML path).")
@click.option("--exclusions", type=click.Path(path_type=Path), default=Path("lint-exclusions.yaml"),
              show_default=True, help="YAML list of {rule, dashboard, panel, reason} to silence.")
@click.option("--list-rules", is_flag=True,
              help="Print every rule id (dashboard rules, then the alert/* rules `dashgen build` runs) and exit.")
@click.option("--portable", is_flag=True,
              help="For dashboards this project did not write: correctness rules only (no house rules on "
                   "descriptions, units or uids; data sources checked for being well formed and resolvable, "
                   "not for being Toygres' provisioned ones).")
def lint(files: tuple[Path, ...], fmt: str, env: str, exclusions: Path, list_rules: bool, portable: bool) -> None:
    """Lint dashboard JSON files (default: the compiled ones under observability/).

    Works on any Grafana dashboard JSON, including hand-made ones. Exit 1 on any
    error-severity problem.
    """
    if list_rules:
        from generator.alerting.rules import RULES as ALERT_RULES

        for rule in [*RULES, *ALERT_RULES]:
            click.echo(f"{rule.id:32} {rule.severity.value:8} {rule.description}")
        return
    config = config_module.load(env)
    paths = list(files) or sorted(Path().glob(DEFAULT_GLOB))
    if not paths:
        raise DashgenError(f"no dashboards to lint (nothing matches {DEFAULT_GLOB}; run `make dashboards`)")
    problems = lint_dashboards([(str(p), read_dashboard(p)) for p in paths], config,
                               None if portable else exclusions, portable=portable)
    click.echo(REPORTERS[fmt](problems), nl=False)
    if has_errors(problems):
        sys.exit(1)
