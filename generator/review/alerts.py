"""Semantic diff of alert rules (by uid), contact points (by name) and the notification policy tree.

Contact point settings may hold secrets once expanded: only the names of changed settings are
reported, never their values.
"""

from __future__ import annotations

from typing import Any

from generator.parsers.literals import format_duration, parse_duration
from generator.review.model import Change, ItemDiff
from generator.review.values import leaves, show, without
from generator.review.words import word_diff

RULE_EXPLICIT = ("uid", "title", "data", "for", "labels", "annotations")
OPERATORS = {"gt": ">", "lt": "<", "within_range": "within", "outside_range": "outside", "eq": "=", "ne": "!=",
             "gte": ">=", "lte": "<="}


def seconds(value: Any) -> float:
    """`for` as seconds: provisioning files say "5m", Grafana's API may say 300."""
    if isinstance(value, (int, float)):
        return float(value)
    return float(parse_duration(str(value or "0s").strip() or "0s"))


def _duration(value: Any) -> str:
    return format_duration(seconds(value))


def _queries(rule: dict[str, Any]) -> dict[str, str]:
    """refId -> expression of every data query and math expression (not reduce/threshold)."""
    out: dict[str, str] = {}
    for entry in rule.get("data") or []:
        model = entry.get("model") or {} if isinstance(entry, dict) else {}
        ref = str(entry.get("refId") or model.get("refId") or "?")
        if entry.get("datasourceUid") != "__expr__":
            out[ref] = str(model.get("expr") or model.get("query") or "")
        elif model.get("type") == "math":
            out[ref] = str(model.get("expression") or "")
    return out


def _thresholds(rule: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in rule.get("data") or []:
        model = entry.get("model") or {} if isinstance(entry, dict) else {}
        if model.get("type") in ("threshold", "classic_conditions"):
            parts = []
            for condition in model.get("conditions") or []:
                evaluator = condition.get("evaluator") or {}
                params = " ".join(f"{p:g}" if isinstance(p, (int, float)) else str(p)
                                  for p in evaluator.get("params") or [])
                parts.append(f"{OPERATORS.get(evaluator.get('type'), evaluator.get('type'))} {params}")
            out[str(entry.get("refId"))] = ", ".join(parts)
    return out


def _rest(rule: dict[str, Any]) -> dict[str, Any]:
    """The data chain without the query texts and thresholds (reported on their own)."""
    data = []
    for entry in rule.get("data") or []:
        model = dict(entry.get("model") or {})
        for key in ("expr", "query", "conditions"):
            model.pop(key, None)
        if model.get("type") == "math":
            model.pop("expression", None)
        data.append({**{k: v for k, v in entry.items() if k != "model"}, "model": model})
    return {**without(rule, *RULE_EXPLICIT), "data": data}


def diff_rule(uid: str, before: dict[str, Any], after: dict[str, Any]) -> ItemDiff | None:
    item = ItemDiff("alert-rule", uid, str(after.get("title") or uid), "changed")
    name = item.title
    changes = item.changes
    if before.get("title") != after.get("title"):
        item.old_title = str(before.get("title") or "")
        changes.append(Change("rule-retitled", name, f"retitled {show(before.get('title'))} → {show(name)}"))
    old_q, new_q = _queries(before), _queries(after)
    for ref in sorted(set(old_q) | set(new_q)):
        if old_q.get(ref) != new_q.get(ref):
            words = word_diff(old_q.get(ref, ""), new_q.get(ref, ""))
            changes.append(Change("rule-expression-changed", f"{name} / {ref}", f"expression {ref}: {words}",
                                  old_q.get(ref), new_q.get(ref), words))
    old_t, new_t = _thresholds(before), _thresholds(after)
    for ref in sorted(set(old_t) | set(new_t)):
        if old_t.get(ref) != new_t.get(ref):
            changes.append(Change("rule-threshold-changed", name,
                                  f"threshold {old_t.get(ref, '(none)')} → {new_t.get(ref, '(none)')}",
                                  old_t.get(ref), new_t.get(ref)))
    if seconds(before.get("for")) != seconds(after.get("for")):
        changes.append(Change("rule-for-changed", name,
                              f"for {_duration(before.get('for'))} → {_duration(after.get('for'))}",
                              _duration(before.get("for")), _duration(after.get("for"))))
    old_l, new_l = before.get("labels") or {}, after.get("labels") or {}
    for key in sorted(set(old_l) | set(new_l)):
        if old_l.get(key) != new_l.get(key):
            kind = "rule-severity-changed" if key == "severity" else "rule-label-changed"
            changes.append(Change(kind, name, f"{key} {show(old_l.get(key))} → {show(new_l.get(key))}",
                                  old_l.get(key), new_l.get(key)))
    old_a, new_a = before.get("annotations") or {}, after.get("annotations") or {}
    for key in sorted(set(old_a) | set(new_a)):
        if old_a.get(key) != new_a.get(key):
            words = word_diff(str(old_a.get(key) or ""), str(new_a.get(key) or ""))
            changes.append(Change("rule-annotation-changed", name, f"annotation {key}: {words}",
                                  old_a.get(key), new_a.get(key), words))
    rest = list(leaves(_rest(before), _rest(after)))
    if rest:
        changes.append(Change("rule-settings-changed", name,
                              "; ".join(f"{p} {show(x)} → {show(y)}" for p, x, y in rest)))
    return item if changes else None


def _receivers(point: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for index, receiver in enumerate(point.get("receivers") or []):
        out[str(receiver.get("uid") or f"{receiver.get('type')}#{index + 1}")] = receiver
    return out


def diff_contact_point(name: str, before: dict[str, Any], after: dict[str, Any]) -> ItemDiff | None:
    item = ItemDiff("contact-point", name, name, "changed")
    old, new = _receivers(before), _receivers(after)
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if a is None or b is None:
            item.changes.append(Change("contact-point-changed", name,
                                       f"receiver {key} {'added' if a is None else 'removed'}"))
            continue
        wanted, found = a.get("settings") or {}, b.get("settings") or {}
        settings = sorted(k for k in set(wanted) | set(found) if wanted.get(k) != found.get(k))
        others = [f"{p} {show(x)} → {show(y)}" for p, x, y in leaves(without(a, "settings"), without(b, "settings"))]
        detail = "; ".join(others + ([f"settings changed: {', '.join(settings)} (values not shown)"] if settings else []))
        item.changes.append(Change("contact-point-changed", name, f"receiver {key}: {detail}"))
    return item if item.changes else None


def policy_lines(tree: dict[str, Any] | None, depth: int = 0) -> list[str]:
    """The policy tree as one line per route: matchers → receiver (timings)."""
    if not tree:
        return []
    matchers = " ".join("".join(str(x) for x in m) if isinstance(m, list) else str(m)
                        for m in tree.get("object_matchers") or tree.get("matchers") or [])
    timing = ", ".join(f"{k} {tree[k]}" for k in ("group_by", "group_wait", "group_interval", "repeat_interval",
                                                  "continue", "mute_time_intervals") if tree.get(k) not in (None, []))
    head = "default" if depth == 0 else (matchers or "(all)")
    lines = ["  " * depth + f"{head} → {tree.get('receiver', '(inherited)')}" + (f" ({timing})" if timing else "")]
    for route in tree.get("routes") or []:
        lines += policy_lines(route, depth + 1)
    return lines


def diff_policies(before: dict[str, Any] | None, after: dict[str, Any] | None) -> ItemDiff | None:
    old, new = policy_lines(before), policy_lines(after)
    if old == new:
        return None
    status = "added" if not old else "removed" if not new else "changed"
    item = ItemDiff("policies", "notification-policies", "Notification policies", status)
    item.changes += [Change("policy-changed", "policies", f"- {line.strip()}") for line in old if line not in new]
    item.changes += [Change("policy-changed", "policies", f"+ {line.strip()}") for line in new if line not in old]
    if not item.changes:  # same routes in another order: order matters to Alertmanager
        item.changes.append(Change("policy-changed", "policies", "routes reordered"))
    return item
