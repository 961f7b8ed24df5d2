"""Panels by a stable identity: (row, type, title), falling back to the queries they run.

Array positions and panel ids shift when a panel is inserted, so neither is used: inserting a
panel at the top pairs every other panel with itself, and swapping two panels is a move.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from generator.review.words import similarity

# Below this token similarity two unmatched panels are an add and a remove, not one changed panel.
MIN_QUERY_SIMILARITY = 0.6


@dataclass(frozen=True)
class PanelRef:
    """One panel with the row it sits in and its place in the layout."""

    row: str
    panel: dict[str, Any]
    order: int  # reading order (y, then x) among the dashboard's panels

    @property
    def title(self) -> str:
        return str(self.panel.get("title") or "")

    @property
    def type(self) -> str:
        return str(self.panel.get("type") or "")

    @property
    def queries(self) -> str:
        return "\n".join(_target_text(t) for t in self.panel.get("targets") or [] if isinstance(t, dict))

    @property
    def grid(self) -> dict[str, int]:
        grid = self.panel.get("gridPos") or {}
        return {k: int(grid.get(k, 0) or 0) for k in ("x", "y", "w", "h")}

    @property
    def name(self) -> str:
        """How the report names the panel: its title, or its type and place when untitled."""
        return self.title or f"untitled {self.type} #{self.order + 1}"


def _target_text(target: dict[str, Any]) -> str:
    return str(target.get("expr") or target.get("query") or target.get("rawSql") or "")


def _grid_key(panel: Any) -> tuple[int, int]:
    grid = panel.get("gridPos") or {} if isinstance(panel, dict) else {}
    return (int(grid.get("y", 0) or 0), int(grid.get("x", 0) or 0))


def flatten(dashboard: dict[str, Any]) -> list[PanelRef]:
    """Every panel in reading order, rows included, each with the title of the row it is in.

    Open rows own the panels below them up to the next row; collapsed rows carry theirs in
    `panels`. The legacy `rows` layout of old dashboards is read too.
    """
    row = ""
    panels = [p for p in dashboard.get("panels") or [] if isinstance(p, dict)]
    if not panels and isinstance(dashboard.get("rows"), list):
        refs: list[PanelRef] = []
        for legacy in dashboard["rows"]:
            if isinstance(legacy, dict):
                for panel in legacy.get("panels") or []:
                    if isinstance(panel, dict):
                        refs.append(PanelRef(str(legacy.get("title") or ""), panel, len(refs)))
        return refs
    refs = []
    for panel in sorted(panels, key=_grid_key):
        if panel.get("type") == "row":
            row = str(panel.get("title") or "")
            refs.append(PanelRef("", panel, len(refs)))
            for inner in sorted((p for p in panel.get("panels") or [] if isinstance(p, dict)), key=_grid_key):
                refs.append(PanelRef(row, inner, len(refs)))
            continue
        refs.append(PanelRef(row, panel, len(refs)))
    return refs


def _pair_by(key: Any, olds: list[PanelRef], news: list[PanelRef],
             pairs: list[tuple[PanelRef, PanelRef]]) -> None:
    """Pair equal keys first-come (duplicates pair in reading order); paired panels leave the lists."""
    waiting: dict[Any, list[PanelRef]] = {}
    for ref in news:
        if key(ref) is not None:
            waiting.setdefault(key(ref), []).append(ref)
    for old in list(olds):
        bucket = waiting.get(key(old)) if key(old) is not None else None
        if bucket:
            new = bucket.pop(0)
            pairs.append((old, new))
            olds.remove(old)
            news.remove(new)


def match(before: Iterable[PanelRef], after: Iterable[PanelRef]) -> tuple[
        list[tuple[PanelRef, PanelRef]], list[PanelRef], list[PanelRef]]:
    """(matched pairs, removed, added): by row+type+title, type+title, title, then by query."""
    olds, news = list(before), list(after)
    pairs: list[tuple[PanelRef, PanelRef]] = []
    _pair_by(lambda r: (r.row, r.type, r.title), olds, news, pairs)
    _pair_by(lambda r: (r.type, r.title), olds, news, pairs)
    _pair_by(lambda r: r.title if r.type != "row" else None, olds, news, pairs)
    # Retitled panels: the same queries (or nearly) under a new title.
    scored = sorted(((similarity(o.queries, n.queries) + (0.01 if o.type == n.type else 0), i, j)
                     for i, o in enumerate(olds) for j, n in enumerate(news)
                     if o.type != "row" and n.type != "row" and o.queries and n.queries), reverse=True)
    used_old: set[int] = set()
    used_new: set[int] = set()
    for score, i, j in scored:
        if score < MIN_QUERY_SIMILARITY:
            break
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((olds[i], news[j]))
    removed = [o for i, o in enumerate(olds) if i not in used_old]
    added = [n for j, n in enumerate(news) if j not in used_new]
    return pairs, removed, added


def moved(pairs: list[tuple[PanelRef, PanelRef]]) -> set[int]:
    """Indexes of pairs whose panel moved: another row, another column, or out of reading order.

    Reading order is compared by the longest common subsequence, so a panel inserted above
    shifts nothing and a swap of two panels counts as a move.
    """
    rows = {o.title: n.title for o, n in pairs if o.type == "row"}
    result = {i for i, (o, n) in enumerate(pairs)
              if rows.get(o.row, o.row) != n.row or o.grid["x"] != n.grid["x"]}
    old_order = sorted(range(len(pairs)), key=lambda i: pairs[i][0].order)
    new_rank = {i: rank for rank, i in enumerate(sorted(range(len(pairs)), key=lambda i: pairs[i][1].order))}
    sequence = [new_rank[i] for i in old_order]
    keep = set(_lis(sequence))
    result |= {old_order[k] for k in range(len(sequence)) if k not in keep}
    return result


def _lis(sequence: list[int]) -> list[int]:
    """Positions of one longest increasing subsequence (patience sorting, O(n log n))."""
    import bisect
    tails: list[int] = []
    tail_pos: list[int] = []
    parent = [-1] * len(sequence)
    for pos, value in enumerate(sequence):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_pos.append(pos)
        else:
            tails[k] = value
            tail_pos[k] = pos
        parent[pos] = tail_pos[k - 1] if k else -1
    out: list[int] = []
    pos = tail_pos[-1] if tail_pos else -1
    while pos >= 0:
        out.append(pos)
        pos = parent[pos]
    return out[::-1]
