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


def runbook(config: Config, name: str) -> str:
    return f"{config.runbook_base_url}#{name.lower()}"
