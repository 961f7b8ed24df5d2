"""Runs that differ only in their fault share the healthy stretch before the fault starts: the
warm-up and the first `fault_start_seconds` of the window (a third of a 2 h check window with
its 15 min warm-up). Simulate that stretch once, then continue a copy of it per scenario
(`fork()` in generator.pipeline.served: the model holds generators, which do not pickle).

Byte-identical to a run of its own, because before the onset nothing depends on the scenario:
the fault events are the last ones scheduled at boot, so the shared prefix reserves their
tie-break numbers (generator.sim.engine.Engine.reserve) and the continuation schedules them with
those numbers; E2 timestamps are the window start plus simulated seconds, so staggered windows
differ by a whole shift applied to what the prefix wrote. E1 is not shared: when each process
pushes to the collector hashes the absolute scrape time (collector.push_age).
"""

from __future__ import annotations

import os
import pickle
import traceback
from dataclasses import dataclass
from typing import Callable, TypeVar

from generator.sim.model import (
    SimResult, Simulation, advance, fault_event_count, fault_onset, fault_windows, first_instant, result_of,
)
from generator.sim.options import SimOptions
from generator.sim.scenarios import resolve

# Tie-break numbers the prefix sets aside for the fault events of whichever run continues it
# (each fault window needs a start and a stop); a run needing more is simulated on its own.
RESERVED_FAULT_EVENTS = 64


def prefix_key(options: SimOptions) -> SimOptions | None:
    """The options of the prefix this run can continue (equal keys share one), or None when its
    prefix cannot be shared (E1)."""
    if options.era != "E2":
        return None
    # The prefix is simulated with the window starting at 0: its timestamps are then shifts.
    return options.replace(scenarios=("healthy",), end_ts=options.duration_seconds, fault_duration_seconds=None)


@dataclass
class Prefix:
    """A simulation advanced to the scrape instant before the fault onset."""

    key: SimOptions
    sim: Simulation
    onset: int

    @property
    def consumed(self) -> bool:
        return self.sim.options is not self.key


def simulate_prefix(key: SimOptions) -> Prefix:
    """The shared healthy stretch: every scrape instant before the aligned fault start."""
    sim = Simulation(key, reserve_fault_events=RESERVED_FAULT_EVENTS)
    onset = min(fault_onset(key), key.duration_seconds + key.scrape_interval)
    advance(sim, first_instant(key), onset)
    return Prefix(key, sim, onset)


def fits_reservation(options: SimOptions) -> bool:
    """Do this run's fault events fit in the tie-break numbers a prefix reserves?"""
    return fault_event_count(fault_windows(options, resolve(options.scenarios))) <= RESERVED_FAULT_EVENTS


def fits(prefix: Prefix, options: SimOptions) -> bool:
    """Can this run continue the prefix (same key, fault events within the reservation)?"""
    return prefix_key(options) == prefix.key and fits_reservation(options)


def continue_run(prefix: Prefix, options: SimOptions) -> SimResult:
    """Finish `options`' run from the prefix. It consumes the prefix's model: call it in a
    forked copy, once per copy."""
    if prefix.consumed:
        raise RuntimeError("a shared prefix continues one run only (fork a copy per run)")
    if not fits(prefix, options):
        raise ValueError(f"{options.scenarios}: cannot continue a prefix of other options")
    sim = prefix.sim
    sim.rebase(options, options.start_ts - prefix.key.start_ts)
    advance(sim, prefix.onset, options.duration_seconds + 1)
    return result_of(sim)


T = TypeVar("T")


def in_fork(prefix: Prefix, options: SimOptions, then: Callable[[SimResult], T]) -> T:
    """`then(continue_run(prefix, options))` in a forked copy of this process, so the prefix
    stays unconsumed here; the value (or the exception) comes back pickled through a pipe.
    POSIX only; call it from a single-threaded process (a pool worker, a script)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: never returns
        status = 0
        try:
            os.close(read_fd)
            payload = pickle.dumps((True, then(continue_run(prefix, options))), pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            status = 1
            try:
                payload = pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - an exception that does not pickle
                payload = pickle.dumps((False, RuntimeError(traceback.format_exc())))
        try:
            with os.fdopen(write_fd, "wb") as out:
                out.write(payload)
        finally:
            os._exit(status)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as inp:
        data = inp.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise RuntimeError(f"the forked simulation of {', '.join(options.scenarios)} died (wait status {status})")
    ok, value = pickle.loads(data)
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]
