"""Semantic diff of two versions of one dashboard: panels by identity, fields by meaning."""

from __future__ import annotations

from typing import Any

from generator.review import panels as panel_match
from generator.review.model import Change, ItemDiff
from generator.review.panels import PanelRef
from generator.review.values import dig, leaves, show, without
from generator.review.words import word_diff

# Keys checked by name below; anything else that differs is still reported as "other setting".
PANEL_EXPLICIT = ("id", "gridPos", "title", "type", "description", "datasource", "targets", "panels",
                  "fieldConfig.defaults.unit", "fieldConfig.defaults.thresholds", "fieldConfig.defaults.min",
                  "fieldConfig.defaults.max", "options.legend")
DASHBOARD_EXPLICIT = ("id", "version", "iteration", "dashgenDeployHash", "uid", "panels", "rows", "title",
                      "description", "templating", "links")
FIELDS = (("unit", "unit-changed"), ("min", "min-max-changed"), ("max", "min-max-changed"))


def _thresholds(value: Any) -> str:
    if not isinstance(value, dict):
        return "(none)"
    steps = []
    for step in value.get("steps") or []:
        if isinstance(step, dict):
            at = step.get("value")
            steps.append(str(step.get("color")) + ("" if at is None else f" ≥ {at:g}" if isinstance(at, (int, float))
                                                  else f" ≥ {at}"))
    mode = value.get("mode", "absolute")
    return ", ".join(steps) + ("" if mode == "absolute" else f" ({mode})")


def _datasource(value: Any) -> str:
    if isinstance(value, dict):
        return f"{value.get('type', '?')}:{value.get('uid', '?')}"
    return show(value)


def _legend(panel: dict[str, Any]) -> dict[str, Any]:
    formats = {str(t.get("refId")): t.get("legendFormat") for t in panel.get("targets") or []
               if isinstance(t, dict) and t.get("legendFormat") is not None}
    return {"options": dig(panel, "options.legend"), "legendFormat": formats}


def _targets(panel: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for index, target in enumerate(t for t in panel.get("targets") or [] if isinstance(t, dict)):
        out[str(target.get("refId") or f"#{index + 1}")] = target
    return out


def _expr(target: dict[str, Any]) -> str:
    return str(target.get("expr") or target.get("query") or target.get("rawSql") or "")


def _sans_layout(panel: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in panel.items() if k not in ("id", "gridPos", "panels")}


def _panel_changes(old: PanelRef, new: PanelRef) -> list[Change]:
    a, b, name = old.panel, new.panel, old.name
    changes: list[Change] = []
    if _sans_layout(a) == _sans_layout(b):
        return changes
    if old.title != new.title:
        changes.append(Change("panel-retitled", name, f"retitled {show(old.title)} → {show(new.title)}",
                              old.title, new.title))
    if old.type != new.type:
        changes.append(Change("panel-type-changed", name, f"type {old.type} → {new.type}", old.type, new.type))
    if a.get("description") != b.get("description"):
        changes.append(Change("description-changed", name, "description changed",
                              a.get("description"), b.get("description")))
    if a.get("datasource") != b.get("datasource"):
        changes.append(Change("datasource-changed", name, f"data source {_datasource(a.get('datasource'))} → "
                              f"{_datasource(b.get('datasource'))}", a.get("datasource"), b.get("datasource")))
    for key, kind in FIELDS:
        before, after = dig(a, f"fieldConfig.defaults.{key}"), dig(b, f"fieldConfig.defaults.{key}")
        if before != after:
            changes.append(Change(kind, name, f"{key} {show(before)} → {show(after)}", before, after))
    before, after = dig(a, "fieldConfig.defaults.thresholds"), dig(b, "fieldConfig.defaults.thresholds")
    if before != after:
        changes.append(Change("threshold-changed", name, f"thresholds {_thresholds(before)} → {_thresholds(after)}",
                              before, after))
    if _legend(a) != _legend(b):
        details = [f"{p} {show(x)} → {show(y)}" for p, x, y in leaves(_legend(a), _legend(b))]
        changes.append(Change("legend-changed", name, "legend: " + "; ".join(details), _legend(a), _legend(b)))
    changes += _target_changes(name, _targets(a), _targets(b))
    rest = list(leaves(without(a, *PANEL_EXPLICIT), without(b, *PANEL_EXPLICIT)))
    if rest:
        details = "; ".join(f"{p} {show(x)} → {show(y)}" for p, x, y in rest)
        changes.append(Change("settings-changed", name, details))
    return changes


def _target_changes(name: str, old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[Change]:
    changes: list[Change] = []
    for ref in sorted(set(old) | set(new)):
        a, b = old.get(ref), new.get(ref)
        if a is None and b is not None:
            changes.append(Change("query-added", f"{name} / {ref}", f"query {ref} added: {_expr(b)}", None, _expr(b)))
        elif b is None and a is not None:
            changes.append(Change("query-removed", f"{name} / {ref}", f"query {ref} removed: {_expr(a)}",
                                  _expr(a), None))
        elif a is not None and b is not None:
            if _expr(a) != _expr(b):
                words = word_diff(_expr(a), _expr(b))
                changes.append(Change("query-changed", f"{name} / {ref}", f"query {ref}: {words}",
                                      _expr(a), _expr(b), words))
            skip = ("expr", "query", "rawSql", "legendFormat", "datasource")
            rest = list(leaves(without(a, *skip), without(b, *skip)))
            if a.get("datasource") != b.get("datasource"):
                changes.append(Change("datasource-changed", f"{name} / {ref}",
                                      f"query {ref} data source {_datasource(a.get('datasource'))} → "
                                      f"{_datasource(b.get('datasource'))}"))
            if rest:
                changes.append(Change("settings-changed", f"{name} / {ref}", f"query {ref}: " + "; ".join(
                    f"{p} {show(x)} → {show(y)}" for p, x, y in rest)))
    return changes


def _by_name(items: Any, key: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(i for i in items or [] if isinstance(i, dict)):
        out.setdefault(str(item.get(key) or f"#{index + 1}"), item)
    return out


def _variable_changes(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    old = _by_name(dig(a, "templating.list"), "name")
    new = _by_name(dig(b, "templating.list"), "name")
    changes: list[Change] = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            changes.append(Change("variable-removed", f"${name}", f"variable ${name} removed"))
        elif name not in old:
            changes.append(Change("variable-added", f"${name}", f"variable ${name} added ({new[name].get('type')}: "
                                  f"{show(new[name].get('query'))})"))
        elif old[name] != new[name]:
            details = "; ".join(f"{p} {show(x)} → {show(y)}" for p, x, y in leaves(old[name], new[name]))
            changes.append(Change("variable-changed", f"${name}", f"variable ${name}: {details}"))
    return changes


def _link_changes(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    old, new = _by_name(a.get("links"), "title"), _by_name(b.get("links"), "title")
    changes: list[Change] = []
    for title in sorted(set(old) | set(new)):
        if old.get(title) != new.get(title):
            word = "added" if title not in old else "removed" if title not in new else "changed"
            changes.append(Change("link-changed", f"link {title}", f"link {show(title)} {word}"))
    return changes


def diff_dashboard(uid: str, before: dict[str, Any], after: dict[str, Any], path: str = "") -> ItemDiff | None:
    """The changes from before to after, or None when they mean the same dashboard."""
    item = ItemDiff("dashboard", uid, str(after.get("title") or uid), "changed", path=path)
    if before.get("title") != after.get("title"):
        item.old_title = str(before.get("title") or "")
        item.changes.append(Change("dashboard-retitled", "dashboard",
                                   f"retitled {show(before.get('title'))} → {show(after.get('title'))}",
                                   before.get("title"), after.get("title")))
    if before.get("description") != after.get("description"):
        item.changes.append(Change("description-changed", "dashboard", "dashboard description changed",
                                   before.get("description"), after.get("description")))
    item.changes += _variable_changes(before, after)
    item.changes += _link_changes(before, after)
    rest = list(leaves(without(before, *DASHBOARD_EXPLICIT), without(after, *DASHBOARD_EXPLICIT)))
    if rest:
        item.changes.append(Change("settings-changed", "dashboard",
                                   "; ".join(f"{p} {show(x)} → {show(y)}" for p, x, y in rest)))
    pairs, removed, added = panel_match.match(panel_match.flatten(before), panel_match.flatten(after))
    for ref in removed:
        item.changes.append(Change("panel-removed", ref.name,
                                   f"{ref.type} panel {show(ref.title)} removed" + (f" (row {ref.row})" if ref.row else "")))
    for ref in added:
        item.changes.append(Change("panel-added", ref.name,
                                   f"{ref.type} panel {show(ref.title)} added" + (f" (row {ref.row})" if ref.row else "")))
    moved = panel_match.moved(pairs)
    rows = {o.title: n.title for o, n in pairs if o.type == "row"}
    for old, new in sorted(pairs, key=lambda p: p[1].order):
        item.changes += _panel_changes(old, new)
    for index, (old, new) in sorted(enumerate(pairs), key=lambda ip: ip[1][1].order):
        notes = []
        if index in moved:
            target_row = new.row if rows.get(old.row, old.row) != new.row else ""
            notes.append(f"{new.name} moved" + (f" to row {show(target_row)}" if target_row else ""))
        g, h = old.grid, new.grid
        if (g["w"], g["h"]) != (h["w"], h["h"]):
            notes.append(f"{new.name} resized {g['w']}x{g['h']} → {h['w']}x{h['h']}")
        item.layout += notes
    if not item.changes and not item.layout:
        return None
    return item
