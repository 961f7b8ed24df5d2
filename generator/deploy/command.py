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

import click

from generator import config as config_module
from generator.deploy import compiled as compiled_module
from generator.deploy.apply import Result
from generator.deploy.artifacts import DEFAULT_DIR
from generator.deploy.client import GrafanaClient
from generator.deploy.deployer import DeployRequest, run_deploy
from generator.deploy.report import action_line, incomplete_lines, incomplete_message, summary_line, to_json
from generator.deploy.options import connection_options as _connection_options
from generator.deploy.settings import ConnectionSettings, from_environ, read_env_file
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


# `dashgen diff` lives with the semantic differ; kept importable from here.
from generator.review.command import diff  # noqa: E402

__all__ = ["deploy", "diff", "git_commit"]
