"""What an alert definition module returns: alert and recording rules as plain data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from generator.pipeline.spec import ScenarioSpec

SEVERITIES = ("critical", "warning", "info")
NAME_PATTERN = re.compile(r"^Toygres[A-Z][A-Za-z0-9]*$")
RECORD_PATTERN = re.compile(r"^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$")
# Grafana's threshold step compares strictly (gt, lt): there is no >= or <=, so only these
# compile; anything else is a definition error rather than a silently different comparison.
OPS = {">": "gt", "<": "lt"}


@dataclass(frozen=True)
class Threshold:
    """The comparison that turns a query into a condition (Grafana's threshold step)."""

    op: str
    value: float

    def render(self) -> str:
        return f"{self.op} {self.value:g}"


@dataclass(frozen=True)
class AlertRule:
    """One alert: the query, when it fires, how loud, and what it says to whoever is paged."""

    name: str
    group: str
    query: str
    threshold: Threshold | None
    for_: str
    severity: str
    summary: str
    description: str
    dashboard_uid: str
    panel_title: str
    # Scenarios of the simulator in which this rule must fire (and stay silent in `healthy`):
    # ScenarioSpecs or their text ("database-down,hold=150m"; generator/pipeline/spec.py).
    fires_in: tuple["ScenarioSpec | str", ...]
    # Empty: derived from the name (Config.runbook_base_url + "#" + name in lower case).
    runbook_url: str = ""
    language: str = "promql"
    labels: Mapping[str, str] = field(default_factory=dict)
    # Signals that wobble (ratios, latencies) need a `for` so a blip does not page.
    noisy: bool = True
    # A ground-truth signal (generator/proof/signals.py) for rules that by construction
    # cannot fire soon after a fault's onset; the proof then also measures from that signal.
    signal: str = ""
    # LogQL rules: the log lines the rule counts, as a log claim (generator/check/log_claims.py),
    # which `dashgen check` proves as it proves a panel's. Empty: what its linked panel claims.
    shows: str = ""

    @property
    def expr(self) -> str:
        """The Prometheus-style expression: the query compared with the threshold."""
        if self.threshold is None:
            return self.query
        return f"{self.query} {self.threshold.render()}"


@dataclass(frozen=True)
class RecordingRule:
    """A precomputed series: cheaper dashboards and SLO alerts."""

    record: str
    expr: str
    group: str
