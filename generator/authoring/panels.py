"""Panel factories over grafanalib with the house defaults: every panel has a description, a
unit, a legend that names its series, and thresholds where they mean something."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence, Union

import attr
import grafanalib.core as g

if TYPE_CHECKING:
    from generator.authoring.verbatim import Verbatim

PROMETHEUS_DS = {"type": "prometheus", "uid": "${datasource}"}
LOKI_DS = {"type": "loki", "uid": "${loki}"}

GREEN, YELLOW, ORANGE, RED = "green", "yellow", "orange", "red"

# What a panel declares it shows: a measure name for every target, or {refId: measure name}.
Measures = Union[str, Mapping[str, str]]


@attr.s
class LokiTarget:
    """A Loki query target (grafanalib has none)."""

    expr: str = attr.ib()
    refId: str = attr.ib(default="")  # noqa: N815 (Grafana's JSON key)
    legendFormat: str = attr.ib(default="")  # noqa: N815
    queryType: str = attr.ib(default="range")  # noqa: N815
    # Grafana JSON merged over this target (the escape hatch, see authoring/verbatim.py).
    extra: Any = attr.ib(default=None)

    def to_json_data(self) -> dict[str, Any]:
        return {"datasource": LOKI_DS, "editorMode": "code", "expr": self.expr,
                "legendFormat": self.legendFormat, "queryType": self.queryType, "refId": self.refId}


@dataclass(frozen=True)
class Step:
    """One threshold step: from `value` upwards the panel shows `color` (None = base)."""

    color: str
    value: float | None = None


@dataclass(frozen=True)
class Cell:
    """A panel plus its layout wishes and what it measures (for `dashgen check`)."""

    panel: Any
    width: int | None = None
    height: int | None = None
    # A ground-truth quantity this panel claims to show (see generator/check): one measure for
    # every target, or {refId: measure} for some of them; "" for none.
    measures: Measures = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    # Why no ground truth applies to the targets `measures` does not cover ("" = it covers all).
    no_truth: str = ""
    # Grafana JSON merged over the compiled panel (the escape hatch, see authoring/verbatim.py).
    extra: Verbatim | None = None
    # For Loki panels: the log lines it claims to show (generator/check/log_claims.py), or "".
    shows: str = ""


@attr.s
class PromTarget(g.Target):
    """A Prometheus target that may carry verbatim JSON merged over its compiled form."""

    extra: Any = attr.ib(default=None)


def prom(expr: str, legend: str = "", instant: bool = False, *,
         datasource: dict[str, str] = PROMETHEUS_DS, extra: Verbatim | None = None) -> PromTarget:
    """A Prometheus target; refIds are assigned at compile time."""
    return PromTarget(expr=expr, legendFormat=legend, instant=instant, datasource=datasource,
                      extra=extra)


def loki(expr: str, legend: str = "", instant: bool = False, *,
         extra: Verbatim | None = None) -> LokiTarget:
    return LokiTarget(expr=expr, legendFormat=legend, queryType="instant" if instant else "range",
                      extra=extra)


def _steps(steps: Sequence[Step]) -> list[dict[str, Any]]:
    return [{"color": s.color, "value": s.value} for s in steps] or [{"color": GREEN, "value": None}]


def _field_config(unit: str | None, steps: Sequence[Step], minimum: float | None,
                  maximum: float | None, decimals: int | None) -> dict[str, Any]:
    defaults: dict[str, Any] = {"unit": unit or "", "thresholds": {"mode": "absolute", "steps": _steps(steps)}}
    if minimum is not None:
        defaults["min"] = minimum
    if maximum is not None:
        defaults["max"] = maximum
    if decimals is not None:
        defaults["decimals"] = decimals
    return defaults


def timeseries(title: str, description: str, targets: Sequence[Any], *, unit: str | None,
               steps: Sequence[Step] = (), minimum: float | None = 0, maximum: float | None = None,
               stack: bool = False, legend_calcs: Sequence[str] = ("mean", "max", "lastNotNull"),
               width: int | None = None, height: int | None = None, measures: Measures = "", no_truth: str = "",
               datasource: dict[str, str] = PROMETHEUS_DS, extra: Verbatim | None = None,
               shows: str = "") -> Cell:
    """A time series with a table legend (mean, max, last) and dashed threshold lines."""
    panel = g.TimeSeries(
        title=title, description=description, targets=list(targets), dataSource=datasource,
        unit=unit or "", legendDisplayMode="table", legendPlacement="bottom",
        legendCalcs=list(legend_calcs), tooltipMode="multi", tooltipSort="desc",
        fillOpacity=10, showPoints="never", valueMin=minimum, valueMax=maximum,
        stacking={"mode": "normal", "group": "A"} if stack else {"mode": "none", "group": "A"},
        thresholdsStyleMode="dashed" if steps else "off",
    )
    panel.extraJson = {"fieldConfig": {"defaults": {"thresholds": {"mode": "absolute", "steps": _steps(steps)}}}}
    return Cell(panel, width, height, measures, no_truth=no_truth, extra=extra, shows=shows)


def stat(title: str, description: str, target: Any, *, unit: str | None, steps: Sequence[Step] = (),
         minimum: float | None = None, maximum: float | None = None, decimals: int | None = None,
         graph: bool = True, no_value: str = "No data", width: int | None = None,
         height: int | None = None, measures: Measures = "", no_truth: str = "",
         datasource: dict[str, str] = PROMETHEUS_DS, extra: Verbatim | None = None,
         shows: str = "") -> Cell:
    """A single-number panel coloured by its thresholds, with a sparkline."""
    panel = g.Stat(
        title=title, description=description, targets=[target], dataSource=datasource,
        graphMode="area" if graph else "none", colorMode="background", reduceCalc="lastNotNull",
        noValue=no_value, textMode="value", orientation="auto", format=unit or "",
    )
    panel.extraJson = {"fieldConfig": {"defaults": _field_config(unit, steps, minimum, maximum, decimals)}}
    return Cell(panel, width, height, measures, no_truth=no_truth, extra=extra, shows=shows)


def bargauge(title: str, description: str, targets: Sequence[Any], *, unit: str | None,
             steps: Sequence[Step] = (), width: int | None = None, height: int | None = None,
             measures: Measures = "", no_truth: str = "", datasource: dict[str, str] = PROMETHEUS_DS,
             extra: Verbatim | None = None) -> Cell:
    """Horizontal bars ranking series (e.g. slowest activities), sorted by value."""
    panel = g.BarGauge(title=title, description=description, targets=list(targets),
                       dataSource=datasource, orientation="horizontal", displayMode="gradient",
                       calc="lastNotNull", format=unit or "")
    panel.extraJson = {"fieldConfig": {"defaults": _field_config(unit, steps, 0, None, None)}}
    return Cell(panel, width, height, measures, no_truth=no_truth, extra=extra)


def text(title: str, content: str, *, width: int | None = None, height: int | None = None,
         extra: Verbatim | None = None) -> Cell:
    """Markdown text: explanations that belong next to the numbers."""
    panel = g.Text(title=title, description=title, content=content, mode="markdown")
    return Cell(panel, width, height, extra=extra)


def logs(title: str, description: str, target: Any, *, shows: str, width: int | None = None,
         height: int | None = None, datasource: dict[str, str] = LOKI_DS,
         extra: Verbatim | None = None) -> Cell:
    """A log lines panel, newest first, with log details enabled; `shows` says which lines
    it claims to show (checked against the simulated events by `dashgen check`)."""
    panel = g.Logs(title=title, description=description, targets=[target], dataSource=datasource,
                   showLabels=False, showCommonLabels=False, showTime=True, wrapLogMessages=True,
                   sortOrder="Descending", dedupStrategy="none", enableLogDetails=True,
                   prettifyLogMessage=False)
    return Cell(panel, width, height, extra=extra, shows=shows)
