"""The `dashgen` command line: subcommands are imported lazily so `dashgen build` stays fast.

Environment variables are read here and nowhere deeper; errors become one line and exit 1.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from generator.errors import DashgenError

# name -> (module, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "build": ("generator.commands.build", "build", "Compile dashboards and alerts into observability/."),
    "lint": ("generator.commands.lint", "lint", "Lint dashboard JSON offline (compiled or hand-made)."),
    "simulate": ("generator.sim.command", "simulate", "Simulate Toygres on duroxide: metrics, logs, truth."),
    "check": ("generator.check.command", "check", "Prove dashboards against the simulated workload in Prometheus."),
    "alerts": ("generator.proof.command", "alerts", "Alert rule tests and the detection report."),
    "deploy": ("generator.deploy.command", "deploy", "Push dashboards, folders and alert rules to Grafana."),
    "diff": ("generator.review.command", "diff", "What changed: vs a git ref (--base) or vs Grafana (read-only)."),
    "preview": ("generator.preview.command", "preview", "Render dashboards to PNG/HTML with simulated data."),
    "import": ("generator.importer.command", "import_", "Turn Grafana dashboard JSON into Python definition modules."),
    "stack": ("generator.stack.command", "stack", "Start, stop and probe the docker-compose observability stack."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, spec in COMMANDS.items() if _available(spec[0]))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        spec = COMMANDS.get(name)
        if spec is None or not _available(spec[0]):
            return None
        module = importlib.import_module(spec[0])
        command: click.Command = getattr(module, spec[1])
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _available(module: str) -> bool:
    return importlib.util.find_spec(module.rsplit(".", 1)[0]) is not None and (
        importlib.util.find_spec(module) is not None
    )


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="toygres-observability", prog_name="dashgen")
def cli() -> None:
    """Observability as code for Toygres.

    Dashboards, PromQL/LogQL queries and alert rules are Python under dashboards/ and alerts/;
    `dashgen build` compiles them to Grafana provisioning files under observability/, and the
    other commands lint, check, simulate and deploy that compiled output.
    """


def main(argv: list[str] | None = None) -> Any:
    try:
        return cli.main(args=argv, prog_name="dashgen", standalone_mode=True)
    except DashgenError as exc:
        click.echo(f"dashgen: error: {exc}", err=True)
        sys.exit(1)

