"""Review benchmarks: the semantic diff of 500 synthetic dashboards against a git ref where 10
changed (goal <= 2 s), and previews of the bundled dashboards vs `dashgen check --scenario
healthy` on the same machine (goal: no more than check + 10 s)."""

from __future__ import annotations

import copy
import resource
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.config import load  # noqa: E402
from generator.review.command import against_ref  # noqa: E402
from tests.review.gitrepo import git  # noqa: E402

SYNTHETIC = 500
CHANGED = 10


def _write(directory: Path, dashboards: list[dict[str, Any]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for dashboard in dashboards:
        (directory / f"{dashboard['uid']}.json").write_text(json.dumps(dashboard, indent=2, sort_keys=True) + "\n")


def run_diff() -> dict[str, Any]:
    bundled = [json.loads(p.read_text()) for p in sorted((ROOT / "observability/grafana/dashboards").glob("*.json"))]
    dashboards = []
    for index in range(SYNTHETIC):
        dashboard = copy.deepcopy(bundled[index % len(bundled)])
        dashboard["uid"], dashboard["title"] = f"synthetic-{index:03d}", f"Synthetic {index:03d}"
        dashboards.append(dashboard)
    with tempfile.TemporaryDirectory(prefix="dashgen-bench-review-") as tmp:
        repo = Path(tmp)
        target = repo / "observability/grafana/dashboards"
        _write(target, dashboards)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "500 dashboards")
        for dashboard in dashboards[:: SYNTHETIC // CHANGED][:CHANGED]:
            panel = next(p for p in dashboard["panels"] if p.get("targets"))
            panel["targets"][0]["expr"] = panel["targets"][0]["expr"].replace("sum", "max", 1) + " > 0"
            panel["title"] += " (edited)"
        _write(target, dashboards)
        panels = sum(len(d["panels"]) for d in dashboards)
        config = load("local")
        cwd = Path.cwd()
        try:
            import os
            os.chdir(repo)
            started = time.perf_counter()
            report = against_ref("HEAD", Path("observability"), config, check_stale=False)
            in_process = time.perf_counter() - started
        finally:
            os.chdir(cwd)
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        cli = subprocess.run([sys.executable, "-m", "generator", "diff", "--base", "HEAD", "--format", "json"],
                             cwd=repo, capture_output=True, text=True)
        cli_wall = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return {"dashboards": SYNTHETIC, "panels": panels, "changed": len(report.dashboards), "in_process_s": in_process,
            "cli_s": cli_wall, "cli_cpu_s": cli_cpu, "cli_ok": cli.returncode == 0, "summary": report.summary()}


def _timed(args: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - started, result.returncode


def run_preview() -> dict[str, Any]:
    check_s, check_rc = _timed(["check", "--scenario", "healthy"])
    with tempfile.TemporaryDirectory(prefix="dashgen-bench-preview-") as tmp:
        preview_s, preview_rc = _timed(["preview", "--out", tmp])
    return {"check_s": check_s, "check_rc": check_rc, "preview_s": preview_s, "preview_rc": preview_rc}


def report(diff: dict[str, Any] | None, preview: dict[str, Any] | None) -> str:
    lines = ["review:"]
    if diff:
        lines += [f"  semantic diff, {diff['dashboards']} dashboards ({diff['panels']} panels) vs a git ref, "
                  f"{diff['changed']} changed: {diff['in_process_s']:.2f} s in process, {diff['cli_s']:.2f} s "
                  f"`dashgen diff --base HEAD` wall ({diff['cli_cpu_s']:.2f} s CPU) (goal <= 2 s){'' if diff['cli_ok'] else ' [CLI FAILED]'}",
                  f"  ({diff['summary']})"]
    if preview:
        goal = preview["check_s"] + 10
        lines += [f"  previews of the bundled dashboards: {preview['preview_s']:.1f} s wall vs `dashgen check "
                  f"--scenario healthy` {preview['check_s']:.1f} s (goal <= {goal:.1f} s: "
                  f"{'met' if preview['preview_s'] <= goal else 'NOT met'}); exit codes {preview['preview_rc']}/"
                  f"{preview['check_rc']}"]
    return "\n".join(lines)
