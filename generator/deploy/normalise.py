"""Normalised dashboard JSON for comparison and diffs, and the content hash deploy stamps."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from generator.canonical import drop_nulls, dump_json

# Top-level key deploy writes into every dashboard it saves: the hash of the normalised content
# it deployed. Grafana's API keeps unknown top-level keys; a save from the UI rebuilds the model
# and drops it, which deploy also reads as "edited since the last deploy".
STAMP_KEY = "dashgenDeployHash"

# Keys Grafana owns or rewrites on every save: never a meaningful difference.
VOLATILE_KEYS = ("id", "version", "iteration", STAMP_KEY)


def _panel_key(panel: Any) -> tuple[int, int, int]:
    if not isinstance(panel, dict):
        return (0, 0, 0)
    grid = panel.get("gridPos") or {}
    return (int(grid.get("y", 0)), int(grid.get("x", 0)), int(panel.get("id") or 0))


def _sort_panels(panels: list[Any]) -> list[Any]:
    # Grafana lays panels out by gridPos, and a UI save re-sorts the array by it: array order
    # alone is not a change worth a write.
    ordered = sorted(panels, key=_panel_key)
    for panel in ordered:
        if isinstance(panel, dict) and isinstance(panel.get("panels"), list):
            panel["panels"] = _sort_panels(panel["panels"])
    return ordered


def normalise_dashboard(dashboard: dict[str, Any]) -> dict[str, Any]:
    """A copy without volatile keys and nulls, panels in layout order."""
    data = drop_nulls(copy.deepcopy(dashboard))
    for key in VOLATILE_KEYS:
        data.pop(key, None)
    if isinstance(data.get("panels"), list):
        data["panels"] = _sort_panels(data["panels"])
    result: dict[str, Any] = data
    return result


def canonical_text(data: Any) -> str:
    """Sorted, indented JSON text: what hashes and diffs are computed over."""
    return dump_json(data)


def content_hash(dashboard: dict[str, Any]) -> str:
    """`sha256:<hex>` of the normalised dashboard; equal for equal content on every machine."""
    digest = hashlib.sha256(canonical_text(normalise_dashboard(dashboard)).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"


def stamped(dashboard: dict[str, Any], digest: str, version: int | None) -> dict[str, Any]:
    """The dashboard deploy sends: compiled JSON, id null, the live version (None to create), stamp."""
    body = {k: v for k, v in dashboard.items() if k not in ("id", "version")}
    body["id"] = None
    if version is not None:
        # Grafana's optimistic lock: a save in between our read and this write gets a 412.
        body["version"] = version
    body[STAMP_KEY] = digest
    return body
