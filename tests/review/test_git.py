"""`dashgen diff --base REF` across real commits of a throwaway repository, and its bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.review.gitrepo import DASHBOARDS, GOLDEN, dashgen, git, make_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def tree_digest(root: Path) -> str:
    """A hash of every file under observability/: the diff must never change one byte of it."""
    digest = hashlib.sha256()
    for path in sorted((root / "observability").rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_markdown_across_two_commits_matches_the_golden_file(repo: Path) -> None:
    result = dashgen(repo, "diff", "--base", "HEAD~1", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    assert result.stdout == GOLDEN.read_text(encoding="utf-8"), "run `make update-golden` and review the diff"


def test_json_is_for_machines_and_exit_code_flags_changes(repo: Path) -> None:
    result = dashgen(repo, "diff", "--base", "HEAD~1", "--format", "json", "--exit-code")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["base"] == "HEAD~1" and data["changed"] is True
    statuses = {(i["resource"], i["key"]): i["status"] for i in data["items"]}
    assert statuses == {("dashboard", "toygres-logs"): "changed", ("dashboard", "toygres-new"): "added",
                        ("dashboard", "toygres-old"): "removed", ("dashboard", "toygres-queues"): "changed",
                        ("alert-rule", "toygres-queue-backlog"): "changed"}


def test_same_commit_means_no_changes_and_exit_zero(repo: Path) -> None:
    result = dashgen(repo, "diff", "--base", "HEAD", "--exit-code")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no changes")


def test_default_base_is_the_merge_base_with_main(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature", "HEAD~1")
    (repo / DASHBOARDS / "toygres-old.json").unlink()
    git(repo, "commit", "-q", "-am", "drop old")
    result = dashgen(repo, "diff", "--base", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    # main's later edits are not this branch's changes: only the removal is reported.
    assert [(i["key"], i["status"]) for i in data["items"]] == [("toygres-old", "removed")]
    assert data["base"].startswith("merge-base ")


BAD_INPUT = [
    # (id, args, what stderr must say)
    ("unknown-ref", ["--base", "no-such-branch"], "unknown git ref 'no-such-branch'"),
    ("ref-without-output", ["--base", "no-output"], "no-output has no observability/ in its history"),
]


@pytest.mark.parametrize(("args", "message"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_ref_is_one_line_and_exit_2(repo: Path, args: list[str], message: str) -> None:
    before = tree_digest(repo)
    result = dashgen(repo, "diff", *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(repo) == before


@pytest.mark.parametrize("side", ["working-tree", "base"])
def test_broken_dashboard_is_named_and_the_others_are_still_diffed(repo: Path, side: str) -> None:
    broken = repo / DASHBOARDS / "toygres-logs.json"
    if side == "base":
        git(repo, "checkout", "-q", "HEAD~1")
        broken.write_text('{"uid": "toygres-logs", "title": ', encoding="utf-8")
        git(repo, "commit", "-q", "-am", "break logs")
        git(repo, "checkout", "-q", "main")
        base = git(repo, "rev-parse", "--short", "HEAD@{1}").strip()
    else:
        broken.write_text('{"uid": "toygres-logs", "title": ', encoding="utf-8")
        base = "HEAD~1"
    before = tree_digest(repo)
    result = dashgen(repo, "diff", "--base", base, "--format", "json")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("dashgen: error:")]
    assert len(errors) == 1 and "toygres-logs.json" in errors[0] and "invalid JSON" in errors[0], result.stderr
    keys = {i["key"] for i in json.loads(result.stdout)["items"]}
    assert "toygres-logs" not in keys, "a dashboard broken on one side is not reported as added or removed"
    assert {"toygres-queues", "toygres-new", "toygres-old"} <= keys
    assert tree_digest(repo) == before


PREVIEW_BAD_INPUT = [
    ("unknown-ref", ["--changed-since", "no-such-branch"], "unknown git ref 'no-such-branch'"),
    ("unknown-dashboard", ["--dashboard", "nope"], "unknown dashboard uid 'nope'"),
    ("unknown-scenario", ["--scenario", "sunny"], "unknown scenario 'sunny'"),
]


@pytest.mark.parametrize(("args", "message"), [c[1:] for c in PREVIEW_BAD_INPUT], ids=[c[0] for c in PREVIEW_BAD_INPUT])
def test_preview_bad_input_is_one_line_exit_2_and_nothing_simulated(repo: Path, args: list[str], message: str) -> None:
    before = tree_digest(repo)
    result = dashgen(repo, "preview", "--out", "out", *args)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert tree_digest(repo) == before


def test_preview_changed_since_a_ref_with_no_dashboard_change_draws_nothing(repo: Path) -> None:
    result = dashgen(repo, "preview", "--changed-since", "HEAD", "--out", "out")
    assert result.returncode == 0, result.stderr
    assert "0 previews" in result.stderr and "simulat" not in result.stderr
    assert "No dashboard to preview" in (repo / "out" / "index.html").read_text(encoding="utf-8")


def test_markdown_links_the_previews_that_exist(repo: Path, tmp_path: Path) -> None:
    pictures = tmp_path / "previews"
    pictures.mkdir()
    for name in ("toygres-queues.png", "toygres-queues.changes.png", "toygres-new.png"):
        (pictures / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    result = dashgen(repo, "diff", "--base", "HEAD~1", "--format", "markdown", "--previews", str(pictures),
                     "--previews-url", "previews")
    assert result.returncode == 0, result.stderr
    sections = {s.split("</summary>")[0]: s for s in result.stdout.split("<details>")[1:]}
    queues = next(s for head, s in sections.items() if "toygres-queues" in head)
    assert "![Toygres Queues](previews/toygres-queues.png)" in queues
    assert "![Toygres Queues](previews/toygres-queues.changes.png)" in queues
    logs = next(s for head, s in sections.items() if "toygres-logs" in head)
    assert "previews/" not in logs, "no picture was made for it: no link"


def test_stale_working_tree_is_warned_about_first_then_diffed(tmp_path: Path) -> None:
    import shutil

    root = Path(__file__).resolve().parents[2]
    repo = tmp_path / "copy"
    for name in ("dashboards", "alerts", "observability"):
        shutil.copytree(root / name, repo / name, ignore=shutil.ignore_patterns("__pycache__", ".built"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "compiled")
    compiled = repo / DASHBOARDS / "toygres-overview.json"
    data = json.loads(compiled.read_text(encoding="utf-8"))
    data["title"] = "Edited by hand"
    compiled.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    before = tree_digest(repo)
    result = dashgen(repo, "diff", "--base", "HEAD")
    assert result.returncode == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith("dashgen: warning:") and "toygres-overview.json is stale" in first, result.stderr
    assert "make dashboards" in first
    assert 'retitled "Toygres Overview" → "Edited by hand"' in result.stdout
    assert tree_digest(repo) == before
