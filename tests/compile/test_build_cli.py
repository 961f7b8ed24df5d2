"""`dashgen build` on bad input: one line naming the place, exit 1, no traceback, nothing written."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

GOOD = '''
from generator.authoring.dashboard import DashboardSpec, Row
from generator.authoring.panels import prom, stat
from generator.authoring import variables as v


def dashboard(c):
    return DashboardSpec(
        title="Good", description="A valid dashboard.",
        rows=(Row("r", [stat("Queue", "Waiting items.", prom(QUERY), unit="short")]),),
        variables=(v.prometheus_datasource(c), v.job(c)),
    )
'''

VALID_QUERY = 'max(duroxide_worker_queue_depth{job=~"$job"})'


def module(query: str = VALID_QUERY) -> str:
    return f"QUERY = {query!r}\n" + GOOD


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def snapshot(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "good.py").write_text(module())
    result = run("build", "--dashboards", "dashboards", "--out", "out", "--alerts", "none", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


CASES = {
    "syntax-error": ("good.py", "def dashboard(c):\n    return (\n", None, r"dashboards/good.py:\d+: syntax error"),
    "import-error": ("good.py", "import math\nx = undefined_name\n", None, r"dashboards/good.py:2: NameError"),
    "runtime-error-in-definition": ("good.py", GOOD.replace("QUERY", "1 / 0 and QUERY"), None,
                                    r"dashboards/good.py:\d+: ZeroDivisionError"),
    "invalid-promql": ("good.py", module("max(duroxide_worker_queue_depth{job=~\"$job\"}"), None,
                       r"toygres-good: panel 'Queue' \(id 2, row 'r'\): target A: error promql/parse: invalid PromQL at 1:"),
    "unknown-metric": ("good.py", module("sum(rate(duroxide_activity_retries_total[5m]))"), None,
                       r"promql/metric-unknown: metric duroxide_activity_retries_total does not exist"),
    "unknown-label": ("good.py", module('max(duroxide_worker_queue_depth{queue="x"})'), None,
                      r"promql/label-unknown: duroxide_worker_queue_depth has no label 'queue'"),
    "duplicate-uid": ("good-copy.py", module().replace('title="Good"', 'title="Copy two"'), "good_copy.py", r"duplicate dashboard uid 'toygres-good-copy'"),
    "config-unknown-key": (None, None, None, r"bad.yaml: unknown setting 'scrape_intervall'"),
    "config-not-utf8": (None, None, None, r"bad.yaml: not UTF-8 text \(byte 0xe9 at offset 17\); save it as UTF-8"),
    "empty-title": ("good.py", module().replace('title="Good"', 'title="  "'), None,
                    r"dashboards/good.py: the dashboard title is empty"),
    "duplicate-title": ("other.py", module(), None,
                        r"dashboards/other.py: dashboard title 'Good' is also used by dashboards/good.py"),
    "duplicate-title-other-case": ("other.py", module().replace('title="Good"', 'title="GOOD"'), None,
                                   r"dashboard title 'GOOD' is also used by dashboards/good.py"),
    "uid-with-space": ("my dash.py", module().replace('title="Good"', 'title="Mine"'), None,
                       r"dashboards/my dash.py: the module name gives dashboard uid 'toygres-my dash', which Grafana does not accept"),
    "uid-with-dot": ("a.b.py", module().replace('title="Good"', 'title="Mine"'), None,
                     r"uid 'toygres-a.b', which Grafana does not accept"),
    "uid-non-ascii": ("caf\u00e9.py", module().replace('title="Good"', 'title="Mine"'), None,
                      r"uid 'toygres-caf\u00e9', which Grafana does not accept"),
    "uid-too-long": ("x" * 40 + ".py", module().replace('title="Good"', 'title="Mine"'), None,
                     r"is longer than 40 characters"),
    "sys-exit-in-definition": ("good.py", GOOD.replace("return DashboardSpec(", "import sys; sys.exit(3)\n    return DashboardSpec("), None,
                               r"dashboards/good.py:\d+: called sys.exit\(3\); a definition returns its result and must not exit"),
    "sys-exit-at-import": ("good.py", "import sys\nsys.exit('bye')\n", None,
                           r"dashboards/good.py:2: called sys.exit\('bye'\)"),
}
ENV_FILES = {"config-unknown-key": b"scrape_intervall: 30\n", "config-not-utf8": b"folder_title: Caf\xe9\n"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_exit_1_and_writes_nothing(project: Path, case: str) -> None:
    name, text, extra, pattern = CASES[case]
    args = ["build", "--dashboards", "dashboards", "--out", "out", "--alerts", "none"]
    if name:
        (project / "dashboards" / name).write_text(text)
    if extra:
        (project / "dashboards" / extra).write_text(module().replace('title="Good"', 'title="Copy"'))
    if case in ENV_FILES:
        (project / "bad.yaml").write_bytes(ENV_FILES[case])
        args += ["--env", "bad.yaml"]
    before = snapshot(project / "out")
    result = run(*args, cwd=project)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    import re
    assert re.search(pattern, result.stderr), result.stderr
    assert snapshot(project / "out") == before


def test_check_names_stale_files(project: Path) -> None:
    (project / "dashboards" / "good.py").write_text(module('sum(duroxide_orchestrator_queue_depth{job=~"$job"})'))
    result = run("build", "--check", "--dashboards", "dashboards", "--out", "out", "--alerts", "none", cwd=project)
    assert result.returncode == 1
    assert "stale: out/grafana/dashboards/toygres-good.json" in result.stderr


def test_check_passes_when_fresh(project: Path) -> None:
    result = run("build", "--check", "--dashboards", "dashboards", "--out", "out", "--alerts", "none", cwd=project)
    assert result.returncode == 0, result.stderr


def test_removed_dashboard_is_removed_from_output(project: Path) -> None:
    (project / "dashboards" / "other.py").write_text(module().replace('title="Good"', 'title="Other"'))
    assert run("build", "--dashboards", "dashboards", "--out", "out", "--alerts", "none", cwd=project).returncode == 0
    assert (project / "out/grafana/dashboards/toygres-other.json").is_file()
    (project / "dashboards" / "other.py").unlink()
    assert run("build", "--dashboards", "dashboards", "--out", "out", "--alerts", "none", cwd=project).returncode == 0
    assert not (project / "out/grafana/dashboards/toygres-other.json").exists()


@pytest.mark.parametrize("change, rebuilds", [
    (None, False),
    (lambda p: (p / "dashboards" / "good.py").write_text(module('max(duroxide_orchestrator_queue_depth{job=~"$job"})')), True),
    (lambda p: next((p / "out" / "grafana" / "dashboards").glob("*.json")).unlink(), True),
    (lambda p: next((p / "out" / "grafana" / "dashboards").glob("*.json")).write_text("{}"), True),
    (lambda p: (p / "out" / "grafana" / "dashboards" / "stray.json").write_text("{}"), True),
], ids=["nothing-changed", "definition-edited", "output-deleted", "output-edited", "output-added"])
def test_a_build_is_skipped_only_when_nothing_changed(project: Path, change: object, rebuilds: bool) -> None:
    if change is not None:
        change(project)  # type: ignore[operator]
    result = run("build", "--dashboards", "dashboards", "--out", "out", "--alerts", "none", cwd=project)
    assert result.returncode == 0, result.stderr
    assert ("nothing changed since the last build" in result.stderr) is not rebuilds
    if rebuilds:
        assert run("build", "--dashboards", "dashboards", "--out", "out", "--alerts", "none", "--check",
                   cwd=project).returncode == 0
