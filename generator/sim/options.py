"""Simulation options in one frozen object, plus the parsers the CLI uses for durations and
window ends, so the model itself never reads the wall clock or the environment."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from generator.config import Config
from generator.parsers import literals
from generator.sim.errors import SimulationError
from generator.sim.logs import parse_filter
from generator.sim.scenarios import resolve

__all__ = ["SimOptions", "SimulationError", "build_options", "format_duration", "parse_duration", "parse_end",
           "validate"]


# The newest duroxide release of each export era (E1: OpenTelemetry, E2: `metrics` facade).
NEWEST = {"E1": "0.1.14", "E2": "0.1.26"}
# v0.1.15 moved to the metrics facade (E2); v0.1.18 added the gauge poller (commit 072c983);
# from v0.1.10 (commit 254b970) the active gauge's +1 is dead code.
E2_FIRST = (0, 1, 15)
GAUGE_POLLER_FIRST = (0, 1, 18)
ACTIVE_INCREMENT_LAST = (0, 1, 9)
# Up to v0.1.9 an unregistered activity was executed as a configuration error (outcome
# "config_error", activity_configuration_errors_total{activity_name}) that failed its
# orchestration; the same commit 254b970 (v0.1.10) replaced that with abandon-with-backoff
# and poison (v0.1.9 src/runtime/dispatchers/worker.rs:497-539, observability.rs:624-688).
CONFIG_ERROR_LAST = (0, 1, 9)
# Lock stealing (commit a1c9c84, released in v0.1.8): the ack of the turn in which a select2's
# timer won deletes the losing activity's worker-queue row (v0.1.8-0.1.11: the select future
# marks its losers, futures.rs:820-834 at v0.1.11; from v0.1.12 DurableFuture::drop, lib.rs:679-690
# at v0.1.26); before, the loser ran on and its result was a turn of its own. From v0.1.16
# that turn also appends ActivityCancelRequested to the history (replay_engine.rs:1469-1486 at
# v0.1.26).
SELECT_LOSER_CANCEL_FIRST = (0, 1, 8)
CANCEL_REQUEST_EVENT_FIRST = (0, 1, 16)


def parse_version(text: str) -> tuple[int, int, int]:
    """"0.1.26" or "v0.1.26" -> (0, 1, 26); anything else is one clear error."""
    match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)", text.strip())
    if match is None:
        raise SimulationError(f"--duroxide-version: cannot parse {text!r} (use e.g. 0.1.26)")
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


@dataclass(frozen=True)
class SimOptions:
    """Everything that decides a simulation's output; same options, same bytes."""

    scenarios: tuple[str, ...] = ("healthy",)
    # The window is (end_ts - duration_seconds, end_ts]; both are multiples of the interval.
    end_ts: int = 0
    duration_seconds: int = 6 * 3600
    seed: int = 1
    era: str = "E2"
    replicas: int = 1
    scrape_interval: int = 15
    # Steady-state live Toygres instances and the create rate; the mean instance lifetime
    # follows (instances / creates per hour), so deletes balance creates.
    instances: int = 30
    create_rate_per_hour: float = 15.0
    image_rate_per_hour: float = 0.5
    # Which Toygres the workload is: "newest" (the reference's newest commits) or "head"
    # (main at 2f64720: 10/10 slots, deploy-postgres, 60 x a slow wait-for-ready, actors that
    # fail on CMS errors, no pruner / semaphore / images / batches).
    toygres_version: str = "newest"
    # Toygres' newest runtime options (toygres-server main.rs): 2 orchestration slots and 10
    # worker slots per process (duroxide's own defaults are 10 and 10; HEAD set 10 and 10).
    orchestration_slots: int = 2
    worker_slots: int = 10
    # duroxide's release; None: the newest of the era (v0.1.26 for E2, v0.1.14 for E1). It
    # decides the active gauge (poller from v0.1.18, +1 reachable only up to v0.1.9) and the
    # queue gauges' refresh.
    duroxide_version: str | None = None
    # RuntimeOptions.observability.gauge_poll_interval (duroxide default 60 s, v0.1.18+).
    gauge_poll_interval: float = 60.0
    # RuntimeOptions.dispatcher_min_poll_interval: each idle slot polls this often (duroxide
    # default 100 ms; Toygres sets 1 s).
    dispatcher_poll_interval: float = 1.0
    # Faults start after a healthy warm-up so detection latency can be measured.
    fault_start_seconds: int = 1800
    # None: each scenario's own default fault duration.
    fault_duration_seconds: int | None = None
    batch_size: int = 50
    # Toygres' tracing filter (its subscriber, not duroxide's, formats every line): "local" is
    # toygres-server's default (duroxide::runtime at DEBUG: started/completed lines too),
    # "kubernetes" the AKS configmap's (duroxide at INFO), or any RUST_LOG directive string.
    log_filter: str = "local"
    log_shipping: str = "push"
    job: str = "toygres"
    # AKS: a second job scraping each process again ("" = none), and the target labels both
    # jobs add ("name=value,...").
    second_job: str = ""
    target_labels: str = ""
    # The processes start this long before the window with an empty store, so the fleet
    # and the counters exist when the window opens; nothing before the window is written.
    prewarm_seconds: int = 900
    # How long the initial fleet's instance actors have been cycling when the processes start
    # (0: created in the warm-up, all from execution 1). A restart into a long-lived fleet
    # finds actors at distinct execution ids, so continue_as_new_total{execution_id} gains a
    # label set per actor cycle, not per fleet cycle (E1's 2000-label-set limit then comes
    # within the hour instead of after ~12-20 hours).
    fleet_age_seconds: int = 0
    # The truth also records 101-point quantile grids of latencies (what `dashgen check` needs
    # to bound a quantile a panel estimates from fewer observations); off: they triple its size.
    truth_grids: bool = False

    @property
    def start_ts(self) -> int:
        return self.end_ts - self.duration_seconds

    @property
    def version(self) -> tuple[int, int, int]:
        """duroxide's release as a comparable tuple (the era's newest when not given)."""
        return parse_version(self.duroxide_version or NEWEST[self.era])

    def replace(self, **changes: object) -> "SimOptions":
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def build_options(config: Config, **overrides: object) -> SimOptions:
    """SimOptions from the shared Config (era, interval, job, log shipping) plus overrides."""
    base = SimOptions(era=config.era, scrape_interval=config.scrape_interval_seconds,
                      log_shipping=config.log_shipping, job=config.job, log_filter=config.log_filter,
                      second_job=config.second_scrape_job, target_labels=config.scrape_target_labels)
    changes = {k: v for k, v in overrides.items() if v is not None}
    if changes.get("toygres_version") == "head":
        # HEAD configured 10 orchestration slots (toygres-server/src/duroxide.rs:40-41).
        changes.setdefault("orchestration_slots", 10)
    unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(SimOptions)})
    if unknown:
        raise SimulationError(f"unknown simulation option(s): {', '.join(unknown)}")
    options = dataclasses.replace(base, **changes)  # type: ignore[arg-type]
    return validate(options)


def validate(o: SimOptions) -> SimOptions:
    """Reject impossible combinations with one clear line; align the window to the interval."""
    resolve(o.scenarios)
    if o.era not in ("E1", "E2"):
        raise SimulationError(f"--era must be E1 or E2, got {o.era!r}")
    if o.toygres_version not in ("newest", "head"):
        raise SimulationError(f"--toygres-version must be newest or head, got {o.toygres_version!r}")
    if o.second_job and (o.era != "E2" or o.second_job == o.job):
        raise SimulationError(f"second scrape job {o.second_job!r}: needs era E2 and a name other than {o.job!r}")
    try:
        parse_target_labels(o.target_labels)
    except ValueError as err:
        raise SimulationError(f"scrape target labels: {err}") from None
    if o.log_shipping not in ("push", "promtail", "otlp"):
        raise SimulationError(f"log shipping must be push, promtail or otlp, got {o.log_shipping!r}")
    version = o.version
    if (o.era == "E2") != (version >= E2_FIRST):
        raise SimulationError(f"duroxide {'.'.join(map(str, version))} exports era "
                              f"{'E2' if version >= E2_FIRST else 'E1'}, not {o.era} (E1: <= 0.1.14, E2: >= 0.1.15)")
    if o.gauge_poll_interval <= 0 or o.dispatcher_poll_interval <= 0:
        raise SimulationError("poll intervals must be positive")
    try:
        parse_filter(o.log_filter)
    except ValueError as err:
        raise SimulationError(f"--log-filter: {err}") from None
    for name in ("replicas", "scrape_interval", "orchestration_slots", "worker_slots", "batch_size"):
        if int(getattr(o, name)) < 1:
            raise SimulationError(f"--{name.replace('_', '-')} must be at least 1")
    if o.replicas > 20:
        raise SimulationError("--replicas must be at most 20")
    if o.fleet_age_seconds < 0:
        raise SimulationError("--fleet-age must not be negative")
    if o.instances < 0 or o.create_rate_per_hour < 0 or o.image_rate_per_hour < 0:
        raise SimulationError("--instances and rates must not be negative")
    if o.instances > 0 and o.create_rate_per_hour == 0:
        raise SimulationError("--create-rate must be positive when --instances is")
    step = o.scrape_interval
    duration = (o.duration_seconds // step) * step
    if duration < 2 * step:
        raise SimulationError(f"--duration must cover at least two scrape intervals ({2 * step}s)")
    end_ts = (o.end_ts // step) * step
    faulty = any(name != "healthy" for name in o.scenarios)
    if faulty and (o.fault_start_seconds < 0 or o.fault_start_seconds >= duration):
        raise SimulationError(
            f"fault start {format_duration(o.fault_start_seconds)} is outside the "
            f"{format_duration(duration)} window (use --fault-start)")
    if o.fault_duration_seconds is not None and o.fault_duration_seconds <= 0:
        raise SimulationError("--fault-duration must be positive")
    return dataclasses.replace(o, duration_seconds=duration, end_ts=end_ts)




_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def parse_target_labels(text: str) -> tuple[tuple[str, str], ...]:
    """"service=toygres,component=server" -> (("component", "server"), ("service", "toygres"))."""
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        if not sep or not _LABEL.fullmatch(name.strip()) or name.strip() in ("job", "instance"):
            raise ValueError(f"expected name=value pairs (not job or instance), got {item!r}")
        pairs.append((name.strip(), value.strip()))
    return tuple(sorted(pairs))


def parse_duration(text: str, option: str = "--duration", zero: bool = False) -> int:
    """Seconds from "90m", "6h", "1h30m", "45s", "2d" or a bare number of seconds (0 only if
    `zero`)."""
    value = text.strip().lower()
    if value.isdigit():
        return int(value)
    if zero and value in ("0s", "0m", "0h", "0d"):
        return 0
    try:
        seconds = literals.parse_duration(value)
    except ValueError:
        seconds = 0.0
    if seconds <= 0 or seconds != int(seconds):
        raise SimulationError(f"{option}: cannot parse {text!r} (use e.g. 90m, 6h, 1h30m, 3600)")
    return int(seconds)


def format_duration(seconds: int) -> str:
    """The inverse of parse_duration, for messages: 5400 -> "1h30m"."""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    parts = [f"{h}h" if h else "", f"{m}m" if m else "", f"{s}s" if s else ""]
    return "".join(parts) or "0s"


def parse_end(text: str) -> int:
    """Unix seconds from "1732659000" or an RFC 3339 time ("2025-11-19T07:00:00Z")."""
    value = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return int(float(value))
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise SimulationError(
            f"--end: cannot parse {text!r} (use unix seconds or RFC 3339, e.g. 2025-11-19T07:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())
