"""Alert rules compile to files promtool accepts; bad definitions give one line and exit 1."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.alerting.build import load_rules
from generator.alerting.render import rule_uid
from generator.config import Config

ROOT = Path(__file__).resolve().parents[2]
RULES = sorted((ROOT / "observability" / "prometheus" / "rules").glob("*.yml"))
ALERTING = ROOT / "observability" / "grafana" / "provisioning" / "alerting"
PROMTOOL = shutil.which("promtool")


@pytest.mark.skipif(PROMTOOL is None, reason="promtool missing: .ci/run installs it")
def test_promtool_check_rules_passes() -> None:
    assert RULES, "no Prometheus rule files compiled"
    result = subprocess.run([PROMTOOL, "check", "rules", *map(str, RULES)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_required_alerts_exist() -> None:
    loaded = load_rules(ROOT / "alerts", Config())
    names = {rule.name for rule, _ in loaded.alerts}
    required = {"ToygresSLOFastBurn", "ToygresSLOSlowBurn", "ToygresActiveOrchestrationsHigh",
                "ToygresOrchestrationsStuck", "ToygresOrchestratorQueueBacklog",
                "ToygresActivityLatencyHigh", "ToygresProviderLatencyHigh", "ToygresProviderErrors",
                "ToygresInfrastructureErrors", "ToygresConfigurationErrors", "ToygresPoisonMessages",
                "ToygresActorsNotCycling", "ToygresMetricsAbsent", "ToygresErrorLogRate"}
    assert required <= names


def test_grafana_rules_have_fixed_uids_and_panel_links() -> None:
    groups = yaml.safe_load((ALERTING / "rules.yaml").read_text())["groups"]
    rules = [r for g in groups for r in g["rules"]]
    assert len({r["uid"] for r in rules}) == len(rules)
    for rule in rules:
        assert rule["uid"] == rule_uid(rule["title"]) and len(rule["uid"]) <= 40
        assert [d["refId"] for d in rule["data"]] == ["A", "B", "C"]
        assert rule["condition"] == "C"
        assert isinstance(rule["panelId"], int) and rule["dashboardUid"].startswith("toygres-")
        dashboard = (ROOT / "observability/grafana/dashboards" / f"{rule['dashboardUid']}.json").read_text()
        assert f'"id": {rule["panelId"]},' in dashboard
        assert rule["labels"]["severity"] in ("critical", "warning", "info")


def test_contact_points_take_urls_from_the_environment() -> None:
    text = (ALERTING / "contact-points.yaml").read_text()
    assert "${TOYGRES_PAGER_WEBHOOK_URL}" in text and "http" not in text.split("url:")[1].split("\n")[0]
    policies = yaml.safe_load((ALERTING / "policies.yaml").read_text())["policies"][0]
    assert policies["routes"][0]["object_matchers"] == [["severity", "=", "critical"]]


GOOD = '''
from generator.alerting.model import AlertRule, Threshold


def rules(c):
    return [AlertRule(NAME, group="g", query=QUERY, threshold=Threshold(">", 1), for_="5m",
                      severity=SEVERITY, summary="s", description="{{ $value }}", runbook_url="http://r",
                      dashboard_uid="toygres-queues-workers", panel_title="Worker queue depth", fires_in=())]
'''


def write(directory: Path, name: str = "ToygresX", query: str = 'max(duroxide_worker_queue_depth{job="toygres"})',
          severity: str = "warning", file: str = "a.py") -> None:
    (directory / file).write_text(f"NAME = {name!r}\nQUERY = {query!r}\nSEVERITY = {severity!r}\n" + GOOD)


CASES = {
    "invalid-expression": (dict(query='max(duroxide_worker_queue_depth{job="toygres"}'), r"alerts/a.py: rule ToygresX: invalid PromQL at 1:"),
    "unknown-severity": (dict(severity="page"), r"alerts/a.py: rule ToygresX: unknown severity 'page'"),
    "bad-name": (dict(name="worker_queue"), r"rule worker_queue: name must be CamelCase"),
    "duplicate-name": (None, r"rule ToygresX: duplicate alert name"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_alert_is_one_line_and_nothing_written(tmp_path: Path, case: str) -> None:
    shutil.copytree(ROOT / "dashboards", tmp_path / "dashboards", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "alerts").mkdir()
    write(tmp_path / "alerts")
    args = [sys.executable, "-m", "generator", "build", "--out", "out"]
    assert subprocess.run(args, cwd=tmp_path, capture_output=True, text=True).returncode == 0
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    kwargs, pattern = CASES[case]
    if kwargs is None:
        write(tmp_path / "alerts", file="b.py")
    else:
        write(tmp_path / "alerts", **kwargs)
    result = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(pattern, result.stderr), result.stderr
    assert {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()} == before


def test_every_alert_has_a_runbook_section() -> None:
    sections = {line[3:].strip() for line in (ROOT / "docs" / "runbooks.md").read_text().splitlines()
                if line.startswith("## ")}
    loaded = load_rules(ROOT / "alerts", Config())
    for rule, _ in loaded.alerts:
        anchor = rule.runbook_url.rsplit("#", 1)[1]
        assert anchor in sections, f"{rule.name}: no '## {anchor}' in docs/runbooks.md"
