"""`dashgen deploy` and `dashgen diff`: the only place deploy reads environment variables.

Credentials come from GRAFANA_* variables or --env-file, never from a flag (flags land in shell
history and process lists), and are never printed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from generator import config as config_module
from generator.deploy import compiled as compiled_module
from generator.deploy.apply import Result
from generator.deploy.artifacts import DEFAULT_DIR
from generator.deploy.client import GrafanaClient
from generator.deploy.deployer import DeployRequest, run_deploy
from generator.deploy.errors import DeployInterrupted
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


_scrub: Callable[[str], str] = lambda text: text


def _echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Everything deploy and diff print goes through the scrubber of the run's credentials."""
    click.echo(_scrub(text), err=err, nl=nl)


def _fail(exc: DashgenError) -> None:
    _echo(f"dashgen: error: {exc}", err=True)
    sys.exit(getattr(exc, "exit_code", 1))


@contextmanager
def _interruptible(client: GrafanaClient) -> Iterator[None]:
    """The first Ctrl-C cancels every request in flight and every backoff (the run then reports
    what was and was not done); a second one aborts at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if client.watchdog.cancelled:
            raise KeyboardInterrupt
        click.echo("dashgen: interrupted: cancelling requests in flight (Ctrl-C again to abort at once)", err=True)
        client.cancel("interrupted (Ctrl-C)")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _connect(env_file: Path | None, insecure: bool, timeout: float, concurrency: int, attempts: int,
             backoff: float, deadline: float, allow_http: bool) -> tuple[ConnectionSettings, dict[str, str]]:
    global _scrub
    environ = _environ(env_file)
    settings = from_environ(environ, insecure=insecure, timeout=timeout, concurrency=concurrency,
                            attempts=attempts, backoff=backoff, deadline=deadline, allow_http=allow_http)
    _scrub = settings.scrubber()
    if insecure:
        _echo("dashgen: warning: TLS verification is off (--insecure)", err=True)
    if settings.proxy:
        _echo(f"dashgen: note: requests to Grafana go through the proxy {settings.proxy} (from the "
              "HTTP(S)_PROXY/ALL_PROXY environment; add the host to NO_PROXY to go direct)", err=True)
    if allow_http and settings.url.startswith("http://"):
        _echo("dashgen: warning: credentials are sent over plain http (--allow-http)", err=True)
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
           timeout: float, deadline: float, allow_http: bool, concurrency: int, attempts: int, backoff: float,
           alerts_editable: bool, dry_run: bool, prune: bool, force: bool, artifacts: Path,
           output_format: str) -> None:
    """Push folders, dashboards and alerting resources from observability/ to Grafana, writing
    only what changed and refusing to overwrite edits made in Grafana (exit 3) unless --force."""
    if only and prune:
        raise click.UsageError("--only and --prune cannot be combined (prune needs the full set)")
    try:
        config = config_module.load(env)
        settings, environ = _connect(env_file, insecure, timeout, concurrency, attempts, backoff, deadline,
                                     allow_http)
        output = compiled_module.load(observability, config)
        client = GrafanaClient(settings)
        request = DeployRequest(dry_run=dry_run, only=frozenset(only), prune=prune, force=force,
                                alerts_editable=alerts_editable, commit=git_commit(), artifacts_dir=artifacts,
                                environ=environ, scrub=settings.scrubber())
        _echo(f"dashgen: {'planning' if dry_run else 'deploying'} {len(output.dashboards)} dashboards from "
              f"{observability} to {settings.base_url} (as {settings.auth_kind})", err=True)

        def on_result(result: Result) -> None:
            _echo(action_line(result), err=True)

        def on_note(note: str) -> None:
            _echo(f"note: {note}", err=True)

        try:
            with _interruptible(client):
                report = run_deploy(client, config, output, request, on_result, on_note)
        except DeployInterrupted as exc:
            raise type(exc)(f"{exc}; nothing was written (stopped while reading Grafana)") from None
        finally:
            client.close()
    except DashgenError as exc:
        _fail(exc)
        return
    if output_format == "json":
        _echo(json.dumps(to_json(report), indent=2, sort_keys=True))
    else:
        _echo(summary_line(report))
    if report.failed:
        for line in incomplete_lines(report):
            _echo(line, err=True)
        _echo(f"dashgen: error: {incomplete_message(report)}", err=True)
        interrupted = client.watchdog.cancelled and client.watchdog.reason != "deadline"
        sys.exit(130 if interrupted else 1)


# `dashgen diff` lives with the semantic differ; kept importable from here.
from generator.review.command import diff  # noqa: E402

__all__ = ["deploy", "diff", "git_commit"]
