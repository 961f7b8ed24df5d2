"""The one semantic differ: two snapshots in, one report out (used against git refs and Grafana)."""

from __future__ import annotations

from generator.review.alerts import diff_contact_point, diff_policies, diff_rule
from generator.review.dashboards import diff_dashboard
from generator.review.model import Change, ItemDiff, Report, Snapshot


def _broken_uids(snapshot: Snapshot, other: Snapshot) -> dict[str, str]:
    """uid -> broken path, for dashboards unreadable on `snapshot`'s side but readable on the other."""
    by_path = {path.rsplit("/", 1)[-1]: uid for uid, path in other.paths.items()}
    return {by_path[path.rsplit("/", 1)[-1]]: path for path in snapshot.broken if path.rsplit("/", 1)[-1] in by_path}


def diff_snapshots(before: Snapshot, after: Snapshot) -> Report:
    """Dashboards by uid, rules by uid, contact points by name, the policy tree as a whole."""
    report = Report(before.label, after.label)
    for side in (before, after):
        for path, reason in sorted(side.broken.items()):
            report.errors.append(f"{path} ({side.label}): {reason}; fix the file (it was not diffed)")
    skip = {**_broken_uids(before, after), **_broken_uids(after, before)}
    for uid in sorted(set(before.dashboards) | set(after.dashboards)):
        if uid in skip:
            continue
        old, new = before.dashboards.get(uid), after.dashboards.get(uid)
        path = after.paths.get(uid) or before.paths.get(uid, "")
        if old is None and new is not None:
            report.items.append(ItemDiff("dashboard", uid, str(new.get("title") or uid), "added", path=path))
        elif new is None and old is not None:
            report.items.append(ItemDiff("dashboard", uid, str(old.get("title") or uid), "removed", path=path))
        elif old is not None and new is not None and old != new:  # equal dicts: no walk at all
            item = diff_dashboard(uid, old, new, path)
            if item is not None:
                report.items.append(item)
    for uid in sorted(set(before.rules) | set(after.rules)):
        old_rule, new_rule = before.rules.get(uid), after.rules.get(uid)
        if old_rule is None or new_rule is None:
            rule = new_rule or old_rule or {}
            report.items.append(ItemDiff("alert-rule", uid, str(rule.get("title") or uid),
                                         "added" if old_rule is None else "removed"))
            continue
        item = diff_rule(uid, old_rule, new_rule)
        if item is not None:
            report.items.append(item)
    for name in sorted(set(before.contact_points) | set(after.contact_points)):
        old_point, new_point = before.contact_points.get(name), after.contact_points.get(name)
        if old_point is None or new_point is None:
            report.items.append(ItemDiff("contact-point", name, name, "added" if old_point is None else "removed",
                                         changes=[]))
            continue
        item = diff_contact_point(name, old_point, new_point)
        if item is not None:
            report.items.append(item)
    policies = diff_policies(before.policies, after.policies)
    if policies is not None:
        report.items.append(policies)
    return report


__all__ = ["Change", "diff_snapshots"]
