"""`dashgen diff`'s two modes, one differ: against a git ref, or against a live Grafana."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

from generator.config import Config
from generator.deploy.options import connection_options
from generator.errors import DashgenError
from generator.review import gitref, snapshot
from generator.review.differ import diff_snapshots
from generator.review.model import Report
from generator.review.reporters import REPORTERS, render_markdown
from generator.review.staleness import stale_warnings

if TYPE_CHECKING:
    from generator.deploy.plan import Plan

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
    old_files, old_prefix = gitref.files_at(ref, observability, cwd)
    warnings = stale_warnings(config, observability) if check_stale else []
    if not observability.is_dir():
        raise gitref.ReviewError(f"{observability}: compiled output not found (run `make dashboards` first)")
    new_files = snapshot.read_directory(observability)
    # Byte-identical files cannot differ: skip parsing them (most files, in most pull requests).
    same = {path for path, content in old_files.items() if new_files.get(path) == content}
    before = snapshot.from_files({p: c for p, c in old_files.items() if p not in same}, label, prefix=old_prefix)
    after = snapshot.from_files({p: c for p, c in new_files.items() if p not in same}, "working tree",
                                prefix=f"{observability.as_posix().rstrip('/')}/")
    report = diff_snapshots(before, after)
    report.warnings[:0] = warnings
    return report


def against_grafana(plan: "Plan", grafana_label: str) -> Report:
    from generator.review import live
    before, after, notes = live.snapshots(plan, grafana_label)
    report = diff_snapshots(before, after)
    report.warnings += notes
    return report


def emit(report: Report, output_format: str, exit_code: bool, marker: bool = False,
         echo: Callable[..., None] = click.echo) -> None:
    """Print the report; warnings and errors go to stderr too, one line each. Exits per EXIT_HELP."""
    for warning in report.warnings:
        echo(f"dashgen: warning: {warning}", err=True)
    for error in report.errors:
        echo(f"dashgen: error: {error}", err=True)
    if output_format == "markdown":
        echo(render_markdown(report, marker=marker), nl=False)
    elif output_format == "text":
        # warnings and errors were printed above; the text body is the summary and the changes
        echo(REPORTERS["text"](Report(report.base, report.head, report.items)), nl=False)
    else:
        echo(REPORTERS[output_format](report), nl=False)
    echo(f"dashgen: {report.summary()}", err=True)
    if report.errors:
        sys.exit(EXIT_ERROR)
    if exit_code and report.changed:
        sys.exit(EXIT_CHANGED)


@click.command("diff")
@connection_options
@click.option("--base", metavar="REF", default=None, is_flag=False, flag_value="",
              help="Compare with the compiled output at this git ref instead of Grafana (read from git "
                   "objects; `--base` alone: the merge base with main).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="markdown is made for a pull-request comment; json for machines.")
@click.option("--exit-code", "exit_code", is_flag=True, help="Exit 1 when anything differs (like git diff).")
@click.option("--previews", "previews", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="A `dashgen preview` output directory: the markdown links each dashboard's pictures found there.")
@click.option("--previews-url", "previews_url", default=None, metavar="PREFIX",
              help="How the markdown spells the previews directory (default: as given to --previews).")
@click.option("--comment-marker", is_flag=True, help="Start the markdown with the hidden marker the PR workflow "
                                                     "finds its comment by.")
def diff(env: str | None, env_file: Path | None, observability: Path, only: tuple[str, ...], insecure: bool,
         timeout: float, deadline: float, allow_http: bool, concurrency: int, attempts: int, backoff: float,
         alerts_editable: bool,
         base: str | None, output_format: str, exit_code: bool, previews: Path | None, previews_url: str | None,
         comment_marker: bool) -> None:
    """Show what changed, read-only: compiled output vs a git ref (--base) or vs the live Grafana.

    Both modes use one semantic differ: dashboards by uid, panels by row, type and title (then by
    query), alert rules by uid; queries as word-level diffs. Exit codes: 0 compared, no
    differences (or differences without --exit-code); 1 differences, with --exit-code; 2 error
    (bad input or a file that could not be compared, each named on stderr; the rest is still
    diffed).
    """
    from generator import config as config_module
    echo = click.echo
    try:
        config = config_module.load(env)
        if base is not None:
            report = against_ref(base, observability, config)
            if only:  # as against Grafana: only these dashboards, no alerting
                report.items = [i for i in report.items if i.resource == "dashboard" and i.key in only]
        else:
            from generator.deploy import command as deploy_command
            echo = deploy_command._echo  # scrubs the run's credentials from everything printed
            report = _against_live(config, env_file, observability, only, insecure, timeout, deadline, allow_http,
                                   concurrency, attempts, backoff, alerts_editable)
    except DashgenError as exc:
        echo(f"dashgen: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    if previews is not None:
        link_previews(report, previews, previews_url if previews_url is not None else previews.as_posix())
    emit(report, output_format, exit_code, marker=comment_marker, echo=echo)


def link_previews(report: Report, directory: Path, prefix: str) -> None:
    """Attach each dashboard's preview pictures (whole page, then before/after) that exist."""
    for item in report.dashboards:
        for name in (f"{item.key}.png", f"{item.key}.changes.png"):
            if (directory / name).is_file():
                item.previews.append(f"{prefix.rstrip('/')}/{name}")


def _against_live(config: Config, env_file: Path | None, observability: Path, only: tuple[str, ...],
                  insecure: bool, timeout: float, deadline: float, allow_http: bool, concurrency: int,
                  attempts: int, backoff: float, alerts_editable: bool) -> Report:
    from generator.deploy import compiled as compiled_module
    from generator.deploy.client import GrafanaClient
    from generator.deploy.command import _connect, _interruptible
    from generator.deploy.survey import SurveyOptions, survey
    settings, environ = _connect(env_file, insecure, timeout, concurrency, attempts, backoff, deadline, allow_http)
    output = compiled_module.load(observability, config)
    client = GrafanaClient(settings)
    try:
        with _interruptible(client):
            plan = survey(client, config, output, SurveyOptions(only=frozenset(only), prune=True,
                                                                     alerts_editable=alerts_editable), environ)
    finally:
        client.close()
    return against_grafana(plan, f"Grafana {settings.base_url}")
