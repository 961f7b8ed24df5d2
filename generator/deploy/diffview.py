"""`dashgen diff` output: per managed resource, a unified diff of normalised live vs compiled JSON,
or one word when there is nothing to show. Contact point settings are never printed (secrets)."""

from __future__ import annotations

import difflib
from typing import Any, Iterator

from generator.deploy.artifacts import live_note, unified_diff
from generator.deploy.normalise import canonical_text
from generator.deploy.plan import Action, Kind, Plan, Resource

_WORDS = {Kind.CREATE: "new", Kind.UNCHANGED: "unchanged", Kind.DELETE: "would delete",
          Kind.STALE: "would delete (with --prune)"}


def _json_diff(key: str, live: Any, desired: Any) -> str:
    before = canonical_text(live).splitlines(keepends=True)
    after = canonical_text(desired).splitlines(keepends=True)
    return "".join(difflib.unified_diff(before, after, fromfile=f"live/{key}", tofile=f"compiled/{key}"))


def _changed_body(action: Action) -> str:
    if action.resource is Resource.DASHBOARD:
        note = live_note(action.live_version, action.updated_by, action.updated)
        return unified_diff(action.key, (action.live or {}).get("dashboard") or {}, action.desired, note)
    if action.comparable is None:
        return ""
    desired, live = action.comparable
    if action.resource is Resource.CONTACT_POINT:
        # Settings may hold secrets (expanded from the environment): name the keys, never values.
        keys = sorted(k for k in set(live) | set(desired) if live.get(k) != desired.get(k))
        wanted, found = desired.get("settings", {}), live.get("settings", {})
        settings = sorted(k for k in set(wanted) | set(found) if wanted.get(k) != found.get(k))
        return f"  differs in: {', '.join(keys)}" + (f" (settings: {', '.join(settings)})" if settings else "") + "\n"
    return _json_diff(action.key, live, desired)


def render(plan: Plan) -> Iterator[str]:
    """Text blocks, one per resource, in plan order; read-only by construction."""
    for ds in plan.missing_datasources:
        yield f"missing    datasource    {ds.uid:<32} {ds.name}  (deploy stops until it exists)\n"
    for action in plan.actions:
        head = f"{action.resource.value:<13} {action.key:<32} {action.title}"
        if action.kind in _WORDS:
            yield f"{_WORDS[action.kind]:<10} {head}\n"
            continue
        word = {Kind.UPDATE: "changed", Kind.DRIFTED: "drifted", Kind.BLOCKED: "blocked"}[action.kind]
        extra = f"  ({action.reason})" if action.reason else ""
        if action.kind is Kind.DRIFTED:
            extra = f"  (deploy refuses without --force: {action.reason})"
        body = _changed_body(action) if action.resource is not Resource.FOLDER else ""
        yield f"{word:<10} {head}{extra}\n{body}"
