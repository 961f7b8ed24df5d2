"""LogQL string builders whose stream selectors follow the configured log shipping method.

Toygres' subscriber writes text lines `<ts> LEVEL target: message key=value ...` (the log
catalogue, generator/log_catalogue.py). How they reach Loki decides the stream labels: the push
script labels {job, level, source} (level by a substring test on the line); Promtail labels
level, orchestration_name, activity_name (and instance_id, a cardinality trap we never select
on); OTLP gives {service_name} only, so the level must come from the line itself.

duroxide names an instance two ways: lifecycle and outcome lines `instance_id=`, the
dispatchers' warnings `instance=`; store-level warnings name none. An instance filter must
match both spellings and, with no instance chosen, keep every line.
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


# With `$instance_id` empty the second alternative `^(?:)` keeps every line (store errors name
# no instance); with an id, only lines naming it as instance_id= or instance= match (a line
# starts with its timestamp, so `^(?:<id>)` never does).
INSTANCE_FILTER = r' |~ "instance(?:_id)?=$instance_id(?:\\s|$)|^(?:$instance_id)"'
# Store and dispatcher trouble: every line of duroxide's dispatchers, its worker's session and
# lock upkeep and the replay engine's system errors (fetch and ack failures, poison) at INFO+,
# and duroxide-pg's own lines after their span prefix. Their target column is the module path
# duroxide_pg::provider: duroxide-pg writes `target = "duroxide::providers::postgres"` with `=`,
# a field (provider.rs:295-301 at v0.1.27), so that name appears only as `target="..."` after the
# message. Its migrations' INFO line (target duroxide_pg::migrations, no span) stays out.
TROUBLE_TARGETS = (r"(?:duroxide::runtime::(?:dispatchers::\\w+|worker|replay_engine)"
                   r"|\\w+\\{.*\\}: duroxide_pg::provider)")


def with_instance(config: Config, level: str | None = None) -> str:
    """A stream narrowed to the `$instance_id` variable (empty by default: every line)."""
    return stream(config, level) + INSTANCE_FILTER


def levels_filter(levels: tuple[str, ...]) -> str:
    """A line filter on the level column (exact on every shipping method)."""
    return f' |~ "^\\\\S+ +(?:{"|".join(lv.upper() for lv in levels)}) "'


def trouble(config: Config, instance: bool = False) -> str:
    """Store and dispatcher trouble lines (INFO and up: lock renewal failures are INFO)."""
    base = stream(config) + (INSTANCE_FILTER if instance else "")
    return base + f' |~ "^\\\\S+ +(?:ERROR|WARN|INFO) {TROUBLE_TARGETS}: "'


def errors_and_trouble(config: Config) -> str:
    """Every ERROR line plus the store and dispatcher trouble duroxide writes at WARN/INFO."""
    return stream(config) + f' |~ "^\\\\S+ +(?:ERROR |(?:WARN|INFO) {TROUBLE_TARGETS}: )"'


def count_over_time(query: str, window: str = "$__auto") -> str:
    return f"count_over_time({query} [{window}])"


def level_of(config: Config) -> str:
    """A pipeline stage that gives every line a `level` label (parsed where not a stream label)."""
    if config.log_shipping == "otlp":
        return ' | regexp "^\\\\S+\\\\s+(?P<level>[A-Z]+) "'
    return ""
