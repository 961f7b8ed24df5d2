"""`dashgen diff`'s two modes, one differ: against a git ref, or against a live Grafana."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.config import Config
from generator.deploy.plan import Plan
from generator.review import gitref, live, snapshot
from generator.review.differ import diff_snapshots
from generator.review.model import Report
from generator.review.reporters import REPORTERS, render_markdown
from generator.review.staleness import stale_warnings

FORMATS = ("text", "markdown", "json")
EXIT_HELP = ("Exit codes: 0 compared, no differences (or differences without --exit-code); "
             "1 differences, with --exit-code; 2 error: bad input, or a file that could not be compared "
             "(each named on stderr; the rest is still diffed and printed).")
EXIT_CHANGED, EXIT_ERROR = 1, 2


def against_ref(base: str, observability: Path, config: Config, *, check_stale: bool = True) -> Report:
    """The compiled output at `base` (empty: the merge base with main) vs the working tree's."""
    cwd = Path.cwd()
    ref = base or gitref.default_base(cwd)
    label = base or f"merge-base {ref[:10]}"
    before = gitref.read_at(ref, observability, cwd, label=label)
    warnings = stale_warnings(config, observability) if check_stale else []
    if not observability.is_dir():
        raise gitref.ReviewError(f"{observability}: compiled output not found (run `make dashboards` first)")
    report = diff_snapshots(before, snapshot.from_directory(observability))
    report.warnings[:0] = warnings
    return report


def against_grafana(plan: Plan, grafana_label: str) -> Report:
    before, after, notes = live.snapshots(plan, grafana_label)
    report = diff_snapshots(before, after)
    report.warnings += notes
    return report


def emit(report: Report, output_format: str, exit_code: bool, marker: bool = False) -> None:
    """Print the report; warnings and errors go to stderr too, one line each. Exits per EXIT_HELP."""
    for warning in report.warnings:
        click.echo(f"dashgen: warning: {warning}", err=True)
    for error in report.errors:
        click.echo(f"dashgen: error: {error}", err=True)
    if output_format == "markdown":
        click.echo(render_markdown(report, marker=marker), nl=False)
    elif output_format == "text":
        # warnings and errors were printed above; the text body is the summary and the changes
        click.echo(REPORTERS["text"](Report(report.base, report.head, report.items)), nl=False)
    else:
        click.echo(REPORTERS[output_format](report), nl=False)
    click.echo(f"dashgen: {report.summary()}", err=True)
    if report.errors:
        sys.exit(EXIT_ERROR)
    if exit_code and report.changed:
        sys.exit(EXIT_CHANGED)
