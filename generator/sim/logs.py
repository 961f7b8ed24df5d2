"""The log lines Toygres writes (tracing-subscriber's plain-text fmt layer, Toygres' filter),
each one an event of the log catalogue, and the Loki streams each shipping method put them in.

Toygres installs its own subscriber before duroxide's (toygres-server main.rs:20-94), so its
filter and plain-text format apply, not duroxide's defaults. The book keeps every line it lets
through together with its catalogue event: that record is the truth `dashgen check` compares a
log panel's selection with.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping, NamedTuple, Sequence

from generator.log_catalogue import (
    APP_ACTIVITY, APP_ORCHESTRATION, BY_KEY, DEBUG, DISPLAY, NUMBER, QUOTED, RUNTIME, LogEvent,
)

ORCHESTRATION = APP_ORCHESTRATION
ACTIVITY = APP_ACTIVITY
DUROXIDE_VERSION = "0.1.26"
# duroxide-pg v0.1.27 is the release built against duroxide 0.1.26.
PROVIDER = ("duroxide-pg", "0.1.27")

# Toygres' EnvFilter directives (toygres-server main.rs:25-37 when RUST_LOG is unset; the AKS
# configmap deploy/k8s/configmap.yaml:13). A directive matches a target prefix, so `duroxide=`
# also covers duroxide_pg; the longest matching prefix decides.
FILTERS = {
    "local": "info,toygres_server=debug,toygres_orchestrations=debug,duroxide=info,duroxide::runtime=debug,"
             "duroxide::runtime::dispatchers=debug,duroxide_pg=info,sqlx::query=warn",
    "kubernetes": "info,toygres_server=debug,toygres_orchestrations=debug,duroxide=info",
}
_RANK = {"TRACE": 0, "DEBUG": 1, "INFO": 2, "WARN": 3, "ERROR": 4, "OFF": 5}


class LogRecord(NamedTuple):
    """One emitted line: simulated seconds, level, target, message, rendered fields, event key."""

    t: float
    level: str
    target: str
    message: str
    fields: tuple[tuple[str, str], ...]
    event: str
    # The #[instrument] span prefix `name{fields}` ("" for duroxide's own lines, which have none).
    span: str = ""


def parse_filter(text: str) -> tuple[int, tuple[tuple[str, int], ...]]:
    """An EnvFilter string -> (default rank, ((target prefix, rank), ...) longest first)."""
    default = _RANK["ERROR"]
    directives: list[tuple[str, int]] = []
    for part in (p.strip() for p in FILTERS.get(text, text).split(",")):
        if not part:
            continue
        target, _, level = part.rpartition("=")
        rank = _RANK.get(level.upper())
        if rank is None:
            raise ValueError(f"log filter directive {part!r}: unknown level {level!r}")
        if target:
            directives.append((target, rank))
        else:
            default = rank
    return default, tuple(sorted(directives, key=lambda d: -len(d[0])))


def render(kind: str, value: Any) -> str:
    """A field value as tracing-subscriber's default field formatter prints it."""
    if kind == QUOTED:
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    if kind == DEBUG:
        return "None" if value is None else f'Some("{value}")'
    if kind == NUMBER and isinstance(value, bool):
        return "true" if value else "false"
    if kind == DISPLAY and isinstance(value, float):
        return _display_float(value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def _display(value: Any) -> str:
    if type(value) is str:
        return value
    return render(DISPLAY, value)


def _number(value: Any) -> str:
    return str(value) if type(value) is int else render(NUMBER, value)


def _display_float(value: float) -> str:
    """Rust's Display for f32: no trailing `.0` (1.0 -> "1", 0.5 -> "0.5")."""
    return str(int(value)) if value == int(value) else repr(value)


def provider_error_debug(operation: str, message: str, retryable: bool) -> str:
    """`{:?}` of duroxide's ProviderError (derived Debug), as the fetch warnings print it."""
    escaped = message.replace("\\", "\\\\").replace('"', '\\"')
    return (f'ProviderError {{ operation: "{operation}", message: "{escaped}", '
            f"retryable: {'true' if retryable else 'false'} }}")


_RENDER = {DISPLAY: _display, NUMBER: _number, QUOTED: lambda v: render(QUOTED, v), DEBUG: lambda v: render(DEBUG, v)}


class LogBook:
    """Collects the window's lines in emission order, filtered like Toygres' subscriber."""

    def __init__(self, log_filter: str = "local") -> None:
        self.records: list[LogRecord] = []
        self.filter = log_filter
        self._default, self._directives = parse_filter(log_filter)
        self._cache: dict[tuple[str, str], bool] = {}

    def ordered(self) -> list[LogRecord]:
        """The lines in time order (interval-accounted events are written after later ones)."""
        return sorted(self.records, key=lambda r: r.t)

    def wants(self, level: str, target: str) -> bool:
        key = (level, target)
        hit = self._cache.get(key)
        if hit is None:
            floor = next((rank for prefix, rank in self._directives if target.startswith(prefix)), self._default)
            hit = self._cache[key] = _RANK[level] >= floor
        return hit

    def wants_event(self, key: str, level: str | None = None) -> bool:
        event = BY_KEY[key]
        return self.wants(level or event.level, event.target)

    def emit(self, t: float, key: str, values: Mapping[str, Any] | Sequence[Any] = (), *,
             args: Mapping[str, Any] | None = None, level: str | None = None, span: str = "") -> None:
        """Write catalogue event `key` at t: field values in macro order (or by name), message
        arguments for templated messages, the level for application traces, the span prefix
        of events written inside an #[instrument]ed function."""
        event = BY_KEY[key]
        level = level or event.level
        if t < 0.0 or level not in event.levels or not self.wants(level, event.target):
            return
        if bool(span) != bool(event.spans) or (span and span.split("{", 1)[0] not in event.spans):
            raise ValueError(f"log event {key}: span {span!r}, expected one of {event.spans}")
        message = event.message(args) if args else event.template
        self.records.append(LogRecord(t, level, event.target, message, _fields(event, values), key, span))


# Per catalogue event: each field's name and renderer, in macro order.
_PLANS: dict[str, tuple[tuple[str, Callable[[Any], str]], ...]] = {}


def _fields(event: LogEvent, values: Mapping[str, Any] | Sequence[Any]) -> tuple[tuple[str, str], ...]:
    if type(values) is tuple:
        plan = _PLANS.get(event.key)
        if plan is None:
            plan = _PLANS[event.key] = tuple((f.name, _RENDER[f.kind]) for f in event.fields)
        if len(values) == len(plan):
            return tuple([(name, render_(v)) for (name, render_), v in zip(plan, values)])
    if isinstance(values, Mapping):
        missing = [f.name for f in event.fields if f.name not in values]
        extra = sorted(set(values) - set(event.field_names))
        if missing or extra:
            raise ValueError(f"log event {event.key}: missing fields {missing}, unknown fields {extra}")
        ordered = [values[f.name] for f in event.fields]
    else:
        ordered = list(values)
        if len(ordered) != len(event.fields):
            raise ValueError(f"log event {event.key}: {len(ordered)} values for fields {event.field_names}")
    return tuple((f.name, render(f.kind, v)) for f, v in zip(event.fields, ordered))


def rfc3339_micros(micros: int) -> str:
    seconds, fraction = divmod(micros, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{fraction:06d}Z"


def format_line(micros: int, record: LogRecord | tuple[Any, ...]) -> str:
    """`<RFC3339 µs>Z <LEVEL padded to 5> [<span>{<fields>}: ]<target>: <message> key=value ...`
    (fmt's Full format without ANSI, as Toygres configures it on Kubernetes; an event inside an
    #[instrument]ed span is prefixed by the span)."""
    _, level, target, message, fields = record[:5]
    span = record[6] if len(record) > 6 else ""
    tail = " ".join(f"{k}={v}" for k, v in fields)
    scope = f"{span}: " if span else ""
    return f"{rfc3339_micros(micros)} {level:>5} {scope}{target}: {message}" + (f" {tail}" if tail else "")


def push_level(line: str) -> str:
    """The old push script's `level` label: a case-sensitive substring test on the whole line
    (scripts/push-logs-to-loki.sh:43-49 at b6aac49); DEBUG lines become "info"."""
    return "error" if "ERROR" in line else "warn" if "WARN" in line else "info"


def stream_labels(record: LogRecord | tuple[Any, ...], shipping: str, job: str,
                  line: str | None = None) -> tuple[tuple[str, str], ...]:
    """The Loki stream a line lands in under each shipping method."""
    if shipping == "push":
        level = push_level(line) if line is not None else {"ERROR": "error", "WARN": "warn"}.get(record[1], "info")
        return (("job", job), ("level", level), ("source", "server"))
    if shipping == "otlp":
        # OTLP logs: the resource's service.name only; no job, no level label.
        return (("service_name", "toygres"),)
    # Promtail's json stage promoted these fields to labels; instance_id as a label makes a
    # stream per instance (the cardinality trap), reproduced on purpose.
    labels = [("level", record[1].lower())]
    wanted = ("instance_id", "orchestration_name", "activity_name")
    labels.extend((k, v.strip('"')) for k, v in record[4] if k in wanted)
    return tuple(sorted(labels))


def loki_push_body(records: Sequence[LogRecord], to_micros: Callable[[float], int],
                   shipping: str, job: str, with_events: bool = False) -> dict[str, Any]:
    """Loki's push API JSON: {"streams": [{"stream": {...}, "values": [[ns, line], ...]}]}.
    `with_events` adds each stream's truth beside its values (not for Loki): per line its
    catalogue event, level, the instance it names ("" if none) and its duration_ms ("")."""
    streams: dict[tuple[tuple[str, str], ...], list[list[str]]] = {}
    truth: dict[tuple[tuple[str, str], ...], list[list[Any]]] = {}
    for record in sorted(records, key=lambda r: r[0]):
        micros = to_micros(record[0])
        line = format_line(micros, record)
        key = stream_labels(record, shipping, job, line)
        streams.setdefault(key, []).append([str(micros * 1000), line])
        if with_events:
            fields = dict(record[4])
            instance = fields.get("instance_id") or fields.get("instance") or ""
            truth.setdefault(key, []).append([record[5], record[1], instance, fields.get("duration_ms", "")])
    body = []
    for key, values in sorted(streams.items()):
        stream: dict[str, Any] = {"stream": dict(key), "values": values}
        if with_events:
            stream["events"] = truth[key]
        body.append(stream)
    return {"streams": body}


def startup_line(book: LogBook, t: float) -> None:
    """Runtime::start's INFO line (every process start)."""
    book.emit(t, "runtime.starting", args={"version": DUROXIDE_VERSION, "provider": PROVIDER[0],
                                          "provider_version": PROVIDER[1]})


__all__ = ["LogBook", "LogRecord", "RUNTIME", "ORCHESTRATION", "ACTIVITY", "format_line", "stream_labels",
           "loki_push_body", "render", "provider_error_debug", "startup_line", "FILTERS"]
