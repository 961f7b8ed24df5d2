"""E1's OpenTelemetry collector (duroxide <= v0.1.14): what Prometheus really scraped.

Every process pushes its cumulative state over OTLP every export interval (Toygres: 10 s).
The collector's Prometheus exporter keeps one series per label set. The resource carries only
service.name and service.version, so no label names the process: replicas write the same series
and the latest push wins (a counter jumps between the processes' own values). A series nobody
has pushed for `metric_expiration` (180 min) disappears; until then a crashed process's last
values stay exposed. Prometheus scrapes the collector, so `up` describes the collector: 1 while it
answers, whatever Toygres does. Reference: shared/reference/duroxide-metrics.md, "The E1 era in
detail"; duroxide v0.1.14 src/runtime/observability.rs:209-240 (resource, PeriodicReader, meter
"duroxide").
"""

from __future__ import annotations

from typing import Any

from generator.sim.recorder import Labels, ReplicaMetrics, Series

# Toygres' OTLP export interval (duroxide's default metrics_export_interval_ms is 60 s).
EXPORT_INTERVAL_SECONDS = 10.0
# The collector's prometheus exporter `metric_expiration` in Toygres' collector config.
METRIC_EXPIRATION_SECONDS = 180 * 60
COLLECTOR_INSTANCE = "otel-collector:8889"
COLLECTOR_JOB = "otel-collector"


def collector_labels(exported_job: str) -> Labels:
    """The labels every E1 series carries in Prometheus: the scrape's own (job, instance and
    Toygres' extra target label `service`), the resource's (service.name became the exporter's
    job, which Prometheus renames exported_job; resource_to_telemetry_conversion adds
    service_name / service_version) and the instrumentation scope's name."""
    return (("exported_job", exported_job), ("instance", COLLECTOR_INSTANCE), ("job", COLLECTOR_JOB),
            ("otel_scope_name", "duroxide"), ("service", "toygres"), ("service_name", "toygres"),
            ("service_version", "0.1.0"))


def push_age(replica: int, ts: int, span: float) -> float:
    """How long before the collector's scrape at `ts` a process last pushed, in [0, span).

    Each process's PeriodicReader runs on its own timer (the interval counts from the end of the
    previous export, so phases drift against the scrape): a deterministic hash of (process,
    scrape) stands in for that drift, so which process pushed last changes from scrape to scrape.
    """
    x = (replica * 0x9E3779B1 + ts * 0x85EBCA77) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    x ^= x >> 12
    return span * (x / 2**32)


def _width(series: Series) -> int:
    """Value slots of a series: 1, or a histogram's buckets + count (= +Inf) + sum."""
    return 1 if series.kind == "value" else len(series.prefixes) - 1


class Collector:
    """The collector's exporter state, pushed into by every process and scraped by Prometheus."""

    def __init__(self, exported_job: str) -> None:
        self.metrics = ReplicaMetrics("E1", collector_labels(exported_job))
        # Per collector slot: when a push last updated it (for metric_expiration).
        self.updated: dict[int, float] = {}
        # (process, its slot) -> (collector slot, width)
        self._map: dict[tuple[int, int], tuple[int, int]] = {}
        # (ts, 1|0): Prometheus' own `up` for the collector target at each scrape.
        self.up: list[tuple[int, int]] = []

    def push(self, index: int, source: ReplicaMetrics, now: float) -> None:
        """One OTLP export: every series the process holds since its start (cumulative
        temporality exports them all, touched or not) overwrites the collector's copy."""
        target = self.metrics
        vals, out = source.vals, target.vals
        for group in source.families.values():
            for series in group:
                slot = series.slot
                if vals[slot] is None:
                    continue
                mapped = self._map.get((index, slot))
                if mapped is None:
                    width = _width(series)
                    mapped = (target._slot(series.family, series.labels, width), width)
                    self._map[(index, slot)] = mapped
                at, width = mapped
                out[at:at + width] = vals[slot:slot + width]
                self.updated[at] = now

    def scrape(self, ts: int, now: float, answered: bool) -> None:
        """Prometheus scrapes the collector at `now` (stamped ts): `up` always, the series only
        when the scrape got through; series idle past metric_expiration are gone."""
        self.up.append((ts, 1 if answered else 0))
        out = self.metrics.vals
        expired = [slot for slot, at in self.updated.items() if now - at > METRIC_EXPIRATION_SECONDS]
        for slot in expired:
            del self.updated[slot]
            out[slot] = None
        if answered:
            self.metrics.snapshots.append((ts, out[:]))

    def series_count(self) -> int:
        return self.metrics.series_count() + 1

    def snapshot_rows(self) -> list[tuple[int, list[Any]]]:
        return self.metrics.snapshots
