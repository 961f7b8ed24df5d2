"""The stack's configs live on loopback: the simulator served in a fault scenario, scraped by a
real Prometheus with the generated scrape config and rules, the alert firing into a real
Alertmanager started from the generated config and arriving at a webhook receiver with its
labels and annotations; and VictoriaMetrics, scraping with the same config, giving `dashgen
check --prometheus-url` the same findings as Prometheus.

Bounded: the fault starts 30 simulated seconds in and the simulator runs 8x faster than the
wall clock, the rules are compiled with a 5 s evaluation interval, and the chosen rule
(ToygresPoisonMessages, `for: 0m`) fires at its first evaluation after the first poison. The
scenario is the rule's own (`fires_in`): an unregistered activity is abandoned 10 times with
backoff, then poisoned ~303 simulated seconds after the onset (~40 s here), and Alertmanager's
30 s group_wait follows. (store-lock-contention poisons nothing since duroxide v0.1.26's
semantics: a statement timeout fails the instance at once.)
"""

from __future__ import annotations

import concurrent.futures
import json
import re
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from generator import config as config_module
from generator.canonical import dump_yaml
from generator.alerting.model import SEVERITIES
from generator.stack.alertmanager import alertmanager_config
from generator.stack.prometheus import prometheus_config
from generator.stack.sink import Sink
from generator.stack.topology import RECEIVER_ENV, Placement
from tests.stack import live
from tests.stack.test_configs import _grafana_receiver
from tests.stack.validators import ROOT, tool

RULE = "ToygresPoisonMessages"
# Posted straight to Alertmanager once per severity: its routing, live, for the severities the
# simulated fault does not produce.
PROBE = "ToygresRoutingProbe"
SCENARIO = "unregistered-activity"
ALERT_TIMEOUT = 300.0
# Seconds of data both engines must hold before their findings are compared.
COMPARE_AFTER = 120.0


@dataclass
class Stack:
    work: Path
    env_file: Path
    obs: Path
    sink: Sink
    prometheus: str
    alertmanager: str
    victoria: str
    started: float


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    work = tmp_path_factory.mktemp("live-stack")
    env_file = work / "live.yaml"
    env_file.write_text("alert_evaluation_interval_seconds: 5\nscrape_interval_seconds: 5\n", encoding="utf-8")
    obs = work / "observability"
    built = subprocess.run([tool("dashgen"), "build", "--env", str(env_file), "--out", str(obs),
                            "--dashboards", str(ROOT / "dashboards"), "--alerts", str(ROOT / "alerts")],
                           cwd=ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    config = config_module.load(str(env_file))
    sink = Sink(("127.0.0.1", 0), echo=False)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    sim_port, am_port, prom_port, vm_port = (live.free_port() for _ in range(4))
    placement = Placement.loopback(
        toygres_ports=(sim_port,), alertmanager_port=am_port, prometheus_port=prom_port,
        rule_files=(str(obs / "prometheus" / "rules" / "*.yml"),),
        receivers={name: f"http://127.0.0.1:{sink.server_port}/{name}" for name in RECEIVER_ENV})
    prom_file, am_file = work / "prometheus.yml", work / "alertmanager.yml"
    prom_file.write_text(dump_yaml(prometheus_config(config, placement)), encoding="utf-8")
    am_file.write_text(dump_yaml(alertmanager_config(config, placement.receivers)), encoding="utf-8")
    try:
        with live.simulator(work, SCENARIO, speed=8, fault_start="30s", port=sim_port), \
                live.alertmanager(work, am_file, am_port) as am_url, \
                live.prometheus(work, prom_file, prom_port) as prom_url, \
                live.victoria_metrics(work, prom_file, vm_port) as vm_url:
            probes = [{"labels": {"alertname": PROBE, "severity": s, "team": "toygres"},
                       "annotations": {"summary": f"routing probe ({s})"}} for s in SEVERITIES]
            request = urllib.request.Request(f"{am_url}/api/v2/alerts", data=json.dumps(probes).encode(),
                                             headers={"Content-Type": "application/json"}, method="POST")
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
            yield Stack(work, env_file, obs, sink, prom_url, am_url, vm_url, time.monotonic())
    finally:
        sink.shutdown()
        sink.server_close()


def _rule(obs: Path, name: str) -> dict[str, Any]:
    for path in sorted((obs / "prometheus" / "rules").glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                if rule.get("alert") == name:
                    return dict(rule)
    raise AssertionError(f"{name} not in the compiled rules")


def _template_pattern(template: str) -> str:
    """A description template as a regex: each {{ ... }} becomes one rendered number."""
    parts = re.split(r"\{\{.*?\}\}", template)
    return r"[0-9.]+[kMG]?".join(re.escape(p) for p in parts)


def _firing(sink: Sink) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    for entry in sink.snapshot():
        body = entry["body"] or {}
        for alert in body.get("alerts", []):
            if alert.get("labels", {}).get("alertname") == RULE and alert.get("status") == "firing":
                return entry["receiver"], body, alert
    return None


def test_alert_fires_into_alertmanager_and_reaches_the_receiver(stack: Stack) -> None:
    receiver, body, alert = live.wait_for(f"{RULE} notification at the webhook", lambda: _firing(stack.sink),
                                          ALERT_TIMEOUT, log=stack.work / "prometheus.log")
    rule = _rule(stack.obs, RULE)
    policies = yaml.safe_load((stack.obs / "grafana/provisioning/alerting/policies.yaml").read_text())
    # Routed as Grafana's policy routes this severity (warning: tickets, not the pager).
    assert receiver == _grafana_receiver(policies["policies"][0], rule["labels"])
    assert body["receiver"] == receiver and body["status"] == "firing"
    assert alert["labels"] == {"alertname": RULE, **rule["labels"]}
    annotations = alert["annotations"]
    for key in ("summary", "runbook_url", "dashboard_uid", "panel"):
        assert annotations[key] == rule["annotations"][key], key
    assert re.fullmatch(_template_pattern(rule["annotations"]["description"]), annotations["description"]), \
        annotations["description"]
    poisoned = float(re.match(r"[0-9.]+", annotations["description"]).group())  # type: ignore[union-attr]
    assert poisoned > 0
    # Prometheus itself agrees the alert is firing, and knows the Alertmanager it sent it to.
    alerts = json.loads(live.get(f"{stack.prometheus}/api/v1/alerts") or b"{}")["data"]["alerts"]
    assert any(a["labels"]["alertname"] == RULE and a["state"] == "firing" for a in alerts)
    managers = json.loads(live.get(f"{stack.prometheus}/api/v1/alertmanagers") or b"{}")["data"]
    assert [m["url"] for m in managers["activeAlertmanagers"]] == [f"{stack.alertmanager}/api/v2/alerts"]


def _probe_receivers(sink: Sink) -> dict[str, str] | None:
    got = {alert["labels"]["severity"]: entry["receiver"] for entry in sink.snapshot()
           for alert in (entry["body"] or {}).get("alerts", []) if alert["labels"].get("alertname") == PROBE}
    return got if len(got) == len(SEVERITIES) else None


def test_alertmanager_routes_every_severity_to_the_grafana_policy_receiver(stack: Stack) -> None:
    got = live.wait_for("a routing probe per severity at the webhook", lambda: _probe_receivers(stack.sink),
                        ALERT_TIMEOUT, log=stack.work / "alertmanager.log")
    policies = yaml.safe_load((stack.obs / "grafana/provisioning/alerting/policies.yaml").read_text())
    expected = {s: _grafana_receiver(policies["policies"][0], {"severity": s}) for s in SEVERITIES}
    assert got == expected
    assert set(got.values()) == {"toygres-pager", "toygres-tickets"}


def _check(stack: Stack, url: str, dashboards: list[Path], measures: Path) -> list[dict[str, Any]]:
    result = subprocess.run([tool("dashgen"), "check", "--prometheus-url", url, "--format", "json",
                             "--env", str(stack.env_file), "--measures", str(measures), *map(str, dashboards)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode in (0, 1), result.stderr
    return list(json.loads(result.stdout))


def _held_seconds(url: str) -> float:
    """Seconds of Toygres samples the engine holds (5 s scrapes: the live config's interval)."""
    series = live.query(url, 'max(count_over_time(duroxide_orchestrator_queue_depth{job="toygres"}[1h]))')
    return float(series[0]["value"][1]) * 5 if series else 0.0


def test_victoria_metrics_gives_the_same_findings_as_prometheus(stack: Stack) -> None:
    for url in (stack.prometheus, stack.victoria):
        live.wait_for(f"{COMPARE_AFTER:.0f}s of scraped data at {url}",
                      lambda: _held_seconds(url) >= COMPARE_AFTER, COMPARE_AFTER + 240)
    # Same config, same simulator: both engines hold the same duroxide metric families (the
    # synthetic scrape_* series differ: Prometheus adds scrape_timeout_seconds).
    at = time.time() - 60  # VictoriaMetrics hides the last 30 s (-search.latencyOffset)
    families = 'group by (__name__) ({__name__=~"duroxide_.+", job="toygres"})'
    names = [{r["metric"]["__name__"] for r in live.query(url, families, at)}
             for url in (stack.prometheus, stack.victoria)]
    assert len(names[0]) > 10 and names[1] == names[0]
    # The bundled dashboards, and the operators' old one, whose lies check finds without
    # ground truth (metrics that never existed, impossible label values, missing buckets).
    sets = [(sorted((stack.obs / "grafana" / "dashboards").glob("*.json")), stack.obs / "check" / "measures.json"),
            ([ROOT / "examples" / "legacy-toygres-overview.json"], ROOT / "examples" / "legacy-measures.json")]
    # The four checks at once (each mostly waits on its engine's answers).
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        found = {(url, n): pool.submit(_check, stack, url, dashboards, measures)
                 for url in (stack.prometheus, stack.victoria) for n, (dashboards, measures) in enumerate(sets)}
        from_prometheus = [p for n in range(len(sets)) for p in found[stack.prometheus, n].result()]
        from_victoria = [p for n in range(len(sets)) for p in found[stack.victoria, n].result()]
    assert from_prometheus, "check found nothing at all: the comparison compared nothing"
    assert "query/no-data" in {p["rule"] for p in from_prometheus}

    def key(p: dict[str, Any]) -> tuple[str, ...]:
        return tuple(str(p.get(k, "")) for k in ("severity", "rule", "file", "dashboard", "panel", "target"))

    assert sorted(map(key, from_victoria)) == sorted(map(key, from_prometheus))
