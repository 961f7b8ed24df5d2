"""The one escape hatch: Grafana JSON the builders cannot express, carried over as it is.

`verbatim({...})` is merged over what a builder compiles to (a panel, a target, a variable, a
row header or the whole dashboard): dictionaries merge key by key, any other value replaces,
and `None` removes a key the builder would write. `raw_panel({...})` is a whole panel the
builders have no call for (a heatmap, a plugin panel, a library panel reference); it is
compiled as written, only its `id` and `gridPos` come from the layout. Imported dashboards use
both and list every use at the top of their module, so nothing is carried over unseen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from generator.authoring.panels import Cell


@dataclass(frozen=True)
class Verbatim:
    """JSON merged over compiled output; a None value deletes that key."""

    data: Mapping[str, Any]


def verbatim(data: Mapping[str, Any]) -> Verbatim:
    return Verbatim(dict(data))


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars), several times faster than
    copy.deepcopy, which matters for 300-panel imports."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


@dataclass(frozen=True)
class RawPanel:
    """A panel kept as JSON (no builder expresses it)."""

    json: Mapping[str, Any]

    @property
    def title(self) -> str:
        return str(self.json.get("title") or "")


def raw_panel(json: Mapping[str, Any], *, width: int | None = None, height: int | None = None,
              extra: Verbatim | None = None, measures: Any = "", no_truth: str = "") -> Cell:
    """A whole panel as Grafana JSON; `width`/`height` feed the automatic layout; `measures` /
    `no_truth` as for every panel (what `dashgen check` compares it with, or why nothing)."""
    return Cell(RawPanel(dict(json)), width, height, measures, no_truth=no_truth, extra=extra)


def merge(base: Any, patch: Verbatim | Mapping[str, Any] | None) -> Any:
    """`base` with `patch` merged over it (see the module docstring). Neither is changed; the
    result shares the patch's values (the compiler copies its output once, at the end)."""
    if patch is None:
        return base
    data = patch.data if isinstance(patch, Verbatim) else patch
    if not isinstance(base, dict):
        return dict(data)
    out = dict(base)
    for key, value in data.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def difference(wanted: Mapping[str, Any], built: Mapping[str, Any], remove: bool = True) -> dict[str, Any]:
    """The smallest patch with merge(built, patch) == wanted (neither may contain None).

    With remove=False, keys only `built` has are left alone: the patch then carries what
    `wanted` says and lets the builder's values stand where `wanted` says nothing."""
    patch: dict[str, Any] = {}
    for key, value in wanted.items():
        if key not in built:
            patch[key] = copy_json(value)
        elif built[key] == value or not remove and covers(value, built[key]):
            continue
        elif isinstance(value, dict) and isinstance(built[key], dict):
            patch[key] = difference(value, built[key], remove)
        else:
            patch[key] = copy_json(value)
    for key in built:
        if remove and key not in wanted:
            patch[key] = None
    return {k: v for k, v in patch.items() if v != {} or k not in built}


def covers(wanted: Any, built: Any) -> bool:
    """Whether `built` says everything `wanted` says (it may say more)."""
    if isinstance(wanted, dict) and isinstance(built, dict):
        return all(k in built and covers(v, built[k]) for k, v in wanted.items())
    if isinstance(wanted, list) and isinstance(built, list):
        return len(wanted) == len(built) and all(covers(w, b) for w, b in zip(wanted, built))
    return bool(wanted == built)
