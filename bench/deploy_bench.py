"""Deploy bench: 200 synthetic dashboards to the Grafana emulator. Prints requests by kind and
wall time for a first deploy (concurrent, and sequential for comparison), a re-deploy with
nothing changed (must write 0) and a deploy with one dashboard changed (must write 1).

The emulator runs in-process on loopback and adds a fixed latency to every answer to stand in
for a real Grafana's database time; the times are not a real Grafana's."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/deploy_bench.py` as well as `python -m bench`
    sys.path.insert(0, str(ROOT))

from generator.config import Config  # noqa: E402
from generator.deploy import compiled as compiled_module  # noqa: E402
from generator.deploy.client import GrafanaClient  # noqa: E402
from generator.deploy.deployer import DeployRequest, run_deploy  # noqa: E402
from generator.deploy.settings import ConnectionSettings  # noqa: E402
from tests.emulator import GrafanaEmulator  # noqa: E402

DASHBOARDS = 200
CONCURRENCY = 8
PANELS = 12
# Per-request server time the emulator simulates (a real Grafana on SQLite answers in ~2-20 ms).
LATENCY_SECONDS = 0.005


def synthetic_dashboard(index: int, config: Config) -> dict[str, Any]:
    """A dashboard about the size of a real Toygres one: 12 panels with a query each."""
    uid = f"bench-{index:03d}"
    ds = {"type": "prometheus", "uid": config.prometheus_uid}
    return {
        "uid": uid, "title": f"Bench dashboard {index:03d}", "tags": [config.managed_tag, "bench"],
        "schemaVersion": config.schema_version, "time": {"from": "now-1h", "to": "now"},
        "panels": [{"id": p + 1, "type": "timeseries", "title": f"Panel {p + 1}", "datasource": ds,
                    "gridPos": {"h": 8, "w": 12, "x": 12 * (p % 2), "y": 8 * (p // 2)},
                    "targets": [{"refId": "A", "datasource": ds,
                                 "expr": f'sum by (instance) (rate(duroxide_metric_{p}_total{{job=~"$job"}}[$__rate_interval]))'}]}
                   for p in range(PANELS)],
    }


def _write_output(root: Path, count: int, config: Config) -> None:
    dashboards = root / "grafana" / "dashboards"
    dashboards.mkdir(parents=True)
    for index in range(count):
        data = synthetic_dashboard(index, config)
        (dashboards / f"{data['uid']}.json").write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    datasources = root / "grafana" / "provisioning" / "datasources"
    datasources.mkdir(parents=True)
    (datasources / "datasources.yaml").write_text(
        f"apiVersion: 1\ndatasources:\n  - name: {config.prometheus_name}\n    type: prometheus\n"
        f"    uid: {config.prometheus_uid}\n", encoding="utf-8")


def _kind(method: str, path: str) -> str:
    for prefix, name in (("/api/health", "health"), ("/api/search", "search"), ("/api/folders", "folder"),
                         ("/api/datasources", "datasource"), ("/api/dashboards", "dashboard"),
                         ("/api/v1/provisioning", "alerting")):
        if path.startswith(prefix):
            return f"{method} {name}"
    return f"{method} {path}"


def _phase(grafana: GrafanaEmulator, settings: ConnectionSettings, root: Path, artifacts: Path) -> dict[str, Any]:
    config = Config()
    output = compiled_module.load(root, config)
    grafana.clear_log()
    client = GrafanaClient(settings)
    started = time.perf_counter()
    try:
        report = run_deploy(client, config, output, DeployRequest(commit="bench", artifacts_dir=artifacts))
    finally:
        client.close()
    wall = time.perf_counter() - started
    kinds = Counter(_kind(r.method, r.path) for r in grafana.requests())
    writes = sum(n for kind, n in kinds.items() if not kind.startswith("GET"))
    return {"wall_seconds": round(wall, 3), "requests": sum(kinds.values()), "writes": writes,
            "reads": sum(kinds.values()) - writes, "by_kind": dict(sorted(kinds.items())),
            "failed": len(report.failed)}


def run(count: int = DASHBOARDS, concurrency: int = CONCURRENCY, latency: float = LATENCY_SECONDS) -> dict[str, Any]:
    """Three deploys of `count` dashboards against a fresh emulator, plus a sequential first deploy."""
    config = Config()
    results: dict[str, Any] = {"dashboards": count, "concurrency": concurrency, "panels_per_dashboard": PANELS,
                               "simulated_latency_seconds": latency}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "observability"
        _write_output(root, count, config)
        for label, workers in (("sequential_first_deploy", 1), ("first_deploy", concurrency)):
            with GrafanaEmulator(latency_seconds=latency) as grafana:
                grafana.add_datasource(config.prometheus_uid, config.prometheus_name)
                settings = ConnectionSettings(url=grafana.url, token="admin-token", concurrency=workers)
                results[label] = _phase(grafana, settings, root, Path(tmp) / "artifacts")
                if workers == concurrency:
                    results["redeploy_unchanged"] = _phase(grafana, settings, root, Path(tmp) / "artifacts")
                    path = root / "grafana" / "dashboards" / "bench-042.json"
                    data = json.loads(path.read_text(encoding="utf-8"))
                    data["panels"][3]["title"] = "Changed panel"
                    path.write_text(json.dumps(data), encoding="utf-8")
                    results["one_changed"] = _phase(grafana, settings, root, Path(tmp) / "artifacts")
    assert results["redeploy_unchanged"]["writes"] == 0, results["redeploy_unchanged"]
    assert results["one_changed"]["writes"] == 1, results["one_changed"]
    return results


def _print(results: dict[str, Any]) -> None:
    print(f"deploy bench: {results['dashboards']} dashboards x {results['panels_per_dashboard']} panels, "
          f"emulator on loopback with {results['simulated_latency_seconds'] * 1000:g} ms per answer, "
          f"concurrency {results['concurrency']}")
    for label in ("sequential_first_deploy", "first_deploy", "redeploy_unchanged", "one_changed"):
        phase = results[label]
        kinds = ", ".join(f"{kind} {n}" for kind, n in phase["by_kind"].items())
        print(f"  {label:<24} {phase['wall_seconds']:>6.2f} s  {phase['requests']:>4} requests "
              f"({phase['reads']} reads, {phase['writes']} writes): {kinds}")


if __name__ == "__main__":
    _print(run())
