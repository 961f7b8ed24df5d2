"""`dashgen import`: Grafana dashboard JSON -> Python definition modules in the house style."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from generator import config as config_module
from generator.authoring.verbatim import copy_json
from generator.canonical import write_files_atomically
from generator.config import Config
from generator.errors import DashgenError
from generator.importer import reader, review
from generator.importer.migrate import migrate
from generator.importer.module import Importer
from generator.importer.plan import Context
from generator.importer.querymatch import Matcher
from generator.importer.verify import compile_source, mismatches
from generator.problems import has_errors


@dataclass
class Result:
    """One imported dashboard: the module to write and what the import has to say about it."""

    path: Path
    name: str
    source: str
    original: dict[str, Any]
    notes: list[str]
    verbatim: list[str]
    self_check: list[str]


def import_file(path: Path, config: Config, matcher: Matcher, taken: set[str],
                label: str | None = None, verify: bool = True) -> Result:
    """Read, migrate and generate one module (in memory; nothing is written here)."""
    original = reader.read(path)
    name = reader.module_name(original, path, taken)
    try:
        migrated = migrate(original)
        wanted = copy_json(migrated.dashboard)
        module = Importer(Context(config, matcher)).module(migrated, label or path.name)
    except Exception as exc:  # noqa: BLE001 - malformed input deep inside a panel: one line, no module
        raise DashgenError(f"{path}: cannot be imported: {type(exc).__name__}: {exc}") from None
    problems: list[str] = []
    if verify:
        try:
            problems = mismatches(wanted, compile_source(module.source, config, name.replace("_", "-"), str(path)))
        except Exception as exc:  # noqa: BLE001 - a generator bug must not write a broken module
            raise DashgenError(f"{path}: the generated module does not compile ({type(exc).__name__}: {exc}); "
                               "nothing written for it") from None
    return Result(path, name, module.source, original, module.notes, module.verbatim, problems)


@click.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Directory for the generated modules (one <title>.py per dashboard).")
@click.option("--env", default="local", show_default=True,
              help="Config whose named queries are recognised (local, aks or a YAML path).")
@click.option("--check/--no-check", "run_check", default=True, show_default=True,
              help="Also run `dashgen check` (healthy scenario, real Prometheus) on the originals.")
@click.option("--scenario", default="healthy", show_default=True, help="Scenario for the check review.")
@click.option("--measures", type=click.Path(path_type=Path), default=None,
              help="What the originals' panels claim to measure, for check's ground-truth rules "
                   "(as `dashgen check --measures`; default: the compiled one).")
@click.option("--exclusions", type=click.Path(path_type=Path), default=Path("lint-exclusions.yaml"),
              show_default=True, help="Lint exclusions for the review.")
@click.option("--portable", is_flag=True,
              help="The dashboards are not Toygres': review them with the correctness-only rules of `dashgen lint --portable` and skip check (it simulates Toygres).")
def import_(files: tuple[Path, ...], out_dir: Path, env: str, run_check: bool, scenario: str,
            measures: Path | None, exclusions: Path, portable: bool) -> None:
    """Turn Grafana dashboard JSON into Python definition modules.

    Each module uses the house builders (rows, variables, units, thresholds, descriptions) and
    the named queries of generator/queries.py where a query is one of them; it keeps the
    dashboard's uid and title. Old dashboards are migrated as Grafana does (rows layout,
    graph/singlestat/table-old, data source names, [[var]]). What no builder expresses is kept
    by `verbatim(...)` / `raw_panel(...)` and listed at the top of the module. Each module is
    compiled once as a self-check and written atomically; a file that cannot be imported gets
    one line and no module. Then lint and check review the originals.
    Try the result with `dashgen build --dashboards OUT --out DIR --portable`.
    """
    started = time.perf_counter()
    config = config_module.load(env)
    matcher = Matcher(config)
    taken: set[str] = set()  # a re-import replaces its module; two inputs never share one
    results: list[Result] = []
    failed = 0
    for path in files:
        try:
            result = import_file(path, config, matcher, taken)
        except DashgenError as exc:
            click.echo(f"dashgen: error: {exc}", err=True)
            failed += 1
            continue
        results.append(result)
    try:
        written = write_files_atomically({out_dir / f"{r.name}.py": r.source for r in results})
    except OSError as exc:
        raise DashgenError(f"{out_dir}: cannot write the modules ({exc.strerror or exc}); nothing written") from None
    for result in results:
        target = out_dir / f"{result.name}.py"
        raw = sum(1 for n in result.verbatim if ": raw_panel" in n)
        click.echo(f"{result.path} -> {target} ({len(result.source.splitlines())} lines; {len(result.notes)} "
                   f"migration note(s), {len(result.verbatim)} verbatim use(s) of which {raw} raw panel(s): "
                   "see the module's header)", err=True)
        for problem in result.self_check:
            click.echo(f"dashgen: warning: {target}: compiles differently from the original: {problem}", err=True)
    elapsed = time.perf_counter() - started
    click.echo(f"{len(results)} imported, {failed} failed, {len(written)} file(s) written in {elapsed:.2f}s", err=True)
    if results:
        _review(results, config, exclusions, run_check and not portable, scenario, measures, portable)
    if failed:
        sys.exit(1)


def _review(results: list[Result], config: Config, exclusions: Path, run_check: bool, scenario: str,
            measures: Path | None, portable: bool) -> None:
    from generator.lint.reporters import render_text
    files = [(str(r.path), r.original) for r in results]
    problems = review.lint(files, config, exclusions, portable)
    click.echo(review.summary("lint --portable" if portable else "lint", problems))
    click.echo(render_text(problems), nl=False)
    if not run_check:
        reason = "--portable: check simulates Toygres' workload" if portable else "--no-check"
        click.echo(f"review (check of the original): skipped ({reason})")
        return
    started = time.perf_counter()
    try:
        found = review.check(files, config, scenario, 3600, measures,
                             lambda m: click.echo(f"[{time.perf_counter() - started:5.1f}s] {m}", err=True))
    except (DashgenError, OSError) as exc:  # no Prometheus/promtool here, unknown scenario, ...
        click.echo(f"review (check of the original): not run: {exc}")
        return
    click.echo(review.summary("check", found, f", scenario {scenario}"))
    click.echo(render_text(found), nl=False)
    if has_errors(problems) or has_errors(found):
        click.echo("(the review is advice: the modules were written; fix the findings in them)")
