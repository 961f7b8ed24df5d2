"""Table tests over pairs of snapshots: what the semantic differ must (and must not) report."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from generator.review import Snapshot, diff_snapshots
from generator.review.model import Report
from tests.review.helpers import copy_of, dashboard, panel, rule


def snap(label: str, dashboards: list[dict[str, Any]], rules: list[dict[str, Any]] = ()) -> Snapshot:  # type: ignore[assignment]
    return Snapshot(label, dashboards={d["uid"]: d for d in dashboards}, rules={r["uid"]: r for r in rules})


def reorder_only(d: dict[str, Any]) -> None:
    d["panels"].reverse()  # array order only: gridPos unchanged


def query_changed(d: dict[str, Any]) -> None:
    d["panels"][2]["targets"][0]["expr"] = 'max by (instance) (duroxide_worker_queue_depth{job=~"$job"})'


def insert_at_top(d: dict[str, Any]) -> None:
    for p in d["panels"]:
        p["gridPos"]["y"] += 8
        p["id"] += 1  # ids shift too, as the compiler numbers panels in order
    d["panels"].insert(0, panel("Up", 0, 0, "up", w=24, pid=1))


def threshold_changed(d: dict[str, Any]) -> None:
    d["panels"][4]["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"] = 150


def variable_removed(d: dict[str, Any]) -> None:
    d["templating"]["list"].pop()


def retitled(d: dict[str, Any]) -> None:
    d["title"] = "Toygres Queues and Workers"


def swap_two(d: dict[str, Any]) -> None:
    a, b = d["panels"][1], d["panels"][2]
    a["gridPos"]["x"], b["gridPos"]["x"] = b["gridPos"]["x"], a["gridPos"]["x"]


DASHBOARD_CASES: list[tuple[str, Callable[[dict[str, Any]], None], list[tuple[str, str]], list[str]]] = [
    # (id, edit, expected (kind, subject) changes, expected layout notes)
    ("reorder-only", reorder_only, [], []),
    ("query-changed", query_changed, [("query-changed", "Worker queue depth / A")], []),
    ("panel-inserted-at-top", insert_at_top, [("panel-added", "Up")], []),
    ("threshold-changed", threshold_changed, [("threshold-changed", "Active now")], []),
    ("variable-removed", variable_removed, [("variable-removed", "$instance")], []),
    ("dashboard-retitled", retitled, [("dashboard-retitled", "dashboard")], []),
    ("swap-is-a-move", swap_two, [], ["Worker queue depth moved", "Orchestrator queue depth moved"]),
]


@pytest.mark.parametrize(("edit", "expected", "layout"), [c[1:] for c in DASHBOARD_CASES],
                         ids=[c[0] for c in DASHBOARD_CASES])
def test_dashboard_pairs(edit: Callable[[dict[str, Any]], None], expected: list[tuple[str, str]],
                         layout: list[str]) -> None:
    before = dashboard()
    after = copy_of(before)
    edit(after)
    report = diff_snapshots(snap("base", [before]), snap("head", [after]))
    changes = [(c.kind, c.subject) for item in report.items for c in item.changes]
    assert changes == expected
    assert [note for item in report.items for note in item.layout] == layout
    assert report.changed == bool(expected or layout)


def test_query_change_is_a_word_diff_of_the_expression() -> None:
    before = dashboard()
    after = copy_of(before)
    query_changed(after)
    [change] = diff_snapshots(snap("a", [before]), snap("b", [after])).items[0].changes
    assert change.words == 'max{+ by (instance)+} (duroxide_worker_queue_depth{job=~"$job"})'
    assert change.before == 'max (duroxide_worker_queue_depth{job=~"$job"})'


def test_threshold_detail_names_the_steps() -> None:
    before = dashboard()
    after = copy_of(before)
    threshold_changed(after)
    [change] = diff_snapshots(snap("a", [before]), snap("b", [after])).items[0].changes
    assert change.detail == "thresholds green, red ≥ 100 → green, red ≥ 150"


def test_retitled_panel_is_matched_by_its_query() -> None:
    before = dashboard()
    after = copy_of(before)
    after["panels"][3]["title"] = "Activity throughput"
    [item] = diff_snapshots(snap("a", [before]), snap("b", [after])).items
    assert [(c.kind, c.before, c.after) for c in item.changes] == [
        ("panel-retitled", "Activities processed", "Activity throughput")]


def test_resize_is_layout_only() -> None:
    before = dashboard()
    after = copy_of(before)
    after["panels"][4]["gridPos"]["w"] = 6
    [item] = diff_snapshots(snap("a", [before]), snap("b", [after])).items
    assert item.changes == [] and item.layout == ["Active now resized 12x8 → 6x8"]


def alert_threshold_and_for(r: dict[str, Any]) -> None:
    r["data"][1]["model"]["conditions"][0]["evaluator"]["params"] = [1000]
    r["for"] = "15m"


def test_alert_threshold_and_for_changed() -> None:
    before, after = rule(), rule()
    alert_threshold_and_for(after)
    report = diff_snapshots(snap("a", [], [before]), snap("b", [], [after]))
    assert [(c.kind, c.detail) for i in report.items for c in i.changes] == [
        ("rule-threshold-changed", "threshold > 500 → > 1000"), ("rule-for-changed", "for 10m → 15m")]
    assert report.summary() == "1 alert rule changed: 1 alert `for` changed, 1 alert threshold changed"


def test_dashboard_added_and_removed() -> None:
    kept = dashboard()
    old = dashboard("toygres-old", "Old")
    new = dashboard("toygres-new", "New")
    report = diff_snapshots(snap("a", [kept, old]), snap("b", [copy_of(kept), new]))
    assert [(i.key, i.status) for i in report.items] == [("toygres-new", "added"), ("toygres-old", "removed")]
    assert report.summary() == "2 dashboards changed: 1 dashboard added, 1 dashboard removed"


def test_summary_counts_across_dashboards_and_alerts() -> None:
    a, b = dashboard(), dashboard("toygres-other", "Other")
    a2, b2 = copy_of(a), copy_of(b)
    insert_at_top(a2)
    query_changed(a2)
    query_changed(b2)
    r2 = rule()
    alert_threshold_and_for(r2)
    report: Report = diff_snapshots(snap("a", [a, b], [rule()]), snap("b", [a2, b2], [r2]))
    assert report.summary() == ("2 dashboards changed, 1 alert rule changed: 2 queries changed, "
                                "1 alert `for` changed, 1 alert threshold changed, 1 panel added")
