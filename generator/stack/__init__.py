"""The observability stack generated from one Config: docker-compose.yml with pinned images,
prometheus.yml, alertmanager.yml, Loki's and the collector's configs, and the env examples.

`stack_files(config)` returns canonical text keyed by path under observability/; `dashgen
build` writes it with the dashboards (atomically, all or nothing) and `build --check` covers it.
"""

from __future__ import annotations

from pathlib import Path

from generator import config as config_module
from generator.canonical import GENERATED_NOTE, dump_yaml
from generator.config import Config
from generator.stack import alertmanager, collector, compose, envfiles, loki, prometheus
from generator.stack.topology import Placement

STACK_DIR = Path("stack")
ENV_EXAMPLES = ("local", "aks")


def stack_files(config: Config) -> dict[Path, str]:
    """Every stack file for `config` (placed as the compose stack sees its services)."""
    placement = Placement.compose(config)
    up = "Start: make stack-up (docker compose); check: make stack-status."
    files = {
        STACK_DIR / compose.PROMETHEUS_FILE: dump_yaml(prometheus.prometheus_config(config, placement)),
        STACK_DIR / compose.ALERTMANAGER_FILE: dump_yaml(
            alertmanager.alertmanager_config(config, placement.receivers), GENERATED_NOTE,
            "Receivers point at the stack's alert sink; the compose stack takes them from "
            "$TOYGRES_PAGER_WEBHOOK_URL / $TOYGRES_TICKET_WEBHOOK_URL instead."),
        STACK_DIR / compose.LOKI_FILE: dump_yaml(loki.loki_config(config)),
        STACK_DIR / compose.COLLECTOR_FILE: dump_yaml(collector.collector_config(config)),
        STACK_DIR / "docker-compose.yml": dump_yaml(compose.compose(config), GENERATED_NOTE, up),
    }
    for name in ENV_EXAMPLES:
        files[Path(f"env.{name}.example")] = envfiles.env_example(config_module.load(name), name)
    return files
