"""`dashgen build`: compile, lint, then write observability/ atomically (or check it is fresh)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from generator.commands import freshness


@click.command()
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 naming every stale file if observability/ differs from what the sources produce (CI runs this).")
@click.option("--env", "env", default="local", show_default=True,
              help="Environment overrides: local, aks (observability/env/NAME.yaml) or a YAML file path.")
@click.option("--dashboards", "dashboards_dir", type=click.Path(path_type=Path), default=Path("dashboards"),
              show_default=True, help="Directory of dashboard definition modules.")
@click.option("--alerts", "alerts_dir", type=click.Path(path_type=Path), default=None,
              help="Directory of alert rule definition modules [default: alerts, only when --dashboards is the default].")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("observability"),
              show_default=True, help="Output directory for generated files.")
@click.option("--portable", is_flag=True,
              help="For dashboards that are not Toygres' (e.g. fresh imports): lint with the correctness-only rules of `dashgen lint --portable`; findings are printed but do not block writing.")
def build(check_only: bool, env: str, dashboards_dir: Path, alerts_dir: Path | None, out_dir: Path,
          portable: bool) -> None:
    """Compile dashboards (and alert rules) from Python into Grafana provisioning files.

    Lint runs on the compiled JSON; any error-severity problem stops the build and nothing is
    written (with --portable the portable rule set runs, and its problems are printed and the
    files written anyway). Output
    files are replaced atomically, all or none. `--dashboards DIR --out DIR` compiles any
    folder of definitions into any output folder; the repository's alert rules are compiled
    only with its own dashboards (they link to their panels) unless --alerts is given.
    """
    started = time.perf_counter()
    own_output = dashboards_dir == Path("dashboards")
    if alerts_dir is None and own_output:
        alerts_dir = Path("alerts")
    env_path = Path(env) if Path(env).suffix else Path("observability") / "env" / f"{env}.yaml"
    inputs = [p for p in (dashboards_dir, alerts_dir, env_path, Path("lint-exclusions.yaml")) if p is not None]
    key = [env, str(dashboards_dir.resolve()), str(alerts_dir.resolve()) if alerts_dir else "-",
           str(out_dir.resolve()), "portable" if portable else ""]
    listing = out_dir / "grafana" / "dashboards"
    if not check_only and freshness.up_to_date(key, inputs, listing):
        click.echo(f"nothing changed since the last build -> {out_dir}/", err=True)
        return
    # Imported here: a no-change build never loads the compiler (grafanalib) or the linter.
    from generator import config as config_module
    from generator.alerting.build import compile_alerts
    from generator.canonical import write_files_atomically
    from generator.compile.build import compile_dashboards, stale_files
    from generator.errors import BuildError
    from generator.lint.engine import lint_dashboards
    from generator.lint.reporters import render_text
    from generator.problems import has_errors
    from generator.stack import stack_files

    config = config_module.load(env)
    root = Path.cwd()
    compiled = compile_dashboards(dashboards_dir, config, root)
    alert_problems = compile_alerts(alerts_dir, config, root, compiled) if alerts_dir is not None else []
    if own_output:
        # The stack's configs describe this repository's own deployment, not an imported folder.
        compiled.files.update(stack_files(config))
    problems = alert_problems + lint_dashboards(
        [(_display(compiled.sources[uid], root), data) for uid, data in compiled.dashboards.items()],
        config, None if portable else Path("lint-exclusions.yaml"), portable=portable)
    if problems:
        click.echo(render_text(problems), err=True, nl=False)
    if has_errors(problems) and not portable:
        raise BuildError("lint found errors; nothing was written")
    if has_errors(problems):
        click.echo("dashgen: --portable: lint errors above do not block writing", err=True)
    changed, extra = stale_files(out_dir, compiled)
    if check_only:
        if changed or extra:
            for path in changed:
                click.echo(f"stale: {out_dir / path}", err=True)
            for path in extra:
                click.echo(f"stale: {out_dir / path} (no longer generated)", err=True)
            click.echo("dashgen: error: observability/ is out of date; run `make dashboards` and commit", err=True)
            sys.exit(1)
        click.echo(f"{len(compiled.files)} generated files up to date", err=True)
        return
    written = write_files_atomically({out_dir / p: t for p, t in compiled.files.items()},
                                     remove=tuple(out_dir / p for p in extra))
    freshness.record(key, inputs, sorted(out_dir / p for p in compiled.files), listing)
    elapsed = time.perf_counter() - started
    click.echo(f"{len(compiled.dashboards)} dashboards, {len(compiled.files)} files "
               f"({len(written)} changed) in {elapsed:.2f}s -> {out_dir}/", err=True)


def _display(path: Path, root: Path) -> str:
    """A path as the user would type it (relative to the working directory when inside it)."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
