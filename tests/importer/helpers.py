"""Independent readings of an original dashboard (not the importer's code) for round-trip tests."""

from __future__ import annotations

import re
from typing import Any, Iterator

OLD_VARIABLE = re.compile(r"\[\[(\w+)(?::(\w+))?\]\]")
_SPACE = re.compile(r"\s+")


def expr_key(expr: str) -> str:
    """A query with whitespace removed and `[[var]]` read as `${var}` (the documented migration)."""
    expr = OLD_VARIABLE.sub(lambda m: "${" + m.group(1) + (":" + m.group(2) if m.group(2) else "") + "}", expr)
    return _SPACE.sub("", expr)


def original_panels(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Non-row panels in the order the original lists them; a rows layout's panels come after
    any top-level ones (Grafana's upgradeToGridLayout appends them to the panel list)."""
    for panel in data.get("panels") or []:
        if panel.get("type") != "row":
            yield panel
        yield from panel.get("panels") or []
    for row in data.get("rows") or []:
        yield from row.get("panels") or []


def compiled_panels(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in data.get("panels") or []:
        if panel.get("type") != "row":
            yield panel
        yield from panel.get("panels") or []


def unit_of(panel: dict[str, Any]) -> str | None:
    """The unit as the original states it: yaxes[0].format (graph), format (singlestat), or
    fieldConfig.defaults.unit."""
    if panel.get("type") == "graph":
        axes = panel.get("yaxes") or []
        return axes[0].get("format") if axes else None
    if panel.get("type") in ("singlestat", "grafana-singlestat-panel"):
        return panel.get("format")
    return ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit")


def threshold_values(panel: dict[str, Any]) -> list[float] | None:
    """Threshold values as the original states them (None where the type has none we compare)."""
    kind = panel.get("type")
    if kind in ("singlestat", "grafana-singlestat-panel"):
        raw = panel.get("thresholds") or ""
        items = raw.split(",") if isinstance(raw, str) else raw
        return [float(v) for v in items if str(v).strip()]
    if kind == "graph":
        return sorted(float(t["value"]) for t in panel.get("thresholds") or []
                      if t.get("value") is not None and t.get("op", "gt") == "gt")
    if kind == "table" and "styles" in panel or kind == "table-old":
        return None
    steps = (((panel.get("fieldConfig") or {}).get("defaults") or {}).get("thresholds") or {}).get("steps")
    if steps is None:
        return None
    return [float(s["value"]) for s in steps if s.get("value") is not None]


def compiled_threshold_values(panel: dict[str, Any]) -> list[float]:
    steps = (((panel.get("fieldConfig") or {}).get("defaults") or {}).get("thresholds") or {}).get("steps") or []
    return [float(s["value"]) for s in steps if s.get("value") is not None]
