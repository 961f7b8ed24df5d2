"""The plain data the runtime, its processes and its worker dispatcher share: an orchestration
instance and an activity work item (no behaviour; a module of its own so process, worker and
runtime import it without importing each other)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from generator.sim.workload import Ctx


@dataclass(eq=False, slots=True)
class Instance:
    """An orchestration instance; its executions share the id, continue-as-new bumps exec."""

    iid: str
    short: str
    name: str
    version: str
    ctx: Ctx
    owner: int
    gen: Any = None
    execution_id: int = 1
    inbox: deque = field(default_factory=deque)
    busy: bool = False
    queued: bool = False
    started: bool = False
    terminal: bool = False
    new_execution: bool = False
    history: int = 0
    attempts: int = 1
    seq: int = 0
    waiting: Any = None
    events: list = field(default_factory=list)
    parent: "Instance | None" = None


@dataclass(eq=False, slots=True)
class Work:
    """An activity work item in the worker queue."""

    inst: Instance
    execution_id: int
    seq: int
    short: str
    name: str
    effect: tuple
    attempts: int = 1
    started: float = 0.0
    # When its fetch returned and its handler ended (set when a slot takes it).
    fetched: float = 0.0
    ends: float = 0.0
    # Its row was deleted by an orchestration ack (lock stealing): it is never fetched again
    # and its own ack fails.
    stolen: bool = False
