"""promtool unit tests generated from the simulator pass for every PromQL rule: each fires in
its fault scenario with exactly the labels and rendered annotations Prometheus produces, and
stays silent in the healthy run. Generated once per session into a temporary directory."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.proof import promtool_tests, rulefiles
from generator.alerting.build import load_rules
from generator.alerting.render import rule_uid
from generator.config import Config

ROOT = Path(__file__).resolve().parents[2]
PROMQL_RULES = sorted(r.name for r, _ in load_rules(ROOT / "alerts", Config()).alerts if r.language == "promql")

pytestmark = pytest.mark.skipif(not (shutil.which("promtool") and shutil.which("prometheus")),
                                reason="promtool and prometheus are needed")


@pytest.fixture(scope="module")
def test_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One 90-minute run per fires_in scenario plus a healthy one (seed 1), as `make` would."""
    rules = [r for r in rulefiles.load(ROOT / "observability") if r.language == "promql"]
    out = tmp_path_factory.mktemp("promtool-tests")
    paths = promtool_tests.write_tests(rules, Config(), out, seed=1, duration_seconds=5400, fault_start_seconds=1800)
    return {path.stem: path for path in paths}


def promtool(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["promtool", "test", "rules", path.name], cwd=path.parent, capture_output=True, text=True)


def test_every_promql_rule_has_a_test_file(test_files: dict[str, Path]) -> None:
    assert sorted(test_files) == sorted(rule_uid(name) for name in PROMQL_RULES)


@pytest.mark.parametrize("rule", PROMQL_RULES)
def test_promtool_passes(test_files: dict[str, Path], rule: str) -> None:
    done = promtool(test_files[rule_uid(rule)])
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("rule", PROMQL_RULES)
def test_a_firing_case_and_a_silent_case(test_files: dict[str, Path], rule: str) -> None:
    tests = yaml.safe_load(test_files[rule_uid(rule)].read_text())["tests"]
    firing, silent = tests
    (case,) = firing["alert_rule_test"]
    assert case["alertname"] == rule and case["exp_alerts"], "the fault case must expect the alert"
    assert all(a["exp_annotations"]["summary"] and "{{" not in a["exp_annotations"]["description"]
               for a in case["exp_alerts"])
    assert len(silent["alert_rule_test"]) >= 5 and all(c["exp_alerts"] == [] for c in silent["alert_rule_test"])
    assert firing["input_series"], "the fault case feeds the series the rule selects"


def test_a_wrong_annotation_fails(test_files: dict[str, Path], tmp_path: Path) -> None:
    """The generated expectations are not vacuous: one changed character makes promtool fail."""
    source = test_files[rule_uid("ToygresInfrastructureErrors")]
    data = yaml.safe_load(source.read_text())
    alert = data["tests"][0]["alert_rule_test"][0]["exp_alerts"][0]
    alert["exp_annotations"]["description"] = alert["exp_annotations"]["description"].replace("m ", "k ", 1)
    data["rule_files"] = [str((source.parent / data["rule_files"][0]).resolve())]
    broken = tmp_path / "broken.yml"
    broken.write_text(yaml.safe_dump(data))
    done = promtool(broken)
    assert done.returncode != 0 and "ToygresInfrastructureErrors" in done.stdout + done.stderr
