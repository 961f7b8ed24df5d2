"""A cache of simulated datasets under .dashgen/cache/: each entry is one dataset's run (header,
ground truth, log streams) and its backfilled TSDB blocks, keyed by a hash of the simulator's
code and every option that changes its output.

Safe when runs share it: an entry is built in a temporary directory and renamed into place
(the first rename wins; a loser discards its copy); readers link blocks out under a shared
lock, eviction deletes under an exclusive one. Bounded: after each write the least recently
used entries are evicted until the cache fits `max_bytes` (2 GiB, or DASHGEN_CACHE_MAX_GB).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

DEFAULT_DIR = Path(".dashgen") / "cache"
DEFAULT_MAX_BYTES = 2 << 30
# The bound in GiB, when 2 GiB is too small: a full `dashgen alerts report` stores more than
# that (ten 24 h healthy days among its 100 runs), so a later `--rule X` finds its runs evicted.
MAX_ENV = "DASHGEN_CACHE_MAX_GB"
# Code whose change changes a dataset: the simulator, the metric catalogue, the exporter.
_CODE = ("generator/sim", "generator/catalogue.py", "generator/log_catalogue.py",
         "generator/pipeline/openmetrics.py", "generator/pipeline/served.py")
_FORMAT = 1


@lru_cache(maxsize=1)
def code_hash() -> str:
    """A hash of every source file the simulated output depends on (and promtool's version)."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256(f"format {_FORMAT}".encode())
    for item in _CODE:
        path = root / item
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    digest.update(_promtool_version().encode())
    return digest.hexdigest()


def _promtool_version() -> str:
    binary = shutil.which("promtool")
    if binary is None:
        return "none"
    done = subprocess.run([binary, "--version"], capture_output=True, text=True)
    return (done.stdout or done.stderr).splitlines()[0] if (done.stdout or done.stderr) else "unknown"


def entry_key(parts: dict[str, Any]) -> str:
    """The key for one dataset: the code hash plus its options, as canonical JSON."""
    text = json.dumps({"code": code_hash(), **parts}, sort_keys=True, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)  # type: ignore[arg-type]
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


@dataclasses.dataclass(frozen=True)
class Entry:
    """A cached dataset: its run record and the directory of its TSDB blocks."""

    run: dict[str, Any]
    blocks: Path


def max_bytes_from_env() -> int:
    """The cache's bound: DASHGEN_CACHE_MAX_GB (GiB, may be fractional) or 2 GiB."""
    from generator.errors import DashgenError

    text = os.environ.get(MAX_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_BYTES
    try:
        gib = float(text)
    except ValueError:
        gib = -1.0
    if not 0 < gib < float("inf"):  # also rejects nan
        raise DashgenError(f"{MAX_ENV}={text!r} is not a positive number of GiB (e.g. 4 or 0.5)")
    return int(gib * (1 << 30))


class Cache:
    """The dataset cache in `root` (None: disabled, every lookup misses, nothing is written)."""

    def __init__(self, root: Path | None = DEFAULT_DIR, max_bytes: int | None = None) -> None:
        self.root = root
        self.max_bytes = max_bytes if max_bytes is not None else max_bytes_from_env()

    @property
    def enabled(self) -> bool:
        return self.root is not None

    @contextlib.contextmanager
    def _lock(self, exclusive: bool) -> Iterator[None]:
        assert self.root is not None
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def get(self, key: str, into: Path) -> dict[str, Any] | None:
        """The run record for `key` with its blocks hard-linked into `into`, or None on a miss."""
        if self.root is None:
            return None
        entry = self.root / key
        with self._lock(exclusive=False):
            if not (entry / "run.json.gz").is_file():
                return None
            try:
                with gzip.open(entry / "run.json.gz", "rt", encoding="utf-8") as handle:
                    run = json.load(handle)
                _link_tree(entry / "blocks", into)
                os.utime(entry)
            except (OSError, ValueError):
                return None
        return dict(run)

    def put(self, key: str, run: dict[str, Any], blocks: Path) -> None:
        """Store a run and a copy of its blocks (rename-wins), then evict down to the bound."""
        def fill(tmp: Path) -> None:
            with gzip.open(tmp / "run.json.gz", "wt", encoding="utf-8", compresslevel=1) as handle:
                json.dump(run, handle, separators=(",", ":"))
            _link_tree(blocks, tmp / "blocks")
        self._store(key, fill)

    def _store(self, key: str, fill: Callable[[Path], Any]) -> None:
        """Fill a fresh directory, rename it into place (rename-wins: another run that stored the
        same entry first stored an identical one), then evict down to the bound."""
        if self.root is None:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".tmp-{uuid.uuid4().hex}"
        try:
            tmp.mkdir()
            fill(tmp)
            try:
                os.rename(tmp, self.root / key)
            except OSError:
                pass  # another run stored the same entry first; theirs is identical
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self.evict()

    @contextlib.contextmanager
    def building(self, keys: "list[str] | tuple[str, ...]") -> Iterator[None]:
        """Hold a lock per key (taken in sorted order, so two holders never deadlock) while
        making those entries: a second run that needs the same entries waits, then finds them
        stored instead of making them again. Nothing to lock when the cache is disabled."""
        if self.root is None or not keys:
            yield
            return
        locks = self.root / ".building"
        locks.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as stack:
            for key in sorted(set(keys)):
                handle = stack.enter_context(open(locks / key, "a+"))
                fcntl.flock(handle, fcntl.LOCK_EX)
                stack.callback(fcntl.flock, handle, fcntl.LOCK_UN)
            yield

    def get_file(self, key: str, name: str) -> bytes | None:
        """The bytes of a single-file entry (`put_file`), or None on a miss."""
        if self.root is None:
            return None
        entry = self.root / key
        with self._lock(exclusive=False):
            try:
                data = (entry / name).read_bytes()
                os.utime(entry)
            except OSError:
                return None
        return data

    def put_file(self, key: str, name: str, data: bytes) -> None:
        """Store a single-file entry (rename-wins, like `put`), then evict down to the bound."""
        self._store(key, lambda tmp: (tmp / name).write_bytes(data))

    def evict(self) -> None:
        """Remove least recently used entries until the cache fits max_bytes."""
        if self.root is None or not self.root.is_dir():
            return
        with self._lock(exclusive=True):
            entries = [(p.stat().st_mtime, _size(p), p) for p in self.root.iterdir()
                       if p.is_dir() and not p.name.startswith(".")]
            total = sum(size for _, size, _ in entries)
            for _, size, path in sorted(entries):
                if total <= self.max_bytes:
                    break
                shutil.rmtree(path, ignore_errors=True)
                total -= size

    def size(self) -> int:
        return _size(self.root) if self.root is not None and self.root.is_dir() else 0


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _link_tree(source: Path, target: Path) -> None:
    """Copy a directory tree by hard links (blocks are immutable; Prometheus replaces files by
    rename, never in place), falling back to copies across file systems."""
    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    target.mkdir(parents=True, exist_ok=True)
    for child in source.iterdir():
        shutil.copytree(child, target / child.name, copy_function=link, dirs_exist_ok=True)
