"""Where a pipeline run's time went, per phase (progress lines, reports and `make bench`)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class Timings:
    """Wall-clock seconds per phase; phases that overlap (backfill runs beside the next
    simulation) are each counted in full."""

    simulate: float = 0.0
    # The simulation phase's wall time (datasets simulate in parallel processes, so it can be
    # less than `simulate`, their sum).
    simulate_wall: float = 0.0
    write: float = 0.0
    backfill: float = 0.0
    start: float = 0.0
    queries: float = 0.0
    rules: float = 0.0
    logql: float = 0.0
    bytes_written: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    # check: targets whose problems came from the cache (not queried again).
    results_cached: int = 0

    def add(self, other: "Timings") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
