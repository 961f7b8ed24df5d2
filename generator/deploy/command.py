"""`dashgen deploy` and `dashgen diff`: the only place deploy reads environment variables.

Credentials come from GRAFANA_* variables or --env-file, never from a flag (flags land in shell
history and process lists), and are never printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import click

from generator import config as config_module
from generator.deploy import compiled as compiled_module
from generator.deploy.apply import Result
from generator.deploy.artifacts import DEFAULT_DIR
from generator.deploy.client import GrafanaClient
from generator.deploy.deployer import DeployRequest, run_deploy
from generator.deploy.plan import Kind
from generator.deploy.report import action_line, incomplete_lines, incomplete_message, summary_line, to_json
from generator.deploy.settings import ConnectionSettings, from_environ, read_env_file
from generator.deploy.survey import SurveyOptions, survey
from generator.errors import DashgenError


def _environ(env_file: Path | None) -> dict[str, str]:
    values = dict(os.environ)
    if env_file is not None:
        # An explicit file wins over the shell: `--env-file prod.env` must not hit a local URL.
        values.update(read_env_file(env_file))
    return values


def git_commit(cwd: Path | None = None) -> str:
    """Short sha of HEAD (`-dirty` when the tree has changes), or `unknown` outside git."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=cwd, capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd,
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{sha}-dirty" if dirty else sha or "unknown"


def _fail(exc: DashgenError) -> None:
    click.echo(f"dashgen: error: {exc}", err=True)
    sys.exit(getattr(exc, "exit_code", 1))


def _connection_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--env", "env", default=None, metavar="local|aks|FILE",
                     help="Config environment (observability/env/NAME.yaml) or a YAML file."),
        click.option("--env-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Dotenv-style file with GRAFANA_URL, GRAFANA_TOKEN, ... (wins over the shell)."),
        click.option("--observability", type=click.Path(file_okay=False, path_type=Path),
                     default=Path("observability"), show_default=True, help="Compiled output to deploy."),
        click.option("--only", "only", multiple=True, metavar="UID",
                     help="Only this dashboard (repeatable); skips alerting and prune."),
        click.option("--insecure", is_flag=True, help="Skip TLS verification (throwaway test instances only)."),
        click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds per request."),
        click.option("--concurrency", type=click.IntRange(1, 32), default=8, show_default=True,
                     help="Requests in flight at once."),
        click.option("--attempts", type=click.IntRange(1, 10), default=4, show_default=True,
                     help="Tries per request on connection errors, 429 and 5xx (4xx is never retried)."),
        click.option("--backoff", type=click.FloatRange(0, 60), default=0.5, show_default=True,
                     help="First retry delay in seconds, doubled per retry."),
        click.option("--alerts-editable", is_flag=True,
                     help="Send X-Disable-Provenance so alert resources stay editable in the UI "
                          "(the next deploy overwrites such edits)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _connect(env_file: Path | None, insecure: bool, timeout: float, concurrency: int, attempts: int,
             backoff: float) -> tuple[ConnectionSettings, dict[str, str]]:
    environ = _environ(env_file)
    settings = from_environ(environ, insecure=insecure, timeout=timeout, concurrency=concurrency,
                            attempts=attempts, backoff=backoff)
    if insecure:
        click.echo("dashgen: warning: TLS verification is off (--insecure)", err=True)
    return settings, environ


@click.command("deploy")
@_connection_options
@click.option("--dry-run", is_flag=True, help="Show every action (create, update, unchanged, drifted, delete); write nothing.")
@click.option("--prune", is_flag=True, help="Delete managed dashboards (tag and folder) that code no longer defines.")
@click.option("--force", is_flag=True, help="Overwrite dashboards edited in Grafana, after backing up their live JSON.")
@click.option("--artifacts", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DIR,
              show_default=True, help="Where backups and drift diffs are written.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def deploy(env: str | None, env_file: Path | None, observability: Path, only: tuple[str, ...], insecure: bool,
           timeout: float, concurrency: int, attempts: int, backoff: float, alerts_editable: bool, dry_run: bool,
           prune: bool, force: bool, artifacts: Path, output_format: str) -> None:
    """Push folders, dashboards and alerting resources from observability/ to Grafana, writing
    only what changed and refusing to overwrite edits made in Grafana (exit 3) unless --force."""
    if only and prune:
        raise click.UsageError("--only and --prune cannot be combined (prune needs the full set)")
    try:
        config = config_module.load(env)
        settings, environ = _connect(env_file, insecure, timeout, concurrency, attempts, backoff)
        output = compiled_module.load(observability, config)
        client = GrafanaClient(settings)
        request = DeployRequest(dry_run=dry_run, only=frozenset(only), prune=prune, force=force,
                                alerts_editable=alerts_editable, commit=git_commit(), artifacts_dir=artifacts,
                                environ=environ)
        click.echo(f"dashgen: {'planning' if dry_run else 'deploying'} {len(output.dashboards)} dashboards from "
                   f"{observability} to {settings.base_url} (as {settings.auth_kind})", err=True)

        def on_result(result: Result) -> None:
            click.echo(action_line(result), err=True)

        def on_note(note: str) -> None:
            click.echo(f"note: {note}", err=True)

        try:
            report = run_deploy(client, config, output, request, on_result, on_note)
        finally:
            client.close()
    except DashgenError as exc:
        _fail(exc)
        return
    if output_format == "json":
        click.echo(json.dumps(to_json(report), indent=2, sort_keys=True))
    else:
        click.echo(summary_line(report))
    if report.failed:
        for line in incomplete_lines(report):
            click.echo(line, err=True)
        click.echo(f"dashgen: error: {incomplete_message(report)}", err=True)
        sys.exit(1)


@click.command("diff", epilog=None)
@_connection_options
@click.option("--base", metavar="REF", default=None, is_flag=False, flag_value="",
              help="Compare with the compiled output at this git ref instead of Grafana (read from git "
                   "objects; `--base` alone: the merge base with main).")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="markdown is made for a pull-request comment.")
@click.option("--exit-code", "exit_code", is_flag=True, help="Exit 1 when anything differs (like git diff).")
@click.option("--comment-marker", is_flag=True, hidden=True, help="Start markdown with the PR comment marker.")
def diff(env: str | None, env_file: Path | None, observability: Path, only: tuple[str, ...], insecure: bool,
         timeout: float, concurrency: int, attempts: int, backoff: float, alerts_editable: bool,
         base: str | None, output_format: str, exit_code: bool, comment_marker: bool) -> None:
    """Show what changed, read-only: compiled output vs a git ref (--base) or vs the live Grafana.

    Both modes use one semantic differ: dashboards by uid, panels by row, type and title (then by
    query), alert rules by uid; queries as word-level diffs. Exit codes: 0 compared, no
    differences (or differences without --exit-code); 1 differences, with --exit-code; 2 error
    (bad input or a file that could not be compared, each named on stderr; the rest is still
    diffed).
    """
    from generator.review import command as review
    try:
        config = config_module.load(env)
        if base is not None:
            report = review.against_ref(base, observability, config)
        else:
            settings, environ = _connect(env_file, insecure, timeout, concurrency, attempts, backoff)
            output = compiled_module.load(observability, config)
            client = GrafanaClient(settings)
            try:
                plan = survey(client, config, output, SurveyOptions(only=frozenset(only), prune=True,
                                                                         alerts_editable=alerts_editable), environ)
            finally:
                client.close()
            report = review.against_grafana(plan, f"Grafana {settings.base_url}")
    except DashgenError as exc:
        click.echo(f"dashgen: error: {exc}", err=True)
        sys.exit(review.EXIT_ERROR)
    review.emit(report, output_format, exit_code, marker=comment_marker)


__all__ = ["deploy", "diff", "git_commit"]
