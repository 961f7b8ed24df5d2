"""The template variables Toygres dashboards share; each is used by the panels that offer it."""

from __future__ import annotations

from generator.authoring.dashboard import Variable
from generator.authoring.panels import LOKI_DS, PROMETHEUS_DS
from generator.config import Config


def prometheus_datasource(config: Config) -> Variable:
    return Variable("datasource", "datasource", "Prometheus", "prometheus", config.prometheus_uid,
                    description="The Prometheus that scrapes Toygres (local or AKS).")


def loki_datasource(config: Config) -> Variable:
    return Variable("loki", "datasource", "Loki", "loki", config.loki_uid,
                    description="The Loki that receives duroxide's logs.")


def job(config: Config) -> Variable:
    """The job selector: `job` in era E2, `exported_job` behind the OTLP collector (E1)."""
    query = f"label_values(duroxide_orchestrator_queue_depth, {config.job_label})"
    return Variable("job", "query", "Job", query, config.job, datasource=PROMETHEUS_DS,
                    description=f"Value of the {config.job_label} label that marks Toygres series.")


def orchestration(config: Config) -> Variable:
    query = (f'label_values(duroxide_orchestration_starts_total{{{config.job_matcher}}}, '
             "orchestration_name)")
    return Variable("orchestration_name", "query", "Orchestration", query, "$__all",
                    multi=True, include_all=True, all_value=".+", datasource=PROMETHEUS_DS,
                    description="Restrict orchestration panels to some orchestrations.")


def activity(config: Config) -> Variable:
    query = (f'label_values(duroxide_activity_executions_total{{{config.job_matcher}}}, '
             "activity_name)")
    return Variable("activity_name", "query", "Activity", query, "$__all",
                    multi=True, include_all=True, all_value=".+", datasource=PROMETHEUS_DS,
                    description="Restrict activity panels to some activities.")


def instance_id() -> Variable:
    return Variable("instance_id", "textbox", "Instance id", "", "",
                    description="An instance id (create-…, delete-…, actor-…) or a regex; empty for "
                                "every line (store errors name no instance).",
                    datasource=None)


__all__ = ["prometheus_datasource", "loki_datasource", "job", "orchestration", "activity",
           "instance_id", "LOKI_DS"]
