"""Writers for a finished run: OpenMetrics for promtool's backfill, truth.jsonl, the text log
and Loki's push JSON. Every file is byte-identical for the same options and seed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, TextIO

from generator.catalogue import Era, MetricType, recorded_metrics
from generator.sim.logs import LogRecord, format_line
from generator.sim.errors import SimulationError
from generator.sim.recorder import Recorder, exposition_type

if TYPE_CHECKING:
    from generator.sim.collector import Collector

if TYPE_CHECKING:
    from generator.sim.model import SimResult

FILES = ("metrics.om", "truth.jsonl", "logs.txt", "loki-push.json")


def _number(value: Any) -> str:
    return repr(round(value, 6)) if type(value) is float else str(value)


def family_name(name: str, kind: MetricType) -> str:
    """OpenMetrics names a counter family without its _total suffix."""
    return name[: -len("_total")] if kind is MetricType.COUNTER and name.endswith("_total") else name


def scrape_offset(replica: int, interval: int) -> float:
    """How long before each aligned instant a replica is scraped (seconds, < interval).

    Prometheus spreads targets over the interval by a hash of the target, so real samples are
    never aligned to the query grid: a rate() window of one scrape interval then holds a single
    sample and shows "No data", exactly as in production. The simulation scrapes each process
    at ts - offset (Simulation.step), so the sample stamped ts - offset holds the state at that
    instant: no sample shows what happens after its timestamp.
    """
    return round(1.0 + (replica * 5.3 + 2.17) % max(interval - 2.0, 1.0), 3)


def openmetrics_chunks(rec: Recorder, era: str, interval: int, aligned: bool = False,
                       collector: Collector | None = None) -> Iterator[str]:
    """Families in catalogue order, each family's series contiguous, each series' samples in
    time order (what promtool's backfill needs), seconds timestamps, `# EOF` last.

    E1 (`collector` given): the collector's series, one target scraped at process 0's offset,
    then the collector target's `up`."""
    sources = [collector.metrics] if collector is not None else rec.replicas
    offsets = [0.0 if aligned else scrape_offset(i, interval) for i in range(len(sources))]
    for metric in recorded_metrics(Era(era)):
        groups = [(m, m.families.get(metric.name)) for m in sources]
        if not any(group for _, group in groups):
            continue
        family = family_name(metric.name, metric.type)
        help_text = metric.help.replace("\\", "\\\\").replace("\n", "\\n")
        yield f"# HELP {family} {help_text}\n# TYPE {family} {exposition_type(metric.type, era)}\n"
        for index, (replica, group) in enumerate(groups):
            if not group:
                continue
            offset = offsets[index]
            snaps = [(f" {ts - offset:.3f}\n" if offset else f" {ts}\n", vals) for ts, vals in replica.snapshots]
            for series in group:
                yield "".join(_series_lines(series.slot, series.kind, series.prefixes, snaps))
    if collector is not None and collector.up:
        yield from _up_lines(collector, offsets[0])
    yield "# EOF\n"


def _up_lines(collector: Collector, offset: float) -> Iterator[str]:
    """Prometheus' synthetic `up` for the collector target (written by the scrape itself)."""
    body = ",".join(f'{k}="{v}"' for k, v in sorted(collector.metrics.target) if k in ("instance", "job"))
    yield "# HELP up Whether the scrape of the target succeeded.\n# TYPE up gauge\n"
    yield "".join(f"up{{{body}}} {value} {ts - offset:.3f}\n" if offset else f"up{{{body}}} {value} {ts}\n"
                  for ts, value in collector.up)


def _series_lines(slot: int, kind: str, prefixes: tuple[str, ...],
                  snaps: list[tuple[str, list[Any]]]) -> Iterator[str]:
    if kind == "value":
        prefix = prefixes[0]
        for tail, vals in snaps:
            if slot < len(vals):
                value = vals[slot]
                if value is not None:
                    yield f"{prefix}{value}{tail}"
        return
    # histogram: finite buckets, then +Inf (= _count), _count, _sum
    # summary: one line per quantile, then _count, _sum
    head = len(prefixes) - (3 if kind == "histogram" else 2)
    for tail, vals in snaps:
        if slot >= len(vals) or vals[slot] is None:
            continue
        for i in range(head):
            yield f"{prefixes[i]}{_number(vals[slot + i])}{tail}"
        count = vals[slot + head]
        if kind == "histogram":
            yield f"{prefixes[head]}{count}{tail}"
        yield f"{prefixes[-2]}{count}{tail}"
        yield f"{prefixes[-1]}{_number(vals[slot + head + 1])}{tail}"


def log_lines(records: Iterable[LogRecord], to_micros: Callable[[float], int]) -> Iterator[str]:
    for record in records:
        yield format_line(to_micros(record[0]), record) + "\n"


def truth_lines(header: dict[str, Any], samples: Iterable[dict[str, Any]]) -> Iterator[str]:
    for record in (header, *samples):
        yield json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n"


def _write(path: Path, chunks: Iterable[str]) -> None:
    """Stream to a temporary file, then rename: a reader never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            _drain(fh, chunks)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SimulationError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _drain(fh: TextIO, chunks: Iterable[str]) -> None:
    buffer: list[str] = []
    size = 0
    for chunk in chunks:
        buffer.append(chunk)
        size += len(chunk)
        if size > 1 << 20:
            fh.write("".join(buffer))
            buffer, size = [], 0
    fh.write("".join(buffer))


def prepare_dir(out_dir: Path) -> None:
    """Create the output directory or fail with one line (the CLI calls it before simulating)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SimulationError(f"{out_dir}: cannot create output directory: {exc.strerror or exc}") from None
    if not os.access(out_dir, os.W_OK):
        raise SimulationError(f"{out_dir}: output directory is not writable")


def write_all(result: SimResult, out_dir: Path) -> list[Path]:
    """metrics.om, truth.jsonl, logs.txt and loki-push.json under out_dir."""
    prepare_dir(out_dir)
    paths = [out_dir / name for name in FILES]
    _write(paths[0], result.openmetrics())
    _write(paths[1], truth_lines(result.header, result.truth))
    _write(paths[2], result.log_lines())
    body = json.dumps(result.loki_push(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    _write(paths[3], (body, "\n"))
    return paths
