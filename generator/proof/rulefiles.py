"""The rules a proof runs: read from the compiled Prometheus/Loki rule files (what is deployed),
joined with each rule's `fires_in` scenarios and signal compiled into check/alerts.json."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

import json

from generator.alerting.build import LOKI_RULES_DIR, PROOF_FILE, PROMETHEUS_RULES_DIR
from generator.alerting.render import duration_seconds
from generator.errors import DashgenError
from generator.pipeline.spec import ScenarioSpec, as_spec


class ProofError(DashgenError):
    """A proof cannot run: rule files missing or stale, unknown rule or scenario."""


@dataclass(frozen=True)
class ProofRule:
    """One compiled alerting rule plus the scenarios in which it must fire."""

    name: str
    group: str
    language: str
    expr: str
    for_seconds: int
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    fires_in: tuple[ScenarioSpec, ...]
    rule_file: Path
    interval_seconds: int
    signal: str = ""

    @property
    def goal_seconds(self) -> int:
        """Detection goal: `for` plus two evaluation intervals after the fault's onset."""
        return self.for_seconds + 2 * self.interval_seconds


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProofError(f"{path}: cannot read rule file: {exc}".splitlines()[0]) from None
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise ProofError(f"{path}: not a rule file (no groups)")
    return data


def compiled_rules(out_dir: Path, language: str) -> list[tuple[dict[str, Any], str, int, Path]]:
    """(rule, group name, interval seconds, file) for every alerting rule in the compiled files."""
    sub = PROMETHEUS_RULES_DIR if language == "promql" else LOKI_RULES_DIR
    found = []
    for path in sorted((out_dir / sub).glob("*.yml")):
        for group in _read(path)["groups"]:
            interval = duration_seconds(str(group.get("interval", "1m")))
            for rule in group.get("rules", []):
                if "alert" in rule:
                    found.append((rule, str(group["name"]), interval, path))
    return found


def proof_table(out_dir: Path) -> dict[str, dict[str, Any]]:
    """check/alerts.json: rule name -> {fires_in: [scenario spec text], signal}."""
    path = out_dir / PROOF_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProofError(f"{path}: missing: run `make dashboards`") from None
    except (OSError, ValueError) as exc:
        raise ProofError(f"{path}: cannot read: {exc}".splitlines()[0]) from None
    if not isinstance(data, dict):
        raise ProofError(f"{path}: expected an object of rule name -> {{fires_in, signal}}")
    return data


def load(out_dir: Path, names: Sequence[str] = ()) -> list[ProofRule]:
    """Every alerting rule (or those named), from the compiled files, with its fires_in."""
    table = proof_table(out_dir)
    fires_in = {name: entry.get("fires_in") or [] for name, entry in table.items()}
    rules: list[ProofRule] = []
    for language in ("promql", "logql"):
        for rule, group, interval, path in compiled_rules(out_dir, language):
            name = str(rule["alert"])
            if name not in fires_in:
                raise ProofError(f"{path}: rule {name} is not in {out_dir / PROOF_FILE}: "
                                 "observability/ is stale (run `make dashboards`)")
            rules.append(ProofRule(
                name, group, language, str(rule["expr"]), duration_seconds(str(rule.get("for", "0s"))),
                dict(rule.get("labels") or {}), dict(rule.get("annotations") or {}),
                tuple(as_spec(s) for s in fires_in[name]), path, interval, str(table[name].get("signal") or "")))
    missing = sorted(set(fires_in) - {r.name for r in rules})
    if missing:
        raise ProofError(f"rule {missing[0]} is in {out_dir / PROOF_FILE} but in no compiled rule file: "
                         "run `make dashboards`")
    if names:
        unknown = sorted(set(names) - {r.name for r in rules})
        if unknown:
            raise ProofError(f"unknown rule {unknown[0]!r} (known: {', '.join(sorted(r.name for r in rules))})")
        rules = [r for r in rules if r.name in names]
    return sorted(rules, key=lambda r: r.name)
