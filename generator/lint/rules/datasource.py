"""panel/datasource: panels and targets reference a provisioned data source as {type, uid}."""

from __future__ import annotations

import re
from typing import Any, Iterable

from generator.lint.model import BaseRule, PanelCtx
from generator.problems import Problem

VARIABLE = re.compile(r"^\$\{?(\w+)\}?$")


class Datasource(BaseRule):
    id = "panel/datasource"
    description = "Data source references are {type, uid} objects naming a provisioned data source."

    def check_panel(self, ctx: PanelCtx) -> Iterable[Problem]:
        if ctx.panel.get("type") in ("row", "text"):
            return
        refs = [("panel", ctx.panel.get("datasource"))]
        refs += [(f"target {t.get('refId', '?')}", t.get("datasource")) for t in ctx.panel.get("targets") or []]
        for where, ref in refs:
            message = self._problem(ctx, ref)
            if message:
                yield self.at_panel(ctx, f"{where}: {message}")

    def _problem(self, ctx: PanelCtx, ref: Any) -> str | None:
        config = ctx.dashboard.config
        provisioned = {config.prometheus_uid, config.loki_uid, "-- Grafana --", "__expr__"}
        if ref is None:
            return None  # Grafana uses the default data source, which is provisioned
        if isinstance(ref, str):
            return f"data source is the legacy string {ref!r}; use {{\"type\", \"uid\"}}"
        uid = str(ref.get("uid", ""))
        if not ref.get("type"):
            return f"data source {uid!r} has no type"
        match = VARIABLE.match(uid)
        if match:
            variable = next((v for v in ctx.dashboard.variables() if v.get("name") == match.group(1)), None)
            if variable is None or variable.get("type") != "datasource":
                return f"data source {uid!r} names no data source variable"
            uid = str((variable.get("current") or {}).get("value", ""))
        if uid not in provisioned:
            return f"data source uid {uid!r} is not provisioned (provisioned: {config.prometheus_uid}, {config.loki_uid})"
        return None


RULE = Datasource()
