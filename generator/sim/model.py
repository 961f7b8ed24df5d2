"""Assembles one simulation (engine, processes, users, scenarios, recorder, truth, logs) and
drives it scrape instant by scrape instant; the public `run()` returns a SimResult."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from generator.catalogue import ORCHESTRATION_NAMES
from generator.config import Config
from generator.sim import export, process
from generator.sim.collector import EXPORT_INTERVAL_SECONDS, Collector, collector_labels, push_age
from generator.sim.engine import Engine
from generator.sim.log_hooks import DuroxideLog
from generator.sim.logs import loki_push_body
from generator.sim.options import SimOptions, build_options, parse_target_labels
from generator.sim.recorder import Labels, Recorder
from generator.sim.runtime import Runtime
from generator.sim.scenarios import Check, Scenario, evaluate, resolve
from generator.sim.traffic import Users
from generator.sim.truth import SCHEMA_VERSION, STATES, Truth

Progress = Callable[[float, float], None]


def target_labels(options: SimOptions, index: int) -> Labels:
    """The labels Prometheus stores next to each replica's series, by era."""
    if options.era == "E1":
        # Through the OTel collector: one target, the collector's, for every process.
        return collector_labels(options.job)
    instance = ("instance", f"toygres-{index}:8080")
    return tuple(sorted((instance, ("job", options.job)) + parse_target_labels(options.target_labels)))


def second_job_labels(options: SimOptions, index: int) -> dict[str, str]:
    """AKS's second scrape of the same process (kubernetes-pods scrapes the pod's own address)."""
    return {"job": options.second_job, "instance": f"10.244.0.{10 + index}:9091"}


def fault_onset(options: SimOptions) -> int:
    """The fault start aligned up to a scrape instant, so onset is a sample's ts."""
    step = options.scrape_interval
    return math.ceil(options.fault_start_seconds / step) * step


def fault_windows(options: SimOptions, scenarios: Sequence[Scenario]) -> list[dict[str, Any]]:
    """Each fault's window, starting at the aligned onset."""
    begin = fault_onset(options)
    windows = []
    for scenario in scenarios:
        if scenario.name == "healthy":
            continue
        length = (options.fault_duration_seconds if options.fault_duration_seconds and scenario.duration
                  else scenario.duration)
        windows.append({"scenario": scenario.name, "start": begin, "end": begin + int(length or 0),
                        "_scenario": scenario})
    return windows


def fault_event_count(windows: Sequence[dict[str, Any]]) -> int:
    """Engine events the fault windows need: a start each, a stop for those that last."""
    return sum(1 + (w["end"] > w["start"]) for w in windows)


class Simulation:
    """A live model: advance it in simulated time and sample it at scrape instants."""

    def __init__(self, options: SimOptions, *, keep_snapshots: bool = True, reserve_fault_events: int = 0) -> None:
        self.options = options
        self.keep_snapshots = keep_snapshots
        self.engine = Engine(-float(options.prewarm_seconds))
        engine = self.engine
        self.recorder = Recorder(options.era, [target_labels(options, i) for i in range(options.replicas)],
                                 clock=lambda: engine.now)
        # E1: Prometheus scrapes the OTel collector the processes push to, not the processes.
        self.collector = Collector(options.job) if options.era == "E1" else None
        self.truth = Truth(options.scrape_interval, options.truth_grids)
        self.logs = DuroxideLog(options.log_filter)
        self.runtime = Runtime(options, self.engine, self.recorder, self.truth, self.logs)
        self.users = Users(self.runtime, process.new_runtime_rng(options.seed, "users"))
        self.runtime.users = self.users
        self.scenarios = resolve(options.scenarios)
        self.faults = fault_windows(options, self.scenarios)
        self._boot(reserve_fault_events)

    def _boot(self, reserve: int) -> None:
        for rep in self.runtime.replicas:
            process.start_process(self.runtime, rep)
        self.users.start(float(self.options.prewarm_seconds))
        # The fault events are scheduled last at boot: their tie-break numbers follow the
        # warm-up's. A shared prefix (generator.sim.prefix) reserves numbers for them instead.
        self.fault_seq = self.engine.reserve(reserve if reserve else fault_event_count(self.faults))
        self._schedule_faults()

    def _schedule_faults(self) -> None:
        """Each window's start (and stop) with the tie-break numbers reserved at boot."""
        engine, seq = self.engine, self.fault_seq
        for window in self.faults:
            scenario: Scenario = window["_scenario"]
            seq += 1
            engine.at_seq(float(window["start"]), seq, scenario.start, self.runtime)
            if window["end"] > window["start"]:
                seq += 1
                engine.at_seq(float(window["end"]), seq, scenario.stop, self.runtime)

    def rebase(self, options: SimOptions, shift: int) -> None:
        """Turn a shared healthy prefix into `options`' run (same model options but the
        scenarios, window end and fault duration): its fault events scheduled with the numbers
        reserved at boot, every timestamp written so far moved by `shift` seconds."""
        self.options = options
        self.runtime.options = options
        self.scenarios = resolve(options.scenarios)
        self.faults = fault_windows(options, self.scenarios)
        self._schedule_faults()
        if shift:
            for replica in self.recorder.replicas:
                replica.snapshots = [(ts + shift, vals) for ts, vals in replica.snapshots]
            for record in self.truth.samples:
                record["ts"] += shift

    def gauges(self) -> tuple[int, int, int]:
        """The true gauge quantities now (truth.GAUGES order): in flight, queued turns, queued work."""
        rt = self.runtime
        return rt.running, rt.orch_depth, len(rt.worker_queue)

    def _gauge_observer(self) -> Callable[[], None]:
        """Truth.observe(self.gauges()) after every event, inlined: it runs once per event."""
        rt, truth = self.runtime, self.truth

        def observe() -> None:
            spans = truth._range
            if spans is None:
                truth.observe(self.gauges())
                return
            active, orchestrator, worker = spans
            value = rt.running
            if value < active[0]:
                active[0] = value
            elif value > active[1]:
                active[1] = value
            value = rt.orch_depth
            if value < orchestrator[0]:
                orchestrator[0] = value
            elif value > orchestrator[1]:
                orchestrator[1] = value
            value = len(rt.worker_queue)
            if value < worker[0]:
                worker[0] = value
            elif value > worker[1]:
                worker[1] = value
        return observe

    def step(self, t: float, scrape: bool = False) -> None:
        """Advance to scrape instant t (seconds from window start), scraping each process on the
        way at its own offset before t (as Prometheus spreads its targets): the snapshot holds
        the state at the instant it is stamped with, never a later one."""
        interval = float(self.options.scrape_interval)
        if t == 0.0:
            # The truth's gauge extremes start with the recorded window.
            self.truth.observe(self.gauges())
            self.engine.observer = self._gauge_observer()
        ts = self.options.start_ts + int(round(t))
        if self.collector is not None:
            self._step_collector(t, ts, interval, scrape)
            return
        offsets = [export.scrape_offset(i, self.options.scrape_interval) for i in range(len(self.runtime.replicas))]
        for index in sorted(range(len(offsets)), key=lambda i: -offsets[i]):
            self.engine.run_until(t - offsets[index])
            rep = self.runtime.replicas[index]
            process.account_interval(self.runtime, t - offsets[index], interval, rep)
            if scrape and self.keep_snapshots and rep.alive and not self.runtime.faults.scrape_down:
                self.recorder.replicas[index].snapshot(ts)
        self.engine.run_until(t)

    def _step_collector(self, t: float, ts: int, interval: float, scrape: bool) -> None:
        """E1: each process pushes to the collector at its own instant before the collector's
        scrape (within one export interval, and after the previous scrape instant), in push
        order, so the latest push of a label set is the one Prometheus reads."""
        collector = self.collector
        assert collector is not None
        scraped_at = t - export.scrape_offset(0, self.options.scrape_interval)
        span = max(0.0, min(EXPORT_INTERVAL_SECONDS, scraped_at - (t - interval) - 0.001))
        pushes = sorted((scraped_at - push_age(i, ts, span), i) for i in range(len(self.runtime.replicas)))
        for at, index in pushes:
            self.engine.run_until(at)
            rep = self.runtime.replicas[index]
            process.account_interval(self.runtime, at, interval, rep)
            if rep.alive:
                collector.push(index, self.recorder.replicas[index], at)
        self.engine.run_until(scraped_at)
        if scrape and self.keep_snapshots:
            collector.scrape(ts, scraped_at, answered=not self.runtime.faults.scrape_down)
        self.engine.run_until(t)

    def sample(self, t: float) -> None:
        """Append the truth record for scrape instant t."""
        ts = self.options.start_ts + int(round(t))
        self.truth.sample(ts, t, self.state(t))

    def state(self, t: float) -> dict[str, Any]:
        """The truth fields read from live model state at a scrape instant."""
        rt = self.runtime
        instances = dict.fromkeys(STATES, 0)
        for state in rt.cms.values():
            instances[state] += 1
        return {
            "active": {"total": rt.running,
                       "by_orchestration": {n: rt.active_by_name.get(n, 0) for n in ORCHESTRATION_NAMES}},
            "pending": rt.pending,
            "instances": instances,
            "orchestrator_queue": rt.orch_depth,
            "worker_queue": len(rt.worker_queue),
            "replicas_up": sum(1 for r in rt.replicas if r.alive),
            # Processes a scrape at this instant read (none while the scrape is down).
            "targets_scraped": 0 if rt.faults.scrape_down else sum(1 for r in rt.replicas if r.alive),
            "faults": [w["scenario"] for w in self.faults if w["start"] <= t <= max(w["end"], w["start"])],
        }

    def header(self) -> dict[str, Any]:
        """The first truth.jsonl record: run parameters, fault windows and expectations."""
        o = self.options
        return {
            "kind": "header",
            "schema": SCHEMA_VERSION,
            "scenarios": [s.name for s in self.scenarios],
            "seed": o.seed,
            "era": o.era,
            "replicas": o.replicas,
            "scrape_interval": o.scrape_interval,
            "start": o.start_ts,
            "end": o.end_ts,
            "onset": o.start_ts + min(w["start"] for w in self.faults) if self.faults else None,
            "faults": [{"scenario": w["scenario"], "start": o.start_ts + w["start"], "end": o.start_ts + w["end"]}
                       for w in self.faults],
            "expect": {s.name: s.expectations(o.version) for s in self.scenarios},
            "targets": [dict(target_labels(o, i)) for i in range(o.replicas)]
            + [{**dict(target_labels(o, i)), **second_job_labels(o, i)} for i in range(o.replicas) if o.second_job],
            "options": {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(o).items()},
        }


@dataclass
class SimResult:
    """A finished run: metrics snapshots, truth, logs; write() produces the four files."""

    options: SimOptions
    header: dict[str, Any]
    truth: list[dict[str, Any]]
    recorder: Recorder
    logs: LogBook
    # E1: what Prometheus scraped (the OTel collector); None in E2.
    collector: Collector | None = None

    def openmetrics(self, aligned: bool = False) -> Iterator[str]:
        """The OpenMetrics text in chunks (promtool tsdb create-blocks-from openmetrics).

        Each sample is stamped with the instant its process was scraped (a per-replica offset
        before the aligned instant), and holds the state at that instant. `aligned` stamps it
        with the aligned instant after it instead (promtool unit tests need the grid): it then
        lags the state by the offset, and still never shows a later state."""
        chunks = export.openmetrics_chunks(self.recorder, self.options.era, self.options.scrape_interval,
                                           aligned=aligned, collector=self.collector)
        if not self.options.second_job:
            return chunks
        return double_scrape(chunks, self.options)

    def series_count(self) -> int:
        count = self.collector.series_count() if self.collector is not None else self.recorder.series_count()
        return count * (2 if self.options.second_job else 1)

    def to_micros(self, t: float) -> int:
        return self.options.start_ts * 1_000_000 + int(round(t * 1_000_000))

    def log_lines(self) -> Iterator[str]:
        return export.log_lines(self.logs.ordered(), self.to_micros)

    def loki_push(self, with_events: bool = False) -> dict[str, Any]:
        return loki_push_body(self.logs.records, self.to_micros, self.options.log_shipping, self.options.job,
                              with_events)

    def evaluate(self) -> list[Check]:
        """Each scenario's expected signature, judged against the truth."""
        return evaluate(self.header, self.truth)

    def write(self, out_dir: str | Path) -> list[Path]:
        return export.write_all(self, Path(out_dir))


def double_scrape(chunks: Iterator[str], options: SimOptions) -> Iterator[str]:
    """Every series block again, as the second job stores it (same samples, same instants:
    both jobs read the same counters; only job and instance differ)."""
    own = [(f'job="{options.job}"', f'instance="toygres-{i}:8080"') for i in range(options.replicas)]
    for chunk in chunks:
        yield chunk
        if chunk.startswith("#"):
            continue
        for index, (job, instance) in enumerate(own):
            if instance in chunk:
                other = second_job_labels(options, index)
                yield (chunk.replace(job, f'job="{other["job"]}"')
                       .replace(instance, f'instance="{other["instance"]}"'))
                break


def first_instant(options: SimOptions) -> int:
    """The first scrape instant stepped (in the warm-up, seconds from the window start)."""
    step = options.scrape_interval
    return -((options.prewarm_seconds // step) * step) + step


def advance(sim: Simulation, first: int, stop: int, progress: Progress | None = None) -> None:
    """Step (and from the window start, sample) every scrape instant in [first, stop)."""
    report_every = 3600.0
    next_report = report_every
    duration = float(sim.options.duration_seconds)
    for t in range(first, stop, sim.options.scrape_interval):
        sim.step(float(t), scrape=t >= 0)
        if t >= 0:
            sim.sample(float(t))
        if progress is not None and t >= next_report:
            progress(float(t), duration)
            next_report += report_every


def result_of(sim: Simulation) -> SimResult:
    return SimResult(sim.options, sim.header(), sim.truth.samples, sim.recorder, sim.logs, sim.collector)


def run_options(options: SimOptions, progress: Progress | None = None) -> SimResult:
    """Run a whole window: warm-up (unrecorded), then a sample at every scrape instant."""
    sim = Simulation(options)
    advance(sim, first_instant(options), options.duration_seconds + 1, progress)
    return result_of(sim)


def run(scenario_names: Sequence[str], config: Config, *, end_ts: int, duration_seconds: int = 6 * 3600,
        seed: int = 1, replicas: int | None = None, era: str | None = None, scrape_interval: int | None = None,
        progress: Progress | None = None, **workload: Any) -> SimResult:
    """Simulate the named scenarios (composed) over (end_ts - duration, end_ts].

    Era, scrape interval, job and log shipping default to `config`; `workload` takes any
    other SimOptions field (instances, create_rate_per_hour, worker_slots, fault_start_seconds,
    fault_duration_seconds, log_filter, duroxide_version, ...).
    """
    options = build_options(config, scenarios=tuple(scenario_names), end_ts=end_ts,
                            duration_seconds=duration_seconds, seed=seed, replicas=replicas, era=era,
                            scrape_interval=scrape_interval, **workload)
    return run_options(options, progress)
