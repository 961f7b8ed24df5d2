"""Compile alert definitions: validate, lint, then render Grafana alerting provisioning and
Prometheus / Loki rule files into the same all-or-nothing file set as the dashboards."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from generator.alerting import render
from generator.alerting.checks import check_rules
from generator.alerting.helpers import runbook
from generator.alerting.model import AlertRule, RecordingRule
from generator.canonical import dump_json, dump_yaml
from generator.check.log_claims import ClaimError, parse_claim
from generator.compile.loader import call_definition, discover, load_module
from generator.config import Config
from generator.errors import DefinitionError
from generator.pipeline.spec import as_spec
from generator.problems import Problem

ALERTING_DIR = Path("grafana") / "provisioning" / "alerting"
PROMETHEUS_RULES_DIR = Path("prometheus") / "rules"
LOKI_RULES_DIR = Path("loki") / "rules"
# Beside check/measures.json: each alert's fires_in scenarios and ground-truth signal, what
# the proof needs from the definitions, so it reads compiled output only.
PROOF_FILE = Path("check") / "alerts.json"


@dataclass(frozen=True)
class Loaded:
    """Every rule with the definition file it came from."""

    alerts: tuple[tuple[AlertRule, str], ...]
    recordings: tuple[tuple[RecordingRule, str], ...]


def load_rules(directory: Path, config: Config) -> Loaded:
    """Import every alerts/*.py module and collect its rules (bad types are definition errors)."""
    alerts: list[tuple[AlertRule, str]] = []
    recordings: list[tuple[RecordingRule, str]] = []
    if not directory.is_dir():
        return Loaded((), ())
    for path in discover(directory):
        module = load_module(path, "alerts")
        result = call_definition(path, module, "rules", config)
        for rule in result or []:
            if isinstance(rule, AlertRule):
                if not rule.runbook_url:
                    rule = dataclasses.replace(rule, runbook_url=runbook(config, rule.name))
                alerts.append((rule, str(path)))
            elif isinstance(rule, RecordingRule):
                recordings.append((rule, str(path)))
            else:
                raise DefinitionError(f"{path}: rules() returned a {type(rule).__name__}, not AlertRule/RecordingRule")
    return Loaded(tuple(alerts), tuple(recordings))


def panel_ids(dashboards: dict[str, dict[str, Any]]) -> dict[tuple[str, str], int]:
    return {(uid, str(p.get("title"))): int(p["id"]) for uid, d in dashboards.items()
            for p in d.get("panels", []) if p.get("type") != "row"}


def compile_alerts(directory: Path, config: Config, root: Path, compiled: Any) -> list[Problem]:
    """Add alerting files to `compiled.files`; raise on any invalid rule (nothing is written)."""
    loaded = load_rules(directory, config)
    if not loaded.alerts and not loaded.recordings:
        return []
    problems = check_rules(loaded.alerts, loaded.recordings, config)
    panels = panel_ids(compiled.dashboards)
    for rule, source in loaded.alerts:
        if rule.shows:
            if rule.language != "logql":
                raise DefinitionError(f"{source}: rule {rule.name}: shows= is for LogQL rules (what log lines it counts)")
            try:
                parse_claim(rule.shows)
            except ClaimError as exc:
                raise DefinitionError(f"{source}: rule {rule.name}: shows={rule.shows!r}: {exc}") from None
        if (rule.dashboard_uid, rule.panel_title) not in panels:
            raise DefinitionError(f"{source}: rule {rule.name}: links to panel {rule.panel_title!r} "
                                  f"which dashboard {rule.dashboard_uid!r} does not have")
    alerts = [rule for rule, _ in loaded.alerts]
    recordings = [rule for rule, _ in loaded.recordings]
    files = compiled.files
    files[ALERTING_DIR / "rules.yaml"] = dump_yaml(render.grafana_rule_groups(alerts, panels, config))
    files[ALERTING_DIR / "contact-points.yaml"] = dump_yaml(
        render.contact_points(config), "Webhook URLs come from Grafana's environment; no secret is stored here.")
    files[ALERTING_DIR / "policies.yaml"] = dump_yaml(render.policies(config))
    for group, rules in sorted(by_group(alerts, recordings, "promql").items()):
        files[PROMETHEUS_RULES_DIR / f"{group}.yml"] = dump_yaml(render.rule_file(group, rules, config))
    for group, rules in sorted(by_group(alerts, [], "logql").items()):
        files[LOKI_RULES_DIR / f"{group}.yml"] = dump_yaml(render.rule_file(group, rules, config))
    files[PROOF_FILE] = dump_json({rule.name: {"fires_in": [str(as_spec(s)) for s in rule.fires_in],
                                               "signal": rule.signal, **({"shows": rule.shows} if rule.shows else {})}
                                   for rule in alerts})
    return problems


def by_group(alerts: Sequence[AlertRule], recordings: Sequence[RecordingRule],
             language: str) -> dict[str, list[AlertRule | RecordingRule]]:
    groups: dict[str, list[AlertRule | RecordingRule]] = defaultdict(list)
    for recording in recordings:
        groups[recording.group].append(recording)
    for alert in alerts:
        if alert.language == language:
            groups[alert.group].append(alert)
    return {g: rules for g, rules in groups.items() if any(
        isinstance(r, AlertRule) and r.language == language or isinstance(r, RecordingRule) and language == "promql"
        for r in rules)}
