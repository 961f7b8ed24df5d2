"""Each panel's targets evaluated for a preview: PromQL on the private Prometheus, LogQL over the
simulated log lines (the shapes our dashboards use; anything else is reported on the panel)."""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from generator.proof.logql_eval import LogEntry
from generator.check.evaluate import Window
from generator.check.logql_checks import LOGFMT, run_pipeline
from generator.config import Config
from generator.errors import DashgenError
from generator.walker.contexts import language, variable_values
from generator.parsers import logql
from generator.parsers import logql_ast as ast
from generator.parsers.macros import substitute
from generator.preview.data import Dataset
from generator.prometheus.client import Client

MAX_LOG_LINES = 60
LEGEND_LABEL = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


@dataclass
class SeriesData:
    """One drawn series, aligned on the dataset's time grid (None where there is no sample)."""

    name: str
    values: list[float | None]


@dataclass
class PanelData:
    series: list[SeriesData] = field(default_factory=list)
    logs: list[tuple[float, str, str]] = field(default_factory=list)  # (ts, level, line), newest first
    errors: list[str] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return any(v is not None for s in self.series for v in s.values) or bool(self.logs)


@dataclass(frozen=True)
class Grid:
    start: float
    end: float
    step: float

    @property
    def times(self) -> list[float]:
        count = int((self.end - self.start) // self.step) + 1
        return [self.start + i * self.step for i in range(count)]


def grid_for(dataset: Dataset, config: Config) -> tuple[Grid, Window]:
    window = Window.for_range(dataset.start, dataset.end, config)
    start = dataset.start - dataset.start % window.interval
    return Grid(start, dataset.end, window.interval), window


def _series_name(labels: dict[str, str], legend: str, fallback: str) -> str:
    if legend and legend != "__auto":
        return LEGEND_LABEL.sub(lambda m: labels.get(m.group(1), ""), legend)
    shown = {k: v for k, v in labels.items() if k != "__name__"}
    if not shown:
        return labels.get("__name__", fallback)
    return labels.get("__name__", "") + "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(shown.items())) + "}"


def _align(grid: Grid, samples: Sequence[tuple[float, float]]) -> list[float | None]:
    # NaN and ±Inf (0/0, quantiles without samples) are gaps, as Grafana draws them.
    by_time = {round(t): v for t, v in samples if math.isfinite(v)}
    return [by_time.get(round(t)) for t in grid.times]


@dataclass(frozen=True)
class Expanded:
    """A target's query as sent: macros and variables substituted."""

    ref: str
    language: str
    text: str
    legend: str
    expr: str


def expand(panel: dict[str, Any], dashboard: dict[str, Any], dataset: Dataset, config: Config) -> list[Expanded]:
    grid, window = grid_for(dataset, config)
    values = variable_values(dashboard)
    out = []
    for target in panel.get("targets") or []:
        if not isinstance(target, dict) or target.get("hide") or not target.get("expr"):
            continue
        expr = str(target["expr"])
        text = substitute(expr, values, interval_seconds=window.interval,
                          rate_interval_seconds=window.rate_interval, range_seconds=grid.end - grid.start)
        out.append(Expanded(str(target.get("refId", "?")), language(panel, target) or "promql", text,
                            str(target.get("legendFormat") or ""), expr))
    return out


class LogQLParses:
    """LogQL ASTs by query text, parsed in one batch (each parser call starts node)."""

    def __init__(self) -> None:
        self._trees: dict[str, Any] = {}

    def prime(self, texts: Sequence[str]) -> None:
        todo = sorted({t for t in texts if t not in self._trees})
        if todo:
            self._trees.update(zip(todo, logql.parse_logql_many(todo)))

    def get(self, text: str) -> Any:
        if text not in self._trees:
            self.prime([text])
        tree = self._trees[text]
        if isinstance(tree, Exception):
            raise DashgenError(f"LogQL does not parse: {tree}")
        return tree


def evaluate_panel(panel: dict[str, Any], dashboard: dict[str, Any], dataset: Dataset, config: Config,
                   client: Client, parses: LogQLParses | None = None) -> PanelData:
    grid, _ = grid_for(dataset, config)
    parses = parses or LogQLParses()
    data = PanelData()
    for query in expand(panel, dashboard, dataset, config):
        try:
            if query.language == "logql":
                _logql(parses.get(query.text), query.text, query.legend, grid, dataset.logs, data)
            else:
                for series in client.query_range(query.text, grid.start, grid.end, grid.step):
                    data.series.append(SeriesData(_series_name(series.labels, query.legend, query.expr),
                                                  _align(grid, series.samples)))
        except DashgenError as exc:
            data.errors.append(f"{query.ref}: {exc}")
    return data


def _fields(line: str) -> dict[str, str]:
    return {k: v.strip('"') for k, v in LOGFMT.findall(line)}


def _surviving(query: ast.LogQuery, logs: Sequence[LogEntry]) -> list[tuple[LogEntry, dict[str, str]]]:
    """Entries the selector and pipeline keep, with their labels (stream plus logfmt fields)."""
    parses = any(isinstance(s, ast.Parser) and s.kind == "logfmt" for s in query.pipeline)
    out = []
    for entry in logs:
        labels = dict(entry.labels)
        if not all(m.matches(labels.get(m.label, "")) for m in query.selector):
            continue
        if run_pipeline(query, labels, [entry.line])[0]:
            out.append((entry, {**labels, **(_fields(entry.line) if parses else {})}))
    return out


def _logql(expr: Any, text: str, legend: str, grid: Grid, logs: Sequence[LogEntry], data: PanelData) -> None:
    if isinstance(expr, ast.LogQuery):
        kept = [(e, labels) for e, labels in _surviving(expr, logs) if grid.start <= e.ts <= grid.end]
        template = next((s.template for s in expr.pipeline if isinstance(s, ast.LineFormat)), None)
        for entry, labels in sorted(kept, key=lambda item: -item[0].ts)[:MAX_LOG_LINES]:
            line = LEGEND_LABEL.sub(lambda m: labels.get(m.group(1).lstrip("."), ""), template) if template else entry.line
            data.logs.append((entry.ts, labels.get("level", ""), line))
        return
    outer = expr if isinstance(expr, ast.VectorAggregation) else None
    inner = outer.expr if outer is not None else expr
    if (not isinstance(inner, ast.RangeAggregation) or inner.op not in ("count_over_time", "rate")
            or inner.unwrap or (outer is not None and (outer.op not in ("sum", "count", "max", "min") or outer.without))):
        data.errors.append("this LogQL shape is not previewed (only [sum|count|max|min by (...)] "
                           "count_over_time/rate over a log query)")
        return
    grouping = outer.grouping if outer is not None else ()
    groups: dict[tuple[tuple[str, str], ...], list[float]] = {}
    for entry, labels in _surviving(inner.log_query, logs):
        key = tuple((k, labels.get(k, "")) for k in grouping) if outer is not None else tuple(sorted(labels.items()))
        groups.setdefault(key, []).append(entry.ts)
    for key, times in sorted(groups.items()):
        times.sort()
        values: list[float | None] = []
        for t in grid.times:
            count = bisect.bisect_right(times, t) - bisect.bisect_right(times, t - inner.range_seconds)
            value = count / inner.range_seconds if inner.op == "rate" else float(count)
            values.append(value if count else None)
        data.series.append(SeriesData(_series_name(dict(key), legend, text), values))
