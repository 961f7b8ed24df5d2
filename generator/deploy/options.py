"""The connection options `dashgen deploy` and `dashgen diff` share (no heavy imports: `diff
--base` never talks to Grafana)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click


def connection_options(function: Callable[..., Any]) -> Callable[..., Any]:
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
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
                     help="Seconds per request, connect, headers and body together."),
        click.option("--deadline", type=click.FloatRange(min=0), default=600.0, show_default=True,
                     help="Seconds the whole run may take, retries and backoff included (0: none)."),
        click.option("--allow-http", is_flag=True,
                     help="Allow plain http:// to a host that is not loopback (credentials travel in clear)."),
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
