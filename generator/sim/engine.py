"""The discrete-event core: a simulated clock, an event heap, and the bounded slot pools that
make queues build up when demand exceeds capacity. No sleeping, no wall clock."""

from __future__ import annotations

import heapq
from typing import Any, Callable


class Engine:
    """Runs callbacks in simulated-time order; ties break by scheduling order (deterministic)."""

    __slots__ = ("now", "_heap", "_seq", "observer")

    def __init__(self, start: float) -> None:
        self.now = start
        self._heap: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
        self._seq = 0
        # Called after every event (the ground truth tracks each gauge's extremes through it).
        self.observer: Callable[[], None] | None = None

    def at(self, when: float, fn: Callable[..., None], *args: Any) -> None:
        """Schedule fn(*args) at simulated time `when` (never before now)."""
        self._seq += 1
        heapq.heappush(self._heap, (when if when > self.now else self.now, self._seq, fn, args))

    def at_seq(self, when: float, seq: int, fn: Callable[..., None], *args: Any) -> None:
        """Schedule fn(*args) at `when` with a tie-break number reserved earlier (see
        `reserve`): it runs as if it had been scheduled when the number was reserved."""
        heapq.heappush(self._heap, (when if when > self.now else self.now, seq, fn, args))

    def reserve(self, count: int) -> int:
        """Set aside `count` tie-break numbers for `at_seq`; returns the last one before them."""
        first = self._seq
        self._seq += count
        return first

    def after(self, delay: float, fn: Callable[..., None], *args: Any) -> None:
        self.at(self.now + delay, fn, *args)

    def run_until(self, until: float) -> None:
        """Process every event due at or before `until`, then park the clock there."""
        heap = self._heap
        pop = heapq.heappop
        observer = self.observer
        while heap and heap[0][0] <= until:
            when, _, fn, args = pop(heap)
            self.now = when
            fn(*args)
            if observer is not None:
                observer()
        if until > self.now:
            self.now = until

    def pending(self) -> int:
        return len(self._heap)


class SlotPool:
    """A dispatcher's bounded slots (duroxide: orchestration or worker concurrency).

    Every slot is its own polling task in duroxide (dispatchers/orchestration.rs:373-514,
    worker.rs:188-253): a slot without work fetches every `dispatcher_min_poll_interval`.
    So the pool integrates idle *slot*-seconds (free slots while nothing is queued), and the
    idle polls are accounted in aggregate per scrape interval instead of one event each.
    """

    __slots__ = ("size", "free", "idle_slots", "idle_since", "idle_acc", "poll_carry")

    def __init__(self, size: int, now: float) -> None:
        self.size = size
        # A stack of free slot indices: worker ids are orch-{i}-... / work-{i}-...
        self.free: list[int] = list(range(size - 1, -1, -1))
        self.idle_slots = size
        self.idle_since = now
        self.idle_acc = 0.0
        self.poll_carry = 0.0

    @property
    def idle(self) -> bool:
        return self.idle_slots > 0

    def set_idle(self, idle: bool, now: float) -> None:
        """At `now`, the free slots poll (idle) or have work waiting for them (busy)."""
        slots = len(self.free) if idle else 0
        if slots == self.idle_slots:
            return
        self.idle_acc += self.idle_slots * (now - self.idle_since)
        self.idle_since = now
        self.idle_slots = slots

    def take_idle_seconds(self, now: float) -> float:
        """Idle slot-seconds since the last call (the current stretch is split at `now`)."""
        total = self.idle_acc + self.idle_slots * (now - self.idle_since)
        self.idle_since = now
        self.idle_acc = 0.0
        return total

    def reset(self, now: float) -> None:
        """A process (re)start: all slots free, idle from now."""
        self.free = list(range(self.size - 1, -1, -1))
        self.idle_slots = self.size
        self.idle_since = now
        self.idle_acc = 0.0
