"""The log lines duroxide and Toygres write (tracing's text format), and the Loki streams each
shipping method put them in: push script, Promtail, or OTLP."""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

# (simulated seconds, LEVEL, target, message, ((field, rendered value), ...))
LogRecord = tuple[float, str, str, str, tuple[tuple[str, str], ...]]

RUNTIME = "duroxide::runtime"
ORCHESTRATION = "duroxide::orchestration"
ACTIVITY = "duroxide::activity"
# duroxide's default filter "warn,duroxide::orchestration=info,duroxide::activity=info".
_MIN_LEVEL = {"info": {"ERROR", "WARN", "INFO"}, "debug": {"ERROR", "WARN", "INFO", "DEBUG"}}


def quoted(value: str) -> str:
    """A field recorded as a &str value: tracing prints it Debug-formatted, in quotes."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class LogBook:
    """Collects the window's log lines in time order, filtered like duroxide's default filter."""

    def __init__(self, level: str) -> None:
        self.records: list[LogRecord] = []
        self._levels = _MIN_LEVEL[level]
        self._runtime_levels = {"ERROR", "WARN"} if level == "info" else self._levels

    def wants(self, level: str, target: str) -> bool:
        allowed = self._runtime_levels if target == RUNTIME else self._levels
        return level in allowed

    def add(self, t: float, level: str, target: str, message: str, fields: tuple[tuple[str, str], ...]) -> None:
        if t >= 0.0 and self.wants(level, target):
            self.records.append((t, level, target, message, fields))


def rfc3339_micros(micros: int) -> str:
    seconds, fraction = divmod(micros, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{fraction:06d}Z"


def format_line(micros: int, record: LogRecord) -> str:
    """`<RFC3339 ts>  LEVEL target: message key=value ...` as tracing-subscriber prints it."""
    _, level, target, message, fields = record
    tail = " ".join(f"{k}={v}" for k, v in fields)
    return f"{rfc3339_micros(micros)} {level:>5} {target}: {message}" + (f" {tail}" if tail else "")


def stream_labels(record: LogRecord, shipping: str, job: str) -> tuple[tuple[str, str], ...]:
    """The Loki stream a line lands in under each shipping method."""
    level = record[1].lower()
    if shipping == "push":
        return (("job", job), ("level", level), ("source", "server"))
    if shipping == "otlp":
        # OTLP logs: the resource's service.name only; no job, no level label.
        return (("service_name", "toygres"),)
    # Promtail's json stage promoted these fields to labels; instance_id as a label makes a
    # stream per instance (the cardinality trap), reproduced on purpose.
    labels = [("level", level)]
    wanted = ("instance_id", "orchestration_name", "activity_name")
    labels.extend((k, v.strip('"')) for k, v in record[4] if k in wanted)
    return tuple(sorted(labels))


def loki_push_body(records: Sequence[LogRecord], to_micros: Callable[[float], int],
                   shipping: str, job: str) -> dict[str, Any]:
    """Loki's push API JSON: {"streams": [{"stream": {...}, "values": [[ns, line], ...]}]}."""
    streams: dict[tuple[tuple[str, str], ...], list[list[str]]] = {}
    for record in records:
        micros = to_micros(record[0])
        key = stream_labels(record, shipping, job)
        streams.setdefault(key, []).append([str(micros * 1000), format_line(micros, record)])
    return {"streams": [{"stream": dict(key), "values": values} for key, values in sorted(streams.items())]}
