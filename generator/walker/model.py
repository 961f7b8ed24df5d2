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
    # --portable: a dashboard this project did not write (correctness rules only).
    portable: bool = False

    @property
    def uid(self) -> str:
        return str(self.data.get("uid") or self.data.get("title") or self.file)

    def variables(self) -> list[dict[str, Any]]:
        return list((self.data.get("templating") or {}).get("list") or [])

    def datasource_variables(self) -> dict[str, dict[str, Any]]:
        """Data source variables by name, including an exported dashboard's `__inputs`
        (`${DS_PROMETHEUS}`, replaced by Grafana at import) as variables whose query is the plugin."""
        found = {str(v.get("name")): v for v in self.variables() if v.get("type") == "datasource"}
        for item in self.data.get("__inputs") or []:
            if isinstance(item, dict) and item.get("type") == "datasource" and item.get("name"):
                found.setdefault(str(item["name"]), {"name": item["name"], "type": "datasource",
                                                     "query": item.get("pluginId") or ""})
        return found

    def panels(self) -> Iterator[dict[str, Any]]:
        """Every panel: top level, nested in collapsed rows, and in the legacy `rows` layout of
        dashboards older than schemaVersion 16 (hand-made JSON is linted as it is)."""
        for panel, _ in self.panels_with_rows():
            yield panel

    def panels_with_rows(self) -> Iterator[tuple[dict[str, Any], str]]:
        """Every panel with the title of the row it sits in ('' above the first row)."""
        row = ""
        for panel in self.data.get("panels") or []:
            if panel.get("type") == "row":
                row = str(panel.get("title") or "")
            yield panel, row
            for nested in panel.get("panels") or []:
                yield nested, row
        for legacy in self.data.get("rows") or []:
            for panel in legacy.get("panels") or []:
                yield panel, str(legacy.get("title") or "")


@dataclass(frozen=True)
class PanelCtx:
    dashboard: DashboardCtx
    panel: dict[str, Any]
    row: str = ""

    @property
    def title(self) -> str:
        return str(self.panel.get("title") or f"#{self.panel.get('id', '?')}")

    @property
    def panel_id(self) -> int:
        value = self.panel.get("id")
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else -1


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
    # Position in the panel's targets list: names a target that has no refId.
    index: int = 0
    # A `${var:format}` Grafana does not know (the query was then not parsed).
    format_error: str = ""
    # Seconds between samples the query is judged with (the dashboard's own when --portable).
    scrape_seconds: float = 15.0

    @property
    def ref_id(self) -> str:
        return str(self.target.get("refId") or f"targets[{self.index}]")
