"""Streaming a simulation's OpenMetrics text to a file, optionally keeping only some families.

A selector matches series of its own metric name only, so a proof that writes only the
families its rules read gets identical results and backfills a 24 h run in seconds
(duroxide's unbounded continue_as_new execution_id series, which no rule reads, make up most
of a long run's bytes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

_SUFFIXES = ("_bucket", "_count", "_sum", "_total")
_FLUSH_BYTES = 1 << 22


def families_for(metric_names: Iterable[str]) -> frozenset[str]:
    """OpenMetrics family names that hold the given series names (counter families drop
    _total; histogram/summary families hold _bucket, _count and _sum)."""
    out: set[str] = set()
    for name in metric_names:
        out.add(name)
        for suffix in _SUFFIXES:
            if name.endswith(suffix):
                out.add(name[: -len(suffix)])
    return frozenset(out)


def _family_of(chunk: str) -> str | None:
    """The family a chunk opens (`# HELP`/`# TYPE` header chunk), else None."""
    if not chunk.startswith("# "):
        return None
    for line in chunk.splitlines():
        if line.startswith("# TYPE "):
            return line.split(" ", 3)[2]
    return None


def write_openmetrics(chunks: Iterable[str], path: Path, families: frozenset[str] | None) -> int:
    """Stream the chunks to `path`, keeping only `families` (None: all); returns bytes written."""
    keep = True
    written = 0
    buffer: list[str] = []
    size = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for chunk in chunks:
            if chunk.startswith("# EOF"):
                keep = True
            else:
                family = _family_of(chunk)
                if family is not None:
                    keep = families is None or family in families
            if not keep:
                continue
            buffer.append(chunk)
            size += len(chunk)
            if size >= _FLUSH_BYTES:
                fh.write("".join(buffer))
                written += size
                buffer, size = [], 0
        fh.write("".join(buffer))
        written += size
    return written
