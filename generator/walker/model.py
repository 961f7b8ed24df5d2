"""One dashboard, panel or target at a time, already parsed: what lint rules and check rules see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from generator.config import Config


@dataclass(frozen=True)
class DashboardCtx:
    """A dashboard JSON and where it came from."""

    file: str
    data: dict[str, Any]
    config: Config

    @property
    def uid(self) -> str:
        return str(self.data.get("uid") or self.data.get("title") or self.file)

    def variables(self) -> list[dict[str, Any]]:
        return list((self.data.get("templating") or {}).get("list") or [])

    def panels(self) -> Iterator[dict[str, Any]]:
        """Every panel: top level, nested in collapsed rows, and in the legacy `rows` layout of
        dashboards older than schemaVersion 16 (hand-made JSON is linted as it is)."""
        for panel in self.data.get("panels") or []:
            yield panel
            yield from panel.get("panels") or []
        for row in self.data.get("rows") or []:
            yield from row.get("panels") or []


@dataclass(frozen=True)
class PanelCtx:
    dashboard: DashboardCtx
    panel: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.panel.get("title") or f"#{self.panel.get('id', '?')}")


@dataclass(frozen=True)
class TargetCtx:
    """One query target; `ast` is the parsed query (None when it did not parse)."""

    panel: PanelCtx
    target: dict[str, Any]
    language: str  # "promql", "logql" or "" (other data sources are not linted)
    expr: str  # the query as written
    substituted: str  # after Grafana's macros and variables were substituted
    ast: Any = None
    error: Any = None

    @property
    def ref_id(self) -> str:
        return str(self.target.get("refId") or "")
