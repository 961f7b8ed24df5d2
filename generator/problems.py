"""The problem data model shared by lint, check and alert rules: data, never formatted text."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of a rule, located by file, dashboard, panel and target."""

    rule: str
    severity: Severity
    message: str
    dashboard: str = ""
    panel: str = ""
    target: str = ""
    file: str = ""
    details: str = ""
    alert: str = ""
    # The panel's id and row: titles repeat within a dashboard (repeated panels, copied rows).
    panel_id: int = -1  # -1: no id
    row: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        if data["panel_id"] < 0:
            del data["panel_id"]
        if not data["row"]:
            del data["row"]
        return data

    @property
    def location(self) -> str:
        parts = [self.file]
        if self.dashboard and self.dashboard not in self.file:
            parts.append(f"dashboard {self.dashboard}")
        if self.alert:
            parts.append(f"rule {self.alert}")
        if self.panel:
            where = [f"id {self.panel_id}"] if self.panel_id >= 0 else []
            where += [f"row {self.row!r}"] if self.row else []
            parts.append(f"panel {self.panel!r}" + (f" ({', '.join(where)})" if where else ""))
        if self.target:
            parts.append(f"target {self.target}")
        return ": ".join(p for p in parts if p)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)
