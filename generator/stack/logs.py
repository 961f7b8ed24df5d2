"""The Loki stream labels of each log shipping method, as OTLP attribute names: the contract
between the collector (which sets them), Loki (which indexes exactly them) and the Logs
dashboard (whose selectors generator/authoring/logql.py writes for config.log_shipping)."""

from __future__ import annotations

from generator.config import Config

# push: the old push script's {job, level, source}; promtail: its json stage's labels; otlp:
# the resource's service.name only (Loki turns the dot into service_name).
STREAM_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "push": ("job", "level", "source"),
    "promtail": ("activity_name", "instance_id", "level", "orchestration_name"),
    "otlp": ("service.name",),
}


def stream_attributes(config: Config) -> tuple[str, ...]:
    return STREAM_ATTRIBUTES[config.log_shipping]


def loki_label(attribute: str) -> str:
    """The Loki label an OTLP resource attribute becomes (dots and dashes to underscores)."""
    return attribute.replace(".", "_").replace("-", "_")
