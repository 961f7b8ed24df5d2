"""The GitHub workflows: valid per actionlint, actions pinned, the PR comment found by its marker,
deploy only from a protected environment with secrets from the repository."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.review.reporters import COMMENT_MARKER

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$")


def actionlint() -> str:
    local = Path(sys.executable).parent / "actionlint"
    found = str(local) if local.is_file() else shutil.which("actionlint")
    assert found, "actionlint is installed by the test extras (pip install -e '.[test]')"
    return found


def load(name: str) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return data


def test_actionlint_passes() -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) == 2
    result = subprocess.run([actionlint(), "-no-color", *files], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "bad.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n"
                      "      - run: echo ${{ github.event.pull_request.title }}\n        uses: actions/checkout@v4\n")
    result = subprocess.run([actionlint(), "-no-color", str(broken)], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_every_action_is_pinned_to_a_version(name: str) -> None:
    uses = [step["uses"] for job in load(name)["jobs"].values() for step in job["steps"] if "uses" in step]
    assert uses and all(PINNED.match(u) for u in uses), uses


def test_pull_request_workflow_runs_the_whole_review_loop() -> None:
    workflow = load("pull-request.yml")
    assert "pull_request" in workflow[True]  # YAML reads the `on` key as True
    steps = workflow["jobs"]["review"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    for needed in ("make dashboards", "git status --porcelain -- observability/", "make test",
                   "dashgen check --format github", "dashgen diff --base", "--format markdown --comment-marker",
                   "dashgen preview --changed-since"):
        assert needed in runs, needed
    uses = {s["uses"].split("@")[0]: s for s in steps if "uses" in s}
    assert uses["actions/upload-artifact"]["with"]["path"] == "build/review/"
    script = uses["actions/github-script"]["with"]["script"]
    assert COMMENT_MARKER in script and "updateComment" in script and "createComment" in script
    assert workflow["permissions"]["pull-requests"] == "write"


def test_deploy_runs_on_main_in_a_protected_environment_with_secrets() -> None:
    workflow = load("deploy.yml")
    assert workflow[True]["push"]["branches"] == ["main"]
    job = workflow["jobs"]["deploy"]
    assert job["environment"] == "production"
    [deploy] = [s for s in job["steps"] if s.get("run") == "make deploy-grafana"]
    for name in ("GRAFANA_URL", "GRAFANA_TOKEN", "TOYGRES_PAGER_WEBHOOK_URL", "TOYGRES_TICKET_WEBHOOK_URL"):
        assert deploy["env"][name] == "${{ secrets.%s }}" % name
