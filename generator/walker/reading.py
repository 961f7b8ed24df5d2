"""Dashboard JSON read and shape-checked before any rule sees it: a file that is not UTF-8, nests
too deeply, or holds a list where Grafana expects an object becomes one line naming the file and
the JSON path, never a traceback deep inside a rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.errors import DashgenError

DEFAULT_GLOB = "observability/grafana/dashboards/*.json"


class DashboardShapeError(DashgenError):
    """A dashboard file is not JSON Grafana could load; the message names file and JSON path."""


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {dict: "an object", list: "a list", str: "a string"}.get(type(value), type(value).__name__)


def read_dashboard(path: Path) -> dict[str, Any]:
    """A dashboard from a file (classic JSON or the API's {"dashboard": ...} envelope), shape-checked."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DashgenError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DashgenError(f"{path}: is a directory, not a dashboard file") from None
    except OSError as exc:
        raise DashgenError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DashgenError(
            f"{path}: not UTF-8 (byte {raw[exc.start]:#04x} at offset {exc.start}); Grafana reads UTF-8 JSON: "
            f"convert it, for example `iconv -f latin1 -t utf-8`") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DashgenError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise DashgenError(f"{path}: JSON nested too deeply to be a dashboard") from None
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        data = data["dashboard"]
    if not isinstance(data, dict) or "panels" not in data and "title" not in data and "rows" not in data:
        raise DashgenError(f"{path}: not a Grafana dashboard (no title or panels)")
    check_shape(data, str(path))
    return data


def _need(value: Any, kinds: tuple[type, ...], where: str, file: str, wanted: str) -> None:
    if value is not None and (not isinstance(value, kinds) or isinstance(value, bool)):
        raise DashboardShapeError(f"{file}: {where}: expected {wanted}, got {_kind(value)}")


def _objects(value: Any, where: str, file: str, what: str) -> list[Any]:
    _need(value, (list,), where, file, f"a list of {what}")
    for index, item in enumerate(value or []):
        if not isinstance(item, dict):
            raise DashboardShapeError(f"{file}: {where}[{index}]: expected a {what[:-1]} object, got {_kind(item)}")
    return list(value or [])


def _panel(panel: dict[str, Any], where: str, file: str, depth: int) -> None:
    _need(panel.get("title"), (str,), f"{where}.title", file, "a string")
    _need(panel.get("datasource"), (dict, str), f"{where}.datasource", file, "an object or a string")
    _need(panel.get("fieldConfig"), (dict,), f"{where}.fieldConfig", file, "an object")
    _need((panel.get("fieldConfig") or {}).get("defaults"), (dict,), f"{where}.fieldConfig.defaults", file, "an object")
    _need(panel.get("yaxes"), (list,), f"{where}.yaxes", file, "a list")
    _need(panel.get("interval"), (str,), f"{where}.interval", file, "a string")
    for index, target in enumerate(_objects(panel.get("targets"), f"{where}.targets", file, "targets")):
        at = f"{where}.targets[{index}]"
        _need(target.get("expr"), (str,), f"{at}.expr", file, "a string")
        _need(target.get("refId"), (str,), f"{at}.refId", file, "a string")
        _need(target.get("datasource"), (dict, str), f"{at}.datasource", file, "an object or a string")
    nested = _objects(panel.get("panels"), f"{where}.panels", file, "panels")
    if nested and depth > 0:
        raise DashboardShapeError(f"{file}: {where}.panels: panels nest one level at most (inside a row); "
                                  "Grafana ignores deeper ones")
    for index, child in enumerate(nested):
        _panel(child, f"{where}.panels[{index}]", file, depth + 1)


def check_shape(data: dict[str, Any], file: str) -> None:
    """Raise DashboardShapeError at the first value whose type Grafana would not accept there."""
    _need(data.get("title"), (str,), "title", file, "a string")
    _need(data.get("uid"), (str,), "uid", file, "a string")
    for index, panel in enumerate(_objects(data.get("panels"), "panels", file, "panels")):
        _panel(panel, f"panels[{index}]", file, 0)
    for index, row in enumerate(_objects(data.get("rows"), "rows", file, "rows")):
        for inner, panel in enumerate(_objects(row.get("panels"), f"rows[{index}].panels", file, "panels")):
            _panel(panel, f"rows[{index}].panels[{inner}]", file, 1)
    templating = data.get("templating")
    _need(templating, (dict,), "templating", file, "an object")
    variables = _objects((templating or {}).get("list"), "templating.list", file, "variables")
    for index, variable in enumerate(variables):
        where = f"templating.list[{index}]"
        _need(variable.get("name"), (str,), f"{where}.name", file, "a string")
        _need(variable.get("current"), (dict,), f"{where}.current", file, "an object")
        _need(variable.get("datasource"), (dict, str), f"{where}.datasource", file, "an object or a string")


__all__ = ["DEFAULT_GLOB", "DashboardShapeError", "check_shape", "read_dashboard"]
