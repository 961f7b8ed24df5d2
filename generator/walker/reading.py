"""Reading a dashboard from a file: classic JSON or the API's {"dashboard": {...}} envelope."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.errors import DashgenError

DEFAULT_GLOB = "observability/grafana/dashboards/*.json"


def read_dashboard(path: Path) -> dict[str, Any]:
    """A dashboard from a file: classic JSON, or the API's {"dashboard": {...}} envelope."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DashgenError(f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise DashgenError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        data = data["dashboard"]
    if not isinstance(data, dict) or "panels" not in data and "title" not in data:
        raise DashgenError(f"{path}: not a Grafana dashboard (no title or panels)")
    return data
