"""A throwaway git repository with two real commits of compiled output, for the --base tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.review.helpers import dashboard, panel, rule

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "review" / "two-commits.md"
DASHBOARDS = Path("observability/grafana/dashboards")
ALERTING = Path("observability/grafana/provisioning/alerting")
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def write(root: Path, relative: Path, data: Any) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, sort_keys=True) + "\n" if relative.suffix == ".json" else yaml.safe_dump(data)
    path.write_text(text, encoding="utf-8")


def alerting(threshold: float, for_: str) -> dict[str, Any]:
    return {"apiVersion": 1, "groups": [{"orgId": 1, "name": "toygres-queues", "folder": "Toygres",
                                         "interval": "1m", "rules": [rule(threshold=threshold, for_=for_)]}]}


def make_repo(root: Path) -> Path:
    """Commit 0: no observability/. Commit 1: three dashboards and a rule. Commit 2 (HEAD): edits."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("toy\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "before any compiled output")
    git(root, "tag", "no-output")
    queues, logs = dashboard(), dashboard("toygres-logs", "Toygres Logs")
    write(root, DASHBOARDS / "toygres-queues.json", queues)
    write(root, DASHBOARDS / "toygres-logs.json", logs)
    write(root, DASHBOARDS / "toygres-old.json", dashboard("toygres-old", "Toygres Old"))
    write(root, ALERTING / "rules.yaml", alerting(500, "10m"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first dashboards")
    # Commit 2: a panel inserted at the top, a query and a threshold changed, a variable removed,
    # a dashboard retitled, one added and one removed, the alert's threshold and `for` changed.
    for p in queues["panels"]:
        p["gridPos"]["y"] += 8
        p["id"] += 1
    queues["panels"].insert(0, panel("Backlog age", 0, 0, "max (toygres_backlog_age_seconds)", w=24, pid=1))
    queues["panels"][3]["targets"][0]["expr"] = 'max by (instance) (duroxide_worker_queue_depth{job=~"$job"})'
    queues["panels"][5]["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"] = 150
    queues["templating"]["list"].pop()
    logs["title"] = "Toygres Log Lines"
    write(root, DASHBOARDS / "toygres-queues.json", queues)
    write(root, DASHBOARDS / "toygres-logs.json", logs)
    (root / DASHBOARDS / "toygres-old.json").unlink()
    write(root, DASHBOARDS / "toygres-new.json", dashboard("toygres-new", "Toygres New"))
    write(root, ALERTING / "rules.yaml", alerting(1000, "15m"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "edit dashboards")
    return root


def dashgen(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=root, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **GIT_ENV})


def golden_markdown(root: Path) -> str:
    return dashgen(root, "diff", "--base", "HEAD~1", "--format", "markdown").stdout
