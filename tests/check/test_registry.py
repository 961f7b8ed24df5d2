"""Every check and alert rule: one module named for its id, listed by --list-rules, documented."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from generator.alerting.rules import RULES as ALERT_RULES
from generator.check import logql_checks
from generator.check.rules import RULES as CHECK_RULES

ROOT = Path(__file__).resolve().parents[2]
ALL = [(r.id, r) for r in CHECK_RULES] + [(r.id, r) for r in ALERT_RULES]


def _module_name(rule: object) -> str:
    return Path(inspect.getfile(type(rule))).stem.rstrip("_")


@pytest.mark.parametrize("rule_id, rule", ALL, ids=[i for i, _ in ALL])
def test_one_module_per_rule_named_for_its_id(rule_id: str, rule: object) -> None:
    name = rule_id.split("/", 1)[1].replace("-", "_")
    assert _module_name(rule) in (name, name.rstrip("s") + "s", name + "s")
    assert sum(1 for _, other in ALL if type(other).__module__ == type(rule).__module__) == 1


@pytest.mark.parametrize("command, doc, ids", [
    ("check", "check.md", [r.id for r in CHECK_RULES] + [i for i, _, _ in logql_checks.RULES]),
    ("lint", "lint.md", [r.id for r in ALERT_RULES]),
], ids=["check", "alerts-in-lint"])
def test_listed_and_documented(command: str, doc: str, ids: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "generator", command, "--list-rules"], capture_output=True,
                          text=True, cwd=ROOT, check=True)
    listed = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    assert set(ids) <= listed
    assert [i for i in ids if f"`{i}`" not in text and f"## {i}\n" not in text] == []
