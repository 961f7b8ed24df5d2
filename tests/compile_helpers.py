"""Shared helpers for compile tests: compile the bundled dashboards in memory."""

from __future__ import annotations

from pathlib import Path

from generator.compile.build import DASHBOARD_DIR, compile_dashboards
from generator.config import load

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "tests" / "golden"


def compile_bundled(env: str = "local") -> dict[str, str]:
    """uid -> canonical JSON text of every bundled dashboard."""
    compiled = compile_dashboards(ROOT / "dashboards", load(env), ROOT)
    return {p.stem: text for p, text in compiled.files.items() if p.parent == DASHBOARD_DIR}
