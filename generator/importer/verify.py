"""Compile a generated module's source and say where it differs from the dashboard it came from
(the import's self-check; the round-trip tests use it too)."""

from __future__ import annotations

import types
from typing import Any, Iterator

from generator.authoring.dashboard import DashboardSpec
from generator.authoring.verbatim import covers
from generator.compile.dashboard import compile_dashboard
from generator.config import Config
from generator.importer.module import DASHBOARD_OWN


def compile_source(source: str, config: Config, slug: str, label: str) -> dict[str, Any]:
    """The JSON a module's source compiles to (executed in a throw-away module object)."""
    module = types.ModuleType(f"dashgen_imported_{slug.replace('-', '_')}")
    exec(compile(source, label, "exec"), module.__dict__)  # noqa: S102 - our own generated code
    spec = module.dashboard(config)
    if not isinstance(spec, DashboardSpec):
        raise TypeError(f"dashboard() returned {type(spec).__name__}")
    return compile_dashboard(spec, slug, label, config)


def flat_panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel in reading order, the panels of collapsed rows right after their row."""
    for panel in dashboard.get("panels") or []:
        yield panel
        yield from panel.get("panels") or []


def _first_difference(wanted: Any, built: Any, path: str = "") -> str:
    if isinstance(wanted, dict) and isinstance(built, dict):
        for key, value in wanted.items():
            if key not in built:
                return f"{path}{key} missing"
            if not covers(value, built[key]):
                return _first_difference(value, built[key], f"{path}{key}.")
    if isinstance(wanted, list) and isinstance(built, list) and len(wanted) == len(built):
        for i, (w, b) in enumerate(zip(wanted, built)):
            if not covers(w, b):
                return _first_difference(w, b, f"{path}[{i}].")
    return f"{path.rstrip('.')}: {str(wanted)[:80]} != {str(built)[:80]}"


def mismatches(wanted: dict[str, Any], built: dict[str, Any]) -> list[str]:
    """What `built` fails to say of `wanted` (the migrated original); [] when it says it all.

    Panel ids are renumbered and the house conventions (note, tags, link, schemaVersion) are
    documented differences, so they are not compared here."""
    problems: list[str] = []
    want_panels = [{k: v for k, v in p.items() if k not in ("id", "panels")} for p in flat_panels(wanted)]
    got_panels = [{k: v for k, v in p.items() if k not in ("id", "panels")} for p in flat_panels(built)]
    if len(want_panels) != len(got_panels):
        problems.append(f"{len(want_panels)} panels in the original, {len(got_panels)} compiled")
    for i, (w, b) in enumerate(zip(want_panels, got_panels)):
        if not covers(w, b):
            problems.append(f'panel {i + 1} "{w.get("title", "")}": {_first_difference(w, b)}')
    want_vars = (wanted.get("templating") or {}).get("list") or []
    got_vars = (built.get("templating") or {}).get("list") or []
    if not covers(want_vars, got_vars):
        problems.append(f"variables: {_first_difference(want_vars, got_vars)}")
    for key in ("title", "uid"):
        if key in wanted and wanted[key] != built.get(key):
            problems.append(f"{key}: {wanted[key]!r} != {built.get(key)!r}")
    rest = {k: v for k, v in wanted.items() if k not in DASHBOARD_OWN}
    if not covers(rest, built):
        problems.append(f"dashboard: {_first_difference(rest, built)}")
    if not set(wanted.get("tags") or []) <= set(built.get("tags") or []):
        problems.append("tags differ")
    if not covers(wanted.get("links") or [], (built.get("links") or [])[-len(wanted.get("links") or []) or len(built.get("links") or []):]):
        problems.append("links differ")
    return problems
