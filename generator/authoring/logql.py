"""LogQL string builders whose stream selectors follow the configured log shipping method.

Duroxide writes text lines `<ts>  LEVEL target: message key=value ...`. How they reach Loki
decides the stream labels: the push script labels {job, level, source}; Promtail labels level,
orchestration_name, activity_name (and instance_id, a cardinality trap we never select on);
OTLP gives {service_name} only, so the level must come from the line itself.
"""

from __future__ import annotations

from generator.config import Config

LEVELS = ("error", "warn", "info", "debug")


def stream(config: Config, level: str | None = None) -> str:
    """The stream selector plus, where the level is no label, a line filter on the level."""
    if config.log_shipping == "push":
        labels = [f'job="{config.job}"']
        if level:
            labels.append(f'level="{level}"')
        return "{" + ", ".join(labels) + "}"
    if config.log_shipping == "promtail":
        if level:
            return f'{{level="{level}"}}'
        return f'{{level=~"{"|".join(LEVELS)}"}}'
    base = f'{{service_name="{config.job}"}}'
    if level:
        # Two spaces separate the timestamp and the upper-case level in duroxide's format.
        return f'{base} |~ "^\\\\S+\\\\s+{level.upper()} "'
    return base


def with_instance(config: Config, level: str | None = None) -> str:
    """A stream narrowed to the `$instance_id` variable (".*" by default: every instance)."""
    return f'{stream(config, level)} |~ "instance_id=$instance_id"'


def count_over_time(query: str, window: str = "$__auto") -> str:
    return f"count_over_time({query} [{window}])"


def level_of(config: Config) -> str:
    """A pipeline stage that gives every line a `level` label (parsed where not a stream label)."""
    if config.log_shipping == "otlp":
        return ' | regexp "^\\\\S+\\\\s+(?P<level>[A-Z]+) "'
    return ""
