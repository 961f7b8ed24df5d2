"""The compile pipeline: definition modules -> model -> canonical files under observability/.

Everything is computed in memory first; files are written only when every step succeeded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.authoring.dashboard import DashboardSpec
from generator.canonical import GENERATED_NOTE, dump_json, dump_yaml
from generator.compile import catalogue_doc, provisioning
from generator.compile.dashboard import MAX_UID, compile_dashboard, log_claims, measures
from generator.compile.loader import call_definition, discover, load_module, slug_of
from generator.check.measures import MEASURES
from generator.config import Config
from generator.errors import DefinitionError

GRAFANA = Path("grafana")
DASHBOARD_DIR = GRAFANA / "dashboards"
MEASURES_FILE = Path("check") / "measures.json"
LOG_CLAIMS_FILE = Path("check") / "log-claims.json"
CATALOGUE_DOC = Path("docs") / "duroxide-metrics.md"
MEASURE_NAMES = frozenset(MEASURES)
# What Grafana accepts as a dashboard uid (and MAX_UID characters at most).
UID_CHARS = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class Compiled:
    """Compiled output keyed by path relative to the observability directory."""

    files: dict[Path, str] = field(default_factory=dict)
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)


def compile_dashboards(directory: Path, config: Config, root: Path) -> Compiled:
    """Import every dashboard module and compile it; duplicate or over-long uids are errors."""
    out = Compiled()
    declared: dict[str, dict[str, Any]] = {}
    claims: dict[str, dict[str, str]] = {}
    titles: dict[str, Path] = {}
    for path in discover(directory):
        module = load_module(path, "dashboards")
        spec = call_definition(path, module, "dashboard", config)
        if not isinstance(spec, DashboardSpec):
            raise DefinitionError(f"{path}: dashboard() returned {type(spec).__name__}, not DashboardSpec")
        source = _relative(path, root)
        data = compile_dashboard(spec, slug_of(path), source, config)
        uid = data["uid"]
        if not UID_CHARS.match(uid):
            raise DefinitionError(
                f"{path}: the module name gives dashboard uid {uid!r}, which Grafana does not accept (letters, "
                "digits, '-' and '_' only): rename the file")
        if len(uid) > MAX_UID:
            raise DefinitionError(f"{path}: dashboard uid {uid!r} is longer than {MAX_UID} characters")
        title = str(data.get("title") or "").strip()
        if not title:
            raise DefinitionError(f"{path}: the dashboard title is empty (Grafana refuses to save it)")
        # Grafana refuses a second dashboard with the same title in one folder (412 name-exists);
        # every dashboard here goes to the one managed folder. Compared case-folded to be safe.
        if title.casefold() in titles:
            raise DefinitionError(f"{path}: dashboard title {title!r} is also used by {titles[title.casefold()]} "
                                  f"(Grafana refuses two dashboards with one title in folder {config.folder_title!r})")
        titles[title.casefold()] = path
        if uid in out.dashboards:
            raise DefinitionError(f"{path}: duplicate dashboard uid {uid!r} (also {out.sources[uid]})")
        out.dashboards[uid] = data
        out.sources[uid] = path
        out.files[DASHBOARD_DIR / f"{uid}.json"] = dump_json(data)
        try:
            spec_measures = measures(spec, MEASURE_NAMES)
        except DefinitionError as exc:
            raise DefinitionError(f"{path}: {exc}") from None
        if spec_measures:
            declared[uid] = spec_measures
        if spec_claims := log_claims(spec):
            claims[uid] = spec_claims
    out.files[MEASURES_FILE] = dump_json(declared)
    out.files[LOG_CLAIMS_FILE] = dump_json(claims)
    out.files[CATALOGUE_DOC] = catalogue_doc.render()
    out.files[GRAFANA / "provisioning" / "datasources" / "datasources.yaml"] = dump_yaml(
        provisioning.datasources(config), GENERATED_NOTE, provisioning.datasource_note(config))
    out.files[GRAFANA / "provisioning" / "dashboards" / "dashboards.yaml"] = dump_yaml(
        provisioning.dashboard_provider(config))
    return out


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return path.name


def stale_files(out_dir: Path, compiled: Compiled) -> tuple[list[Path], list[Path]]:
    """(files whose content differs or is missing, generated files that should not exist)."""
    changed = [p for p, text in sorted(compiled.files.items())
               if not (out_dir / p).is_file() or (out_dir / p).read_text(encoding="utf-8") != text]
    existing = sorted((out_dir / DASHBOARD_DIR).glob("*.json")) if (out_dir / DASHBOARD_DIR).is_dir() else []
    extra = [p.relative_to(out_dir) for p in existing if p.relative_to(out_dir) not in compiled.files]
    return changed, extra
