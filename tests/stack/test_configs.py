"""The generated stack configs pass their own tools (promtool, amtool, Docker Compose) and agree
with each other: every port, uid, job, receiver and stream label comes from one Config."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.alerting.model import SEVERITIES
from generator.authoring import logql
from generator import config as config_module
from generator.config import CHOICES, Config
from generator.sim.logs import stream_labels
from generator.stack import stack_files
from generator.stack.logs import STREAM_ATTRIBUTES, loki_label
from generator.stack.prometheus import prometheus_config
from generator.stack.topology import SERVICES, Placement
from tests.stack.validators import OBS, ROOT, STACK, compose_problems, compose_resolved, run, tool


def load(name: str) -> Any:
    return yaml.safe_load((STACK / name).read_text(encoding="utf-8"))


# --- the real tools ------------------------------------------------------------------------

def test_promtool_checks_the_config_and_every_rule_file(tmp_path: Path) -> None:
    """The committed prometheus.yml, and the same config with rule_files pointed at the
    compiled rules (container paths do not exist here), so promtool loads every rule too."""
    assert run(tool("promtool"), "check", "config", str(STACK / "prometheus.yml")).returncode == 0
    rules = str(OBS / "prometheus" / "rules" / "*.yml")
    placed = Placement.compose(Config())
    placed = Placement(placed.toygres_targets, placed.alertmanager, placed.collector_exporter, (rules,),
                       placed.receivers, placed.self_targets)
    config_file = tmp_path / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(prometheus_config(Config(), placed)), encoding="utf-8")
    result = run(tool("promtool"), "check", "config", str(config_file))
    assert result.returncode == 0, result.stdout + result.stderr
    checked = re.findall(r"Checking (\S+\.yml)", result.stdout)
    assert sorted(Path(p).name for p in checked if "rules" in p) == sorted(
        p.name for p in (OBS / "prometheus" / "rules").glob("*.yml"))
    assert "FAILED" not in result.stdout


def test_amtool_checks_the_committed_and_the_compose_alertmanager_config(tmp_path: Path) -> None:
    assert run(tool("amtool"), "check-config", str(STACK / "alertmanager.yml")).returncode == 0
    # The copy inside the compose file, after Docker Compose interpolated the receiver URLs.
    resolved = json.loads(compose_resolved(STACK / "docker-compose.yml", OBS / "env.local.example"))
    content = resolved["configs"]["alertmanager"]["content"]
    assert "${" not in content
    (tmp_path / "am.yml").write_text(content, encoding="utf-8")
    result = run(tool("amtool"), "check-config", str(tmp_path / "am.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def _grafana_receiver(policy: dict[str, Any], labels: dict[str, str]) -> str:
    """Grafana's notification policy walked by hand: the first matching child route wins."""
    for route in policy.get("routes", []):
        if all(_matches(labels.get(name, ""), op, value) for name, op, value in route["object_matchers"]):
            return _grafana_receiver(route, labels) if route.get("routes") else route["receiver"]
    return policy["receiver"]


def _matches(actual: str, op: str, value: str) -> bool:
    return {"=": actual == value, "!=": actual != value,
            "=~": re.fullmatch(value, actual) is not None, "!~": re.fullmatch(value, actual) is None}[op]


@pytest.mark.parametrize("severity", [*SEVERITIES, "unknown"])
def test_alertmanager_routes_each_severity_like_the_grafana_policy(severity: str) -> None:
    policies = yaml.safe_load((OBS / "grafana/provisioning/alerting/policies.yaml").read_text())
    expected = _grafana_receiver(policies["policies"][0], {"severity": severity})
    result = run(tool("amtool"), "config", "routes", "test", f"--config.file={STACK / 'alertmanager.yml'}",
                 f"severity={severity}", "alertname=ToygresAnything")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize("env_name", ["local", "aks"])
def test_docker_compose_accepts_the_file(env_name: str) -> None:
    assert compose_problems(STACK / "docker-compose.yml", OBS / f"env.{env_name}.example") == ""


BROKEN = {
    "ports-not-a-list": lambda c: c["services"]["grafana"].__setitem__("ports", "3000:3000"),
    "unknown-service-key": lambda c: c["services"]["loki"].__setitem__("restart_policy", "always"),
    "undefined-config": lambda c: c["services"]["alertmanager"]["configs"][0].__setitem__("source", "nope"),
    "depends-on-missing-service": lambda c: c["services"]["grafana"]["depends_on"].append("nope"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_the_compose_judge_catches_a_broken_file(name: str, tmp_path: Path) -> None:
    """docker-compose exits 0 on these too: the judge must read its output."""
    data = yaml.safe_load((STACK / "docker-compose.yml").read_text())
    BROKEN[name](data)
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = run(tool("docker-compose"), "-f", str(broken), "config", "-q")
    assert result.returncode == 0  # why the output, not the exit code, is the verdict
    assert compose_problems(broken) != ""


# --- agreement between the files -----------------------------------------------------------

def test_images_are_pinned() -> None:
    images = {name: svc["image"] for name, svc in load("docker-compose.yml")["services"].items()}
    assert set(images) == {s.name for s in SERVICES}
    for name, image in images.items():
        repo, _, tag = image.rpartition(":")
        assert repo and tag and tag != "latest", f"{name}: {image}"


def test_every_target_and_url_names_a_service_on_its_port() -> None:
    compose = load("docker-compose.yml")
    published = {name: {int(p.split(":")[1]) for p in svc.get("ports", [])}
                 for name, svc in compose["services"].items()}
    prom = load("prometheus.yml")
    addresses = [t for job in prom["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]]
    addresses += prom["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    loki_cfg, collector = load("loki.yml"), load("otel-collector.yml")
    urls = [loki_cfg["ruler"]["alertmanager_url"], collector["exporters"]["otlphttp/loki"]["endpoint"]]
    env = dict(line.split("=", 1) for line in (OBS / "env.local.example").read_text().splitlines()
               if line and not line.startswith("#"))
    urls += [env["PROMETHEUS_URL"], env["LOKI_URL"], env["TOYGRES_PAGER_WEBHOOK_URL"], env["TOYGRES_TICKET_WEBHOOK_URL"]]
    simulator_cmd = compose["services"]["simulator"]["command"][-1]
    urls += re.findall(r"--loki-url (\S+)", simulator_cmd)
    addresses += [re.sub(r"^https?://", "", u).split("/")[0] for u in urls]
    assert len(addresses) > 10
    collector_ports = {int(e.rsplit(":", 1)[1]) for e in _endpoints(collector)}
    for address in addresses:
        host, port = address.rsplit(":", 1)
        if host == "localhost":  # Prometheus scraping itself
            host = "prometheus"
        assert host in published, f"{address}: no such service"
        listening = published[host] | (collector_ports if host == "otel-collector" else set())
        assert int(port) in listening, f"{address}: {host} does not listen on {port}"


def _endpoints(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [v for k, v in data.items() if k in ("endpoint", "address") and isinstance(v, str) and
                not v.startswith("http")] + [e for v in data.values() for e in _endpoints(v)]
    if isinstance(data, list):
        return [e for v in data for e in _endpoints(v)]
    return []


def test_grafana_datasources_and_env_examples_agree() -> None:
    datasources = yaml.safe_load((OBS / "grafana/provisioning/datasources/datasources.yaml").read_text())
    by_type = {d["type"]: d for d in datasources["datasources"]}
    grafana_env = load("docker-compose.yml")["services"]["grafana"]["environment"]
    for kind, var in (("prometheus", "PROMETHEUS_URL"), ("loki", "LOKI_URL")):
        assert by_type[kind]["url"] == f"${{{var}}}"
        assert var in grafana_env
    contact_points = yaml.safe_load((OBS / "grafana/provisioning/alerting/contact-points.yaml").read_text())
    receivers = {r["name"] for r in load("alertmanager.yml")["receivers"]}
    assert receivers == {c["name"] for c in contact_points["contactPoints"]}
    for point in contact_points["contactPoints"]:
        var = point["receivers"][0]["settings"]["url"].strip("${}")
        assert var in grafana_env, f"{point['name']}: Grafana never gets ${var}"


def test_env_examples_set_exactly_the_variables_compose_reads() -> None:
    text = (STACK / "docker-compose.yml").read_text()
    read = set(re.findall(r"\$\{([A-Z_]+)", text))
    for name in ("local", "aks"):
        lines = (OBS / f"env.{name}.example").read_text().splitlines()
        keys = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
        assert keys == read, name


def test_scrape_job_is_the_job_the_dashboards_select() -> None:
    jobs = {j["job_name"] for j in load("prometheus.yml")["scrape_configs"]}
    config = Config()
    assert config.job in jobs
    e1 = prometheus_config(Config(era="E1", job_label="exported_job"), Placement.compose(Config()))
    e1_jobs = {j["job_name"]: j for j in e1["scrape_configs"]}
    assert config.job not in e1_jobs  # E1 Toygres has no /metrics of its own
    # duroxide-metrics.md: E1 series carry job="otel-collector" and exported_job="toygres".
    assert e1_jobs["otel-collector"]["honor_labels"] is False


@pytest.mark.parametrize("shipping", CHOICES["log_shipping"])
def test_loki_indexes_exactly_the_stream_labels_of_each_shipping(shipping: str) -> None:
    """The labels the simulator's shipping gives a line (generator/sim/logs.py), the labels
    Loki indexes, and the labels the Logs dashboard selects on are one set."""
    config = Config(log_shipping=shipping)
    files = stack_files(config)
    loki_cfg = yaml.safe_load(files[Path("stack/loki.yml")])
    indexed = {loki_label(a) for a in
               loki_cfg["limits_config"]["otlp_config"]["resource_attributes"]["attributes_config"][0]["attributes"]}
    record = (0.0, "WARN", "duroxide::runtime", "m", (("instance_id", "\"i\""), ("orchestration_name", "\"o\""),
                                                       ("activity_name", "\"a\"")))
    shipped = {name for name, _ in stream_labels(record, shipping, config.job)}
    assert indexed == shipped
    selected = set(re.findall(r"(\w+)=~?\"", logql.stream(config, "error").split("}")[0]))
    assert selected and selected <= indexed
    collector = yaml.safe_load(files[Path("stack/otel-collector.yml")])
    grouped = set(collector["processors"].get("groupbyattrs/streams", {}).get("keys", []))
    assert grouped == {a for a in STREAM_ATTRIBUTES[shipping] if not a.startswith("service.")}


def test_retention_is_set_from_config() -> None:
    config = Config(log_retention_days=3, metrics_retention_days=9)
    files = stack_files(config)
    loki_cfg = yaml.safe_load(files[Path("stack/loki.yml")])
    assert loki_cfg["limits_config"]["retention_period"] == "72h"
    assert loki_cfg["compactor"]["retention_enabled"] is True
    compose = yaml.safe_load(files[Path("stack/docker-compose.yml")])
    assert "--storage.tsdb.retention.time=9d" in compose["services"]["prometheus"]["command"]


def test_build_check_names_a_stale_stack_file(tmp_path: Path) -> None:
    out = tmp_path / "obs"
    shutil.copytree(OBS, out)
    dashgen = tool("dashgen")
    assert subprocess.run([dashgen, "build", "--check", "--out", str(out)], cwd=ROOT, capture_output=True).returncode == 0
    (out / "stack" / "loki.yml").write_text("hand edit\n")
    result = subprocess.run([dashgen, "build", "--check", "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert f"stale: {out / 'stack' / 'loki.yml'}" in result.stderr


def test_output_is_byte_stable() -> None:
    assert stack_files(Config()) == stack_files(Config())
    for path, text in stack_files(Config()).items():
        assert (OBS / path).read_text(encoding="utf-8") == text, path


@pytest.mark.parametrize("env_name", ["local", "aks", "e1"])
def test_every_environment_builds_a_valid_stack(env_name: str, tmp_path: Path) -> None:
    """`ENV=NAME make dashboards` writes a stack its tools accept, with that env's endpoints."""
    files = stack_files(config_module.load(env_name))
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    stack = tmp_path / "stack"
    assert run(tool("promtool"), "check", "config", str(stack / "prometheus.yml")).returncode == 0
    assert run(tool("amtool"), "check-config", str(stack / "alertmanager.yml")).returncode == 0
    assert compose_problems(stack / "docker-compose.yml", tmp_path / f"env.{'aks' if env_name == 'aks' else 'local'}.example") == ""
    config = config_module.load(env_name)
    prom = yaml.safe_load(files[Path("stack/prometheus.yml")])
    targets = {t for job in prom["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]}
    assert config.toygres_target in targets
    assert prom["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == [
        config.alertmanager_url.split("://", 1)[1]]
