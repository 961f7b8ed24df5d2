"""One comparison of a panel with the ground truth."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """One comparison: the panel's figure, the truth's, the bounds, and how many instants."""

    key: str
    panel: float
    truth: float
    ok: bool
    compared: int
    low: float = 0.0
    high: float = 0.0
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.panel / self.truth if self.truth else float("inf") if self.panel else 1.0
