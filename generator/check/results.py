"""Per-target check results kept in the dataset cache: after a one-panel edit only the edited
panel's queries and rules run again.

A target's key hashes everything its problems depend on: the code of the generator, the
dashboard file and uid, its variables, the whole panel (so any edit to the panel re-runs all
of its targets), the target, the measure the panel declares, the Config, and the cache keys of
the simulated datasets it is checked against.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Sequence

from generator.pipeline.cache import Cache
from generator.problems import Problem, Severity
from generator.walker import TargetCtx

_GENERATOR = Path(__file__).resolve().parents[1]
_DIR = "check-results"


def code_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(_GENERATOR.rglob("*.py")):
        digest.update(str(path.relative_to(_GENERATOR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class ResultStore:
    """Problems per target, for one set of datasets (`data_keys`) and one Config."""

    def __init__(self, cache: Cache, data_keys: Sequence[str], config: object,
                 declared: dict[str, dict[str, str]]) -> None:
        self.root = cache.root / _DIR if cache.root is not None else None
        self.base = json.dumps([code_hash(), list(data_keys), dataclasses.asdict(config)],  # type: ignore[call-overload]
                               sort_keys=True, default=str)
        self.declared = declared

    def key(self, target: TargetCtx) -> str:
        d = target.panel.dashboard
        measure = self.declared.get(d.uid, {}).get(target.panel.title, "")
        text = json.dumps([self.base, d.file, d.uid, d.variables(), target.panel.panel, target.target, measure,
                           target.language], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, target: TargetCtx) -> list[Problem] | None:
        if self.root is None:
            return None
        try:
            data = json.loads((self.root / f"{self.key(target)}.json").read_text(encoding="utf-8"))
            return [Problem(**{**p, "severity": Severity(p["severity"])}) for p in data]
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def put(self, target: TargetCtx, problems: Sequence[Problem]) -> None:
        if self.root is None:
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = self.root / f".tmp-{uuid.uuid4().hex}"
            tmp.write_text(json.dumps([p.to_json() for p in problems]), encoding="utf-8")
            os.replace(tmp, self.root / f"{self.key(target)}.json")
        except OSError:
            pass
