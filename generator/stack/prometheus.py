"""prometheus.yml: the Toygres scrape job, the rule files compiled from alerts/, and alerting
to Alertmanager, all from Config so the job name and intervals match the dashboards' queries."""

from __future__ import annotations

from typing import Any

from generator.config import Config
from generator.stack.topology import COLLECTOR_JOB, Placement


def scrape_jobs(config: Config, placement: Placement) -> list[dict[str, Any]]:
    """Toygres first, then the collector's exporter, then the stack's own services.

    E2 (duroxide >= 0.1.15): Prometheus scrapes Toygres directly as job=config.job. E1: the
    series come from the collector's exporter, so that job must be named "otel-collector" and
    keep honor_labels false: the exporter's job/instance labels become exported_job /
    exported_instance, which config.job_label selects (observability/env/e1.yaml).
    """
    jobs: list[dict[str, Any]] = []
    collector_targets = [placement.collector_exporter] if placement.collector_exporter else []
    if config.era == "E2":
        jobs.append({"job_name": config.job, "static_configs": [{"targets": list(placement.toygres_targets)}]})
    else:
        # The E1 stand-in (the simulator in E1 mode) serves the exporter's page itself.
        collector_targets += list(placement.toygres_targets)
    if collector_targets:
        jobs.append({"job_name": COLLECTOR_JOB, "honor_labels": False,
                     "static_configs": [{"targets": collector_targets}]})
    jobs.extend({"job_name": name, "static_configs": [{"targets": [target]}]}
                for name, target in sorted(placement.self_targets.items()))
    return jobs


def prometheus_config(config: Config, placement: Placement) -> dict[str, Any]:
    interval = f"{config.scrape_interval_seconds}s"
    return {
        "global": {"scrape_interval": interval,
                   "evaluation_interval": f"{config.alert_evaluation_interval_seconds}s"},
        "rule_files": list(placement.rule_files),
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [placement.alertmanager]}]}]},
        "scrape_configs": scrape_jobs(config, placement),
    }
