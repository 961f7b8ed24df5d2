"""`dashgen preview`: each dashboard as an HTML page and a PNG, filled with a simulated scenario."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from generator import config as config_module
from generator.errors import DashgenError
from generator.sim.scenarios import SCENARIOS


@click.command()
@click.option("--dashboard", "uids", multiple=True, metavar="UID", help="Only this dashboard (repeatable).")
@click.option("--scenario", default="healthy", show_default=True, metavar="NAME",
              help=f"Simulated scenario spec whose query results fill the panels: {', '.join(SCENARIOS)} "
                   "(composable as in check: database-slow+burst,hold=90m).")
@click.option("--changed-since", "changed_since", metavar="REF",
              help="Only dashboards changed since this git ref, plus a before/after page of each changed panel.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("build/preview"),
              show_default=True, help="Output directory (DIR/index.html browses all previews).")
@click.option("--observability", type=click.Path(file_okay=False, path_type=Path), default=Path("observability"),
              show_default=True, help="Compiled output to preview.")
@click.option("--env", default="local", show_default=True, help="Environment overrides (local, aks or a YAML path).")
@click.option("--duration", default="2h", show_default=True, help="Simulated window shown.")
@click.option("--seed", default=1, show_default=True, help="Simulation seed.")
@click.option("--chromium", metavar="PATH", default=None, help="Chromium binary (default: chromium on PATH).")
def preview(uids: tuple[str, ...], scenario: str, changed_since: str | None, out: Path, observability: Path,
            env: str, duration: str, seed: int, chromium: str | None) -> None:
    """Render dashboards to PNG and HTML as they would look in Grafana (not pixel-identical).

    Panels are laid out from gridPos on 24 columns in Grafana's dark theme and filled with the
    real query results of a simulated scenario in a private Prometheus (LogQL panels from the
    simulated log streams); time series are drawn with uPlot; headless Chromium takes the
    screenshots. Exit 1 when a page has console errors, 2 for bad input.
    """
    from generator.parsers.literals import parse_duration
    from generator.pipeline.spec import ScenarioSpec
    from generator.preview.build import Request, render
    from generator.review import gitref, snapshot
    from generator.review.differ import diff_snapshots

    started = time.perf_counter()
    try:
        ScenarioSpec.parse(scenario)  # an unknown scenario is one line, before anything runs
        config = config_module.load(env)
        current = snapshot.from_directory(observability)
        for path, reason in current.broken.items():
            click.echo(f"dashgen: error: {path}: {reason} (not previewed)", err=True)
        if not current.dashboards and not current.broken:
            raise DashgenError(f"no dashboards under {observability}/grafana/dashboards (run `make dashboards`)")
        unknown = [u for u in uids if u not in current.dashboards]
        if unknown:
            raise DashgenError(f"unknown dashboard uid {unknown[0]!r}; known: {', '.join(sorted(current.dashboards))}")
        chosen = list(uids) or sorted(current.dashboards)
        base: dict[str, dict] = {}
        if changed_since is not None:
            before = gitref.read_at(changed_since, observability, Path.cwd())
            report = diff_snapshots(before, current)
            changed = {i.key for i in report.dashboards if i.status in ("changed", "added")}
            chosen = [u for u in chosen if u in changed]
            base = {u: before.dashboards[u] for u in chosen if u in before.dashboards}
        request = Request([(u, current.dashboards[u]) for u in chosen], scenario, int(parse_duration(duration)),
                          seed, base, changed_since or "", chromium)
        previews = render(request, config, out,
                          lambda m: click.echo(f"[{time.perf_counter() - started:5.1f}s] {m}", err=True))
    except DashgenError as exc:
        click.echo(f"dashgen: error: {exc}", err=True)
        sys.exit(2)
    errors = [e for p in previews for e in p.console_errors]
    for preview_ in previews:
        if preview_.empty_panels:
            click.echo(f"note: {preview_.uid}: no data in scenario {scenario}: {', '.join(preview_.empty_panels)}", err=True)
    click.echo(f"{len(previews)} previews in {out}/ (open {out}/index.html) in {time.perf_counter() - started:.1f}s",
               err=True)
    for error in errors:
        click.echo(f"dashgen: error: console: {error}", err=True)
    if errors or current.broken:
        sys.exit(1)
