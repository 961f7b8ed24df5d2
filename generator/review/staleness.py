"""Is observability/ stale against its sources? The same comparison `dashgen build --check` makes."""

from __future__ import annotations

from pathlib import Path

from generator.config import Config
from generator.errors import DashgenError


def stale_warnings(config: Config, out_dir: Path, dashboards_dir: Path = Path("dashboards"),
                   alerts_dir: Path = Path("alerts")) -> list[str]:
    """One warning per stale file (nothing when the sources are absent, as for hand-made JSON)."""
    if not dashboards_dir.is_dir():
        return []
    from generator.alerting.build import compile_alerts  # imports grafanalib: only when there are sources
    from generator.compile.build import compile_dashboards, stale_files
    try:
        compiled = compile_dashboards(dashboards_dir, config, Path.cwd())
        if alerts_dir.is_dir():
            compile_alerts(alerts_dir, config, Path.cwd(), compiled)
    except DashgenError as exc:
        return [f"cannot tell whether {out_dir}/ is up to date: the sources do not compile ({exc})"]
    changed, extra = stale_files(out_dir, compiled)
    lines = [f"{out_dir / p} is stale: run `make dashboards` (the diff shows what is compiled)" for p in changed]
    lines += [f"{out_dir / p} is no longer generated: run `make dashboards`" for p in extra]
    return lines
