"""The real compiled output (observability/) deploys to the emulator: a first deploy writes
every resource, the next writes nothing, and diff then shows no difference."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.emulator import GrafanaEmulator

ROOT = Path(__file__).resolve().parents[2]


def test_compiled_output_deploys_then_redeploys_with_zero_writes(tmp_path: Path) -> None:
    grafana = GrafanaEmulator().start()
    try:
        grafana.add_datasource("toygres-prometheus", "Toygres Prometheus")
        grafana.add_datasource("toygres-loki", "Toygres Loki", "loki")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRAFANA_")}
        env.update(GRAFANA_URL=grafana.url, GRAFANA_TOKEN="admin-token",
                   TOYGRES_PAGER_WEBHOOK_URL="http://127.0.0.1:9/pager",
                   TOYGRES_TICKET_WEBHOOK_URL="http://127.0.0.1:9/tickets")

        def dashgen(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "generator", *args, "--artifacts", str(tmp_path)],
                                  cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

        first = dashgen("deploy")
        assert first.returncode == 0, first.stderr
        assert "6 created" in first.stdout
        assert "rule-group toygres/toygres-slo created" in first.stdout
        again = dashgen("deploy")
        assert again.returncode == 0, again.stderr
        assert "0 write requests" in again.stdout
        diff = subprocess.run([sys.executable, "-m", "generator", "diff", "--exit-code"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert diff.returncode == 0 and "dashgen: no changes" in diff.stderr, diff.stderr
    finally:
        grafana.stop()
