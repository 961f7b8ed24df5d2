"""Helpers for alert definitions: concrete queries (no dashboard variables) and runbook links."""

from __future__ import annotations

from generator.config import Config
from generator.parsers.macros import substitute

RULE_WINDOW_SECONDS = 300


def concrete(config: Config, query: str, window_seconds: int = RULE_WINDOW_SECONDS) -> str:
    """A dashboard query made standalone: $job pinned, filter variables at All, 5m windows.

    Alert rules run outside any dashboard, so Grafana's variables and macros must go.
    """
    variables = {"job": config.job, "orchestration_name": ".+", "activity_name": ".+", "instance_id": ".*"}
    return substitute(query, variables, interval_seconds=config.scrape_interval_seconds,
                      rate_interval_seconds=window_seconds, range_seconds=window_seconds)


def job_selector(config: Config) -> str:
    """The concrete job matcher alert rules select with (`job="toygres"`, or
    `exported_job="toygres"` for E1's OpenTelemetry collector path)."""
    return f'{config.job_label}="{config.job}"'


def runbook(config: Config, name: str) -> str:
    """A rule's runbook: its section of the runbook page (derived when a rule sets none)."""
    return f"{config.runbook_base_url}#{name.lower()}"


def dashboard(module: str) -> str:
    """The uid of the dashboard defined by dashboards/<module>.py, as the compiler derives it."""
    from generator.compile.uids import uid_for

    return uid_for(module.replace("_", "-"))
