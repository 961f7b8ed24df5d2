"""The simulator's one exception class, in its own module so every sim module can raise it
without importing the options (which validate against the scenarios)."""

from __future__ import annotations

from generator.errors import DashgenError


class SimulationError(DashgenError):
    """A simulation option is invalid or an output cannot be written."""
