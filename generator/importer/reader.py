"""Read a file given to `dashgen import` and make sure it is a Grafana dashboard."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from generator.errors import ImportFailure


def read(path: Path) -> dict[str, Any]:
    """Classic dashboard JSON, or the API's {"dashboard": {...}} envelope; ImportFailure naming
    the file for anything else."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportFailure(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailure(f"{path}: cannot be read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailure(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        data = data["dashboard"]
    if not isinstance(data, dict):
        raise ImportFailure(f"{path}: not a Grafana dashboard (the JSON is a {type(data).__name__}, not an object)")
    if "spec" in data and "apiVersion" in data:
        raise ImportFailure(f"{path}: a v2 (schema v2 / Kubernetes-style) dashboard; only classic JSON is imported")
    panels, rows = data.get("panels"), data.get("rows")
    if not isinstance(panels, list) and not isinstance(rows, list):
        raise ImportFailure(f"{path}: not a Grafana dashboard (no panels or rows list)")
    for where, items in (("panels", panels), ("rows", rows)):
        if items is not None and (not isinstance(items, list) or not all(isinstance(i, dict) for i in items)):
            raise ImportFailure(f"{path}: not a Grafana dashboard ({where} is not a list of objects)")
    for row in rows or []:
        if not isinstance(row.get("panels", []), list):
            raise ImportFailure(f"{path}: row {row.get('title', '?')!r}: panels is not a list")
    return data


def module_name(data: dict[str, Any], path: Path, taken: set[str]) -> str:
    """A snake_case module name from the title (else uid, else file name), unique in `taken`."""
    for candidate in (data.get("title"), data.get("uid"), path.stem):
        stem = re.sub(r"[^0-9a-zA-Z]+", "_", str(candidate or "")).strip("_").lower()
        if stem:
            break
    else:
        stem = "imported"
    if stem[0].isdigit():
        stem = f"d_{stem}"
    name, n = stem, 2
    while name in taken:
        name, n = f"{stem}_{n}", n + 1
    taken.add(name)
    return name
