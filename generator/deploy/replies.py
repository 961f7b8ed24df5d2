"""Shape checks for Grafana's 2xx answers: a proxy, a wrong GRAFANA_URL or a hostile server can
answer 200 with JSON of any shape, which must become one line naming the request, not a traceback."""

from __future__ import annotations

from typing import Any

from generator.deploy.errors import GrafanaMalformedReply

_HINT = "is GRAFANA_URL the Grafana root, with no proxy rewriting answers?"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


def _fail(where: str, wanted: str, got: str) -> GrafanaMalformedReply:
    return GrafanaMalformedReply(f"Grafana answered {where} with {got} where {wanted} was expected ({_HINT})")


def obj(data: Any, where: str, wanted: str = "an object") -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _fail(where, wanted, _kind(data))
    return data


def field_of(data: dict[str, Any], key: str, kinds: tuple[type, ...], wanted: str, where: str) -> None:
    value = data.get(key)
    if value is not None and (not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds):
        raise _fail(where, f"{wanted} `{key}`", f"{_kind(value)} `{key}`")


def version(data: dict[str, Any], key: str, where: str) -> None:
    value = data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise _fail(where, f"an integer `{key}`", f"{_kind(value)} `{key}`")


def dashboard(data: Any, where: str) -> dict[str, Any]:
    """GET /api/dashboards/uid/:uid: {dashboard: {...}, meta: {...}}."""
    reply = obj(data, where, "an object with `dashboard` and `meta`")
    inner = obj(reply.get("dashboard"), where, "a `dashboard` object")
    meta = reply.get("meta")
    if meta is not None:
        obj(meta, where, "a `meta` object")
        version(meta, "version", where)
        for key in ("folderUid", "updatedBy", "updated"):
            field_of(meta, key, (str,), "a string", where)
    version(inner, "version", where)
    return reply


def folder(data: Any, where: str) -> dict[str, Any]:
    reply = obj(data, where, "a folder object")
    version(reply, "version", where)
    return reply


def hits(data: Any, where: str) -> list[dict[str, Any]]:
    """GET /api/search: a list of objects, each with a non-empty string uid."""
    if not isinstance(data, list):
        raise _fail(where, "a list of search hits", _kind(data))
    for index, hit in enumerate(data):
        if not isinstance(hit, dict):
            raise _fail(where, "search hits that are objects", f"{_kind(hit)} at hit {index}")
        if not isinstance(hit.get("uid"), str) or not hit["uid"]:
            raise _fail(where, "a uid on every search hit", f"hit {index} without a uid")
        field_of(hit, "tags", (list,), "a list", where)
        for key in ("title", "folderUid"):
            field_of(hit, key, (str,), "a string", where)
    return data


def objects(data: Any, where: str, wanted: str) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise _fail(where, f"a list of {wanted}", _kind(data) if not isinstance(data, list) else "a list of other values")
    for item in data:
        field_of(item, "settings", (dict,), "an object", where)
    return data


def rule_group(data: Any, where: str) -> dict[str, Any]:
    reply = obj(data, where, "a rule group object")
    rules = reply.get("rules")
    if rules is not None:
        objects(rules, where, "rules")
    return reply
