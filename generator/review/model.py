"""What the differ compares (snapshots of compiled output) and what it reports (changes)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from generator.errors import DashgenError


class ReviewError(DashgenError):
    """The diff cannot be made at all (unknown ref, no compiled output at the ref, ...)."""


@dataclass
class Snapshot:
    """Compiled output from one side: a git ref, the working tree or a live Grafana."""

    label: str
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)  # uid -> dashboard JSON
    paths: dict[str, str] = field(default_factory=dict)  # uid -> file it came from
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)  # uid -> rule (with "group")
    contact_points: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> contact point
    policies: dict[str, Any] | None = None
    # Files that could not be read: path -> one-line reason. Their dashboards are not diffed.
    broken: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """One reviewable change. `kind` is a stable id (`panel-added`, `query-changed`, ...)."""

    kind: str
    subject: str  # the panel, variable, target or rule part it is about
    detail: str = ""  # one line for people
    before: Any = None
    after: Any = None
    words: str = ""  # word-level diff (`[-old-]{+new+}`) for expressions

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "subject": self.subject, "detail": self.detail}
        if self.before is not None:
            out["before"] = self.before
        if self.after is not None:
            out["after"] = self.after
        if self.words:
            out["words"] = self.words
        return out


@dataclass
class ItemDiff:
    """A dashboard, alert rule, contact point or the policy tree: its status and its changes."""

    resource: str  # dashboard | alert-rule | contact-point | policies
    key: str  # uid or name
    title: str
    status: str  # added | removed | changed
    changes: list[Change] = field(default_factory=list)
    layout: list[str] = field(default_factory=list)  # moved/resized panels, reported in one line
    old_title: str = ""
    path: str = ""
    previews: list[str] = field(default_factory=list)  # image paths for the markdown reporter

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"resource": self.resource, "key": self.key, "title": self.title,
                               "status": self.status, "changes": [c.to_json() for c in self.changes],
                               "layout": list(self.layout)}
        if self.old_title:
            out["old_title"] = self.old_title
        if self.path:
            out["path"] = self.path
        return out


# Change kind -> (singular, plural) of what the summary line counts it as.
SUMMARY_NOUNS: dict[str, tuple[str, str]] = {
    "panel-added": ("panel added", "panels added"), "panel-removed": ("panel removed", "panels removed"),
    "panel-retitled": ("panel retitled", "panels retitled"),
    "panel-type-changed": ("panel type changed", "panel types changed"),
    "query-changed": ("query changed", "queries changed"), "query-added": ("query added", "queries added"),
    "query-removed": ("query removed", "queries removed"),
    "threshold-changed": ("threshold changed", "thresholds changed"),
    "unit-changed": ("unit changed", "units changed"), "min-max-changed": ("min/max changed", "min/max changed"),
    "legend-changed": ("legend changed", "legends changed"),
    "description-changed": ("description changed", "descriptions changed"),
    "datasource-changed": ("data source changed", "data sources changed"),
    "variable-added": ("variable added", "variables added"),
    "variable-removed": ("variable removed", "variables removed"),
    "variable-changed": ("variable changed", "variables changed"),
    "link-changed": ("link changed", "links changed"),
    "dashboard-retitled": ("dashboard retitled", "dashboards retitled"),
    "settings-changed": ("other setting changed", "other settings changed"),
    "rule-expression-changed": ("alert expression changed", "alert expressions changed"),
    "rule-threshold-changed": ("alert threshold changed", "alert thresholds changed"),
    "rule-for-changed": ("alert `for` changed", "alert `for`s changed"),
    "rule-severity-changed": ("alert severity changed", "alert severities changed"),
    "rule-annotation-changed": ("alert annotation changed", "alert annotations changed"),
    "rule-retitled": ("alert retitled", "alerts retitled"),
    "rule-label-changed": ("alert label changed", "alert labels changed"),
    "rule-settings-changed": ("other alert setting changed", "other alert settings changed"),
    "contact-point-changed": ("contact point changed", "contact points changed"),
    "policy-changed": ("policy changed", "policies changed"),
    "layout-changed": ("layout change", "layout changes"),
}
_RESOURCE_NOUNS = {"dashboard": ("dashboard", "dashboards"), "alert-rule": ("alert rule", "alert rules"),
                   "contact-point": ("contact point", "contact points"),
                   "policies": ("policy tree", "policy trees")}


def _phrase(count: int, forms: tuple[str, str]) -> str:
    return f"{count} {forms[0] if count == 1 else forms[1]}"


@dataclass
class Report:
    """Every difference between two snapshots, plus what could not be compared."""

    base: str
    head: str
    items: list[ItemDiff] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def dashboards(self) -> list[ItemDiff]:
        return [i for i in self.items if i.resource == "dashboard"]

    @property
    def alerting(self) -> list[ItemDiff]:
        return [i for i in self.items if i.resource != "dashboard"]

    @property
    def changed(self) -> bool:
        return bool(self.items)

    def counts(self) -> Counter[tuple[str, str]]:
        """(singular, plural) noun -> how many, over every item."""
        counts: Counter[tuple[str, str]] = Counter()
        for item in self.items:
            if item.status in ("added", "removed"):
                one, many = _RESOURCE_NOUNS[item.resource]
                counts[(f"{one} {item.status}", f"{many} {item.status}")] += 1
            for change in item.changes:
                counts[SUMMARY_NOUNS.get(change.kind, (change.kind, change.kind))] += 1
            if item.layout:
                counts[SUMMARY_NOUNS["layout-changed"]] += 1
        return counts

    def summary(self) -> str:
        """One line: `2 dashboards changed: 1 panel added, 3 queries changed, ...`."""
        if not self.items:
            return "no changes" + (f" ({len(self.errors)} not compared, see errors)" if self.errors else "")
        heads = []
        for resource, forms in _RESOURCE_NOUNS.items():
            n = sum(1 for i in self.items if i.resource == resource)
            if n:
                heads.append(_phrase(n, forms) + " changed")
        details = [_phrase(n, forms) for forms, n in sorted(self.counts().items(), key=lambda kv: (-kv[1], kv[0]))]
        return ", ".join(heads) + (": " + ", ".join(details) if details else "")

    def to_json(self) -> dict[str, Any]:
        return {"base": self.base, "head": self.head, "summary": self.summary(), "changed": self.changed,
                "items": [i.to_json() for i in self.items], "errors": list(self.errors),
                "warnings": list(self.warnings)}
