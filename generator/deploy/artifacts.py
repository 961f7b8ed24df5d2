"""Local files a deploy leaves behind: backups of live JSON it overwrites or deletes, and diffs of
drifted dashboards. All go to one run directory whose path is printed."""

from __future__ import annotations

import difflib
import os
import re
import time
from pathlib import Path
from typing import Any, Callable

from generator.canonical import dump_json
from generator.deploy.normalise import canonical_text, normalise_dashboard

DEFAULT_DIR = Path(".dashgen/deploy")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def unified_diff(uid: str, live: dict[str, Any], compiled: dict[str, Any], live_note: str = "") -> str:
    """A readable diff of normalised live vs compiled dashboard JSON ('' when they are equal)."""
    before = canonical_text(normalise_dashboard(live)).splitlines(keepends=True)
    after = canonical_text(normalise_dashboard(compiled)).splitlines(keepends=True)
    header = f"live/{uid}.json" + (f" ({live_note})" if live_note else "")
    return "".join(difflib.unified_diff(before, after, fromfile=header, tofile=f"compiled/{uid}.json"))


def live_note(version: int | None, updated_by: str, updated: str) -> str:
    """`version 7, updated by alice at 2024-05-01T10:00:00Z`, from the dashboard's meta."""
    text = f"version {version}" if version is not None else ""
    if updated_by or updated:
        who = f"updated by {updated_by}" if updated_by else "updated"
        who = f"{who} at {updated}" if updated else who
        text = f"{text}, {who}" if text else who
    return text

class Artifacts:
    """Creates the run directory lazily, so a clean deploy leaves nothing behind."""

    def __init__(self, base: Path = DEFAULT_DIR, clock: Callable[[], float] = time.time,
                 scrub: Callable[[str], str] = lambda text: text) -> None:
        self._scrub = scrub
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(clock()))
        self.run_dir = base / f"{stamp}-{os.getpid()}"
        self.written: list[Path] = []

    def _write(self, relative: str, text: str) -> Path:
        path = self.run_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self._scrub(text), encoding="utf-8")
        self.written.append(path)
        return path

    def backup(self, uid: str, live: dict[str, Any]) -> Path:
        """Save the live `GET /api/dashboards/uid/:uid` answer (dashboard and meta) before a write."""
        return self._write(f"backup/{_SAFE.sub('_', uid)}.json", dump_json(live))

    def diff(self, uid: str, text: str) -> Path:
        return self._write(f"drift/{_SAFE.sub('_', uid)}.diff", text)
