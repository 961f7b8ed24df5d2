"""Skip a build when nothing it reads or wrote changed since the last one.

The fingerprint is every input's (path, mtime, size): the generator's own code and parsers,
the definition directories, the environment file and the lint exclusions; plus every file the
last build wrote and the listing of the generated dashboards directory (a deleted or edited
output forces a rebuild). It lives under .dashgen/build/, one file per (env, dirs, out).
Stat calls only: no import of the compiler, so a no-change build costs about a Python start.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterable, Sequence

STATE_DIR = Path(".dashgen") / "build"
_GENERATOR = Path(__file__).resolve().parents[1]
_SUFFIXES = (".py", ".js", ".json", ".yaml", ".yml", ".toml")


def _walk(root: Path) -> Iterable[Path]:
    if root.is_file():
        yield root
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in ("__pycache__", ".git")]
        for name in files:
            if name.endswith(_SUFFIXES):
                yield Path(folder) / name


def _stat(paths: Iterable[Path]) -> list[tuple[str, int, int]]:
    out = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            out.append((str(path), -1, -1))
            continue
        out.append((str(path), st.st_mtime_ns, st.st_size))
    return sorted(out)


def fingerprint(inputs: Sequence[Path], outputs: Sequence[Path], listing: Path) -> str:
    """A hash of every input's and output's stat and of the generated directory's listing."""
    entries: list[object] = _stat(p for root in [_GENERATOR, *inputs] for p in _walk(root))
    entries += _stat(outputs)
    entries.append(sorted(os.listdir(listing)) if listing.is_dir() else [])
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()


def _state_file(key: Sequence[str]) -> Path:
    return STATE_DIR / (hashlib.sha256("\0".join(key).encode()).hexdigest()[:16] + ".json")


def up_to_date(key: Sequence[str], inputs: Sequence[Path], listing: Path) -> bool:
    """True when the last build with this key recorded exactly what is on disk now."""
    try:
        state = json.loads(_state_file(key).read_text(encoding="utf-8"))
        outputs = [Path(p) for p in state["outputs"]]
        return bool(state["fingerprint"] == fingerprint(inputs, outputs, listing))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def record(key: Sequence[str], inputs: Sequence[Path], outputs: Sequence[Path], listing: Path) -> None:
    """Remember this build (written atomically; a failure to write only costs the fast path)."""
    path = _state_file(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps({"outputs": [str(p) for p in outputs],
                                   "fingerprint": fingerprint(inputs, outputs, listing)}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
