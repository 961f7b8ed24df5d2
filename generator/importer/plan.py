"""Panels, targets and variables of a migrated dashboard as builder calls (code.Call nodes).

Each call is chosen to say as much as the builders can (title, description, queries, unit,
thresholds, min/max, decimals, size); what it cannot say is measured afterwards by compiling the
call and diffing it against the original (module.py), and carried by `verbatim(...)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator import queries
from generator.authoring import panels as builders
from generator.authoring import variables as house_variables
from generator.authoring.dashboard import Variable
from generator.authoring.verbatim import raw_panel
from generator.config import Config
from generator.importer.code import Call, Name
from generator.importer.querymatch import Constant, Matcher

DEFAULT_LEGEND_CALCS = ["mean", "max", "lastNotNull"]


@dataclass
class Context:
    """What the plan of one dashboard shares: Config, query matcher, named data sources,
    and the names the module will import."""

    config: Config
    matcher: Matcher
    c: Name = field(init=False)
    constants: dict[str, dict[str, Any]] = field(default_factory=dict)
    imports: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.c = Name("c", self.config)

    def use(self, module: str, name: str) -> None:
        self.imports.add((module, name))

    def call(self, module: str, name: str, func: Any, *args: Any, **kwargs: Any) -> Call:
        self.use(module, name)
        return Call(name, func, list(args), {k: v for k, v in kwargs.items()})

    def datasource(self, ref: Any) -> Any:
        """A data source reference as a name: the house ones, else a module constant."""
        if not isinstance(ref, dict):
            return None
        if ref == builders.PROMETHEUS_DS:
            self.use("generator.authoring.panels", "PROMETHEUS_DS")
            return Name("PROMETHEUS_DS", builders.PROMETHEUS_DS)
        if ref == builders.LOKI_DS:
            self.use("generator.authoring.panels", "LOKI_DS")
            return Name("LOKI_DS", builders.LOKI_DS)
        for name, value in self.constants.items():
            if value == ref:
                return Name(name, value)
        stem = re.sub(r"\W+", "_", str(ref.get("uid") or ref.get("type") or "default")).strip("_").upper()
        base = "DS_" + (stem.removeprefix("DS_") or "DEFAULT")
        name = base
        n = 2
        while name in self.constants:
            name, n = f"{base}_{n}", n + 1
        self.constants[name] = dict(ref)
        return Name(name, self.constants[name])

    def query(self, expr: str) -> Any:
        """A named query call when the text is one, else the text."""
        found = self.matcher.match(expr)
        if found is None:
            return expr
        self.use("generator", "queries as q")
        args = [Name(f"q.{a.name}", a.value) if isinstance(a, Constant) else a for a in found.args]
        return Call(f"q.{found.name}", getattr(queries, found.name), [self.c, *args])


class NoBuilder(Exception):
    """This panel goes through raw_panel (the message says why)."""


def _kind(panel: dict[str, Any], target: dict[str, Any]) -> str:
    ds = target.get("datasource") or panel.get("datasource") or {}
    kind = ds.get("type") if isinstance(ds, dict) else None
    if kind == "loki":
        return "loki"
    if kind in ("prometheus", None) and "expr" in target:
        return "prometheus"
    raise NoBuilder(f"a {kind or 'non-PromQL'} query has no builder")


def target_call(ctx: Context, panel: dict[str, Any], target: dict[str, Any]) -> Call:
    kind = _kind(panel, target)
    expr = ctx.query(str(target.get("expr", "")))
    legend = target.get("legendFormat", "")
    args: list[Any] = [expr] + ([legend] if legend else [])
    if kind == "loki":
        kwargs: dict[str, Any] = {"instant": True} if target.get("queryType") == "instant" else {}
        return ctx.call("generator.authoring.panels", "loki", builders.loki, *args, **kwargs)
    kwargs = {"instant": True} if target.get("instant") else {}
    if target.get("datasource") != builders.PROMETHEUS_DS:
        kwargs["datasource"] = ctx.datasource(target.get("datasource"))
    return ctx.call("generator.authoring.panels", "prom", builders.prom, *args, **kwargs)


def _steps(ctx: Context, defaults: dict[str, Any]) -> list[Call] | None:
    steps = (defaults.get("thresholds") or {}).get("steps")
    if not steps or steps == [{"color": "green"}]:
        return None
    ctx.use("generator.authoring.panels", "Step")
    return [Call("Step", builders.Step, [str(s.get("color", "green"))] + ([s["value"]] if "value" in s else []))
            for s in steps]


def panel_call(ctx: Context, panel: dict[str, Any], force_raw: bool = False) -> tuple[Call, str]:
    """The builder call for a panel and "", or a raw_panel call and why no builder fits."""
    try:
        if force_raw:
            raise NoBuilder("")
        return _builder_call(ctx, panel), ""
    except NoBuilder as exc:
        body = {k: v for k, v in panel.items() if k not in ("id", "gridPos") and v is not None}
        call = ctx.call("generator.authoring.verbatim", "raw_panel", raw_panel, body)
        return call, str(exc)


def _builder_call(ctx: Context, panel: dict[str, Any]) -> Call:
    kind = panel.get("type")
    if "libraryPanel" in panel:
        raise NoBuilder("library panel: kept as a reference, its model lives in Grafana's library")
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    title, description = panel.get("title", ""), panel.get("description", "")
    if kind == "text":
        content = (panel.get("options") or {}).get("content", panel.get("content", ""))
        return ctx.call("generator.authoring.panels", "text", builders.text, title, content)
    if kind not in ("timeseries", "stat", "bargauge", "logs"):
        raise NoBuilder(f"panel type {kind!r} has no builder")
    targets = [target_call(ctx, panel, t) for t in panel.get("targets") or []]
    kwargs: dict[str, Any] = {}
    if kind != "logs":
        kwargs["unit"] = defaults.get("unit")
        steps = _steps(ctx, defaults)
        if steps:
            kwargs["steps"] = steps
    ds = panel.get("datasource")
    default_ds = builders.LOKI_DS if kind == "logs" else builders.PROMETHEUS_DS
    datasource = None if ds == default_ds else (ctx.datasource(ds) if ds else Name("None", None))
    if kind == "timeseries":
        custom = defaults.get("custom") or {}
        if defaults.get("min") != 0:
            kwargs["minimum"] = defaults.get("min")
        if "max" in defaults:
            kwargs["maximum"] = defaults["max"]
        if (custom.get("stacking") or {}).get("mode") == "normal":
            kwargs["stack"] = True
        calcs = ((panel.get("options") or {}).get("legend") or {}).get("calcs")
        if calcs is not None and calcs != DEFAULT_LEGEND_CALCS:
            kwargs["legend_calcs"] = list(calcs)
        args: list[Any] = [title, description, targets]
    elif kind == "stat":
        if len(targets) != 1:
            raise NoBuilder(f"a stat with {len(targets)} queries has no builder (stat() takes one)")
        for key, name in (("min", "minimum"), ("max", "maximum"), ("decimals", "decimals")):
            if key in defaults:
                kwargs[name] = defaults[key]
        options = panel.get("options") or {}
        if options.get("graphMode") == "none":
            kwargs["graph"] = False
        if "noValue" in defaults and defaults["noValue"] != "No data":
            kwargs["no_value"] = defaults["noValue"]
        args = [title, description, targets[0]]
    elif kind == "logs":
        if len(targets) != 1:
            raise NoBuilder(f"a logs panel with {len(targets)} queries has no builder (logs() takes one)")
        args = [title, description, targets[0]]
    else:
        args = [title, description, targets]
    if datasource is not None:
        kwargs["datasource"] = datasource
    return ctx.call("generator.authoring.panels", str(kind), getattr(builders, str(kind)), *args, **kwargs)


HOUSE_VARIABLES = (("prometheus_datasource", True), ("loki_datasource", True), ("job", True),
                   ("orchestration", True), ("activity", True), ("instance_id", False))


def house_variable_calls(ctx: Context) -> list[tuple[Call, Variable]]:
    """The shared variables of generator/authoring/variables.py, for matching."""
    calls = []
    for name, takes_config in HOUSE_VARIABLES:
        func = getattr(house_variables, name)
        call = Call(f"v.{name}", func, [ctx.c] if takes_config else [])
        calls.append((call, func(ctx.config) if takes_config else func()))
    return calls


def variable_call(ctx: Context, variable: dict[str, Any]) -> Call:
    """A generic Variable(...) call carrying what the Variable fields can say."""
    query = variable.get("query", "")
    if isinstance(query, dict):
        query = query.get("query", "")
    current = (variable.get("current") or {}).get("value", "")
    if isinstance(current, list):
        current = current[0] if current else ""
    kwargs: dict[str, Any] = {}
    if variable.get("description"):
        kwargs["description"] = variable["description"]
    if variable.get("multi"):
        kwargs["multi"] = True
    if variable.get("includeAll"):
        kwargs["include_all"] = True
    if variable.get("allValue"):
        kwargs["all_value"] = variable["allValue"]
    if isinstance(variable.get("datasource"), dict):
        kwargs["datasource"] = ctx.datasource(variable["datasource"])
    return ctx.call("generator.authoring.dashboard", "Variable", Variable, str(variable.get("name", "")),
                    str(variable.get("type", "query")), str(variable.get("label", "")), str(query),
                    str(current), **kwargs)
