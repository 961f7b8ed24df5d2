"""Small dashboards and alerting documents for the review tests, built like the compiler's output."""

from __future__ import annotations

import copy
from typing import Any


def panel(title: str, x: int, y: int, expr: str, kind: str = "timeseries", w: int = 12, h: int = 8,
          pid: int = 0, **defaults: Any) -> dict[str, Any]:
    return {"id": pid, "type": kind, "title": title, "gridPos": {"x": x, "y": y, "w": w, "h": h},
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "fieldConfig": {"defaults": {"unit": "short", **defaults}, "overrides": []},
            "targets": [{"refId": "A", "expr": expr, "legendFormat": ""}]}


def row(title: str, y: int, pid: int = 0) -> dict[str, Any]:
    return {"id": pid, "type": "row", "title": title, "collapsed": False, "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}}


def dashboard(uid: str = "toygres-queues", title: str = "Toygres Queues") -> dict[str, Any]:
    """A row and four panels; a `$job` variable; thresholds on the stat."""
    panels = [
        row("Queues", 0, 1),
        panel("Orchestrator queue depth", 0, 1, 'max (duroxide_orchestrator_queue_depth{job=~"$job"})', pid=2),
        panel("Worker queue depth", 12, 1, 'max (duroxide_worker_queue_depth{job=~"$job"})', pid=3),
        panel("Activities processed", 0, 9,
              'sum (rate(duroxide_activity_executions_total{job=~"$job"}[$__rate_interval]))', pid=4),
        panel("Active now", 12, 9, 'sum (duroxide_active_orchestrations{job=~"$job"})', kind="stat", pid=5,
              thresholds={"mode": "absolute", "steps": [{"color": "green"}, {"color": "red", "value": 100}]}),
    ]
    return {"uid": uid, "title": title, "schemaVersion": 39, "tags": ["toygres", "toygres-managed"],
            "templating": {"list": [{"name": "job", "type": "query", "query": "label_values(up, job)"},
                                    {"name": "instance", "type": "query", "query": "label_values(up, instance)"}]},
            "panels": panels}


def rule(uid: str = "toygres-queue-backlog", threshold: float = 500, for_: str = "10m") -> dict[str, Any]:
    return {"uid": uid, "title": "ToygresQueueBacklog", "condition": "C", "for": for_,
            "labels": {"severity": "warning"}, "annotations": {"summary": "queue backlog"},
            "data": [{"refId": "A", "datasourceUid": "toygres-prometheus",
                      "model": {"refId": "A", "expr": "max (duroxide_orchestrator_queue_depth)"}},
                     {"refId": "C", "datasourceUid": "__expr__",
                      "model": {"refId": "C", "type": "threshold", "expression": "A",
                                "conditions": [{"evaluator": {"type": "gt", "params": [threshold]}}]}}]}


def copy_of(data: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(data)
