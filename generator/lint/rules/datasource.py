"""panel/datasource: panels and targets reference a provisioned data source as {type, uid}; with
--portable, references are only checked for being well formed and resolvable."""

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
        refs += [(f"target {t.get('refId') or f'targets[{i}]'}", t.get("datasource"))
                 for i, t in enumerate(ctx.panel.get("targets") or [])]
        check = self._portable_problem if ctx.dashboard.portable else self._problem
        for where, ref in refs:
            message = check(ctx, ref)
            if message:
                yield self.at_panel(ctx, f"{where}: {message}")

    def _portable_problem(self, ctx: PanelCtx, ref: Any) -> str | None:
        """Well formed (null, a name, or an object with a string uid or type) and, when it names
        a variable, resolvable to a data source variable. Which uids exist is not knowable offline."""
        if ref is None or (isinstance(ref, str) and ref.strip()):
            uid = ref
        elif isinstance(ref, dict):
            uid = ref.get("uid")
            if uid is not None and not isinstance(uid, str):
                return f"data source uid {uid!r} is not a string"
            if not uid and not ref.get("type"):
                return "data source object has neither uid nor type"
        else:
            return f"data source {ref!r} is neither an object nor a name"
        match = VARIABLE.match(str(uid or "").strip())
        if match and match.group(1) not in ("__all",):
            variable = {str(v.get("name")): v for v in ctx.dashboard.variables()}.get(match.group(1))
            variable = ctx.dashboard.datasource_variables().get(match.group(1), variable)
            if variable is None:
                return f"data source {uid!r} names no variable the dashboard defines"
            if variable.get("type") != "datasource":
                return f"data source {uid!r} names a {variable.get('type') or 'untyped'} variable, not a data source one"
        return None

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
