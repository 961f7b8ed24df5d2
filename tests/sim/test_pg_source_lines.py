"""duroxide-pg's log lines as its source writes them, not as the catalogue says: each event's
macro call is copied from duroxide-pg v0.1.27 src/provider.rs, read with tracing's macro rules
(`target: x` sets the event's target; `target = x` is a field like any other, so the target
stays the module path, duroxide_pg::provider), and the lines the simulator writes must be
exactly that. The reference (shared/reference/duroxide-logs.md) says nothing of it; the
catalogue once took the field for the target, and every check agreed with itself."""

from __future__ import annotations

import re

import pytest

from generator.log_catalogue import BY_KEY, DEBUG, DISPLAY, NUMBER, QUOTED
from tests.sim.helpers import simulate

WINDOW = {"duration_seconds": 3600, "fault_start_seconds": 1200}
# The crate (Cargo.toml `name = "duroxide-pg"`) and the file: the default target of an event is
# module_path!(), the crate name with `-` as `_`, then the module.
MODULE_PATH = "duroxide_pg::provider"

# Verbatim from `git show v0.1.27:src/provider.rs` (github.com/microsoft/duroxide-pg).
SOURCE = {
    "pg.retryable": ("provider.rs:295-301", '''warn!(
                            target = "duroxide::providers::postgres",
                            operation = "fetch_orchestration_item",
                            attempt = attempt + 1,
                            error = %provider_err,
                            "Retryable error, will retry"
                        );'''),
    "pg.ack_worker_not_found": ("provider.rs:1019-1025", '''error!(
                    target = "duroxide::providers::postgres",
                    operation = "ack_worker",
                    error_type = "worker_item_not_found",
                    token = %token,
                    "Worker queue item not found or already processed"
                );'''),
}
_LEVEL = {"trace": "TRACE", "debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR"}


def _tracing_event(call: str) -> tuple[str, str, str, list[tuple[str, str, str | None]]]:
    """(level, target, message, [(field, kind, literal value)]) of a tracing event macro call,
    as tracing-subscriber's fmt prints it: the message first, then the fields in macro order;
    `%x` Display, `?x` Debug, a string literal quoted, anything else (here integers) bare."""
    macro, body = re.fullmatch(r"(\w+)!\((.*)\);", call.strip(), re.S).groups()
    args = [a.strip() for a in re.split(r",\s*(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", body) if a.strip()]
    target, fields = MODULE_PATH, []
    *pairs, message = args
    for pair in pairs:
        if re.match(r"target\s*:", pair):  # the metadata target: only ever with a colon
            target = pair.split(":", 1)[1].strip().strip('"')
            continue
        name, value = (p.strip() for p in pair.split("=", 1))
        if value.startswith("%"):
            fields.append((name, DISPLAY, None))
        elif value.startswith("?"):
            fields.append((name, DEBUG, None))
        elif value.startswith('"'):
            fields.append((name, QUOTED, value))
        else:
            fields.append((name, NUMBER, None))
    return _LEVEL[macro], target, message.strip('"'), fields


def test_the_macro_reading_takes_a_colon_for_the_target_and_an_equals_sign_for_a_field():
    assert _tracing_event('warn!(target: "a::b", x = 1, "m");')[1] == "a::b"
    assert _tracing_event('warn!(target = "a::b", x = 1, "m");')[1:] == (
        MODULE_PATH, "m", [("target", QUOTED, '"a::b"'), ("x", NUMBER, None)])


@pytest.mark.parametrize("key", sorted(SOURCE))
def test_catalogue_event_is_the_source_macro(key):
    where, call = SOURCE[key]
    level, target, message, fields = _tracing_event(call)
    event = BY_KEY[key]
    assert where in event.source
    assert (event.level, event.target, event.template) == (level, target, message)
    assert [(f.name, f.kind) for f in event.fields] == [(name, kind) for name, kind, _ in fields]


# (scenario, event, span name, operation): runs that write each event.
WRITTEN = [
    ("database-down", "pg.retryable", "fetch_orchestration_item", "fetch_orchestration_item"),
    ("database-slow", "pg.retryable", "ack_orchestration_item", "ack_orchestration_item"),
    # An activity orphaned by its instance's end: its row was deleted by the terminal ack.
    ("healthy", "pg.ack_worker_not_found", "ack_work_item", "ack_worker"),
]


@pytest.mark.parametrize("scenario, key, span, operation", WRITTEN, ids=[f"{w[0]}-{w[2]}" for w in WRITTEN])
def test_simulated_duroxide_pg_lines_have_the_module_path_as_target_and_the_target_field_first(
        scenario, key, span, operation):
    """Read off the line text (not parsed with the catalogue), e.g. `<ts>  WARN <span>{...}:
    duroxide_pg::provider: Retryable error, will retry target="duroxide::providers::postgres"
    operation="..." attempt=N error=...`."""
    level, target, message, fields = _tracing_event(SOURCE[key][1].replace(
        '"fetch_orchestration_item"', f'"{operation}"'))
    result = simulate([scenario], **WINDOW)
    lines = [line.rstrip("\n") for record, line in zip(result.logs.ordered(), result.log_lines())
             if record.event == key and line.split(f" {level} ", 1)[1].startswith(span + "{")]
    assert lines
    literal = " ".join(f"{name}={value}" for name, kind, value in fields if value is not None)
    assert literal.startswith(f'target="duroxide::providers::postgres" operation="{operation}"')
    value = {NUMBER: r"\d+", DISPLAY: r".+?", DEBUG: r".+?"}
    tail = "".join(f" {re.escape(name)}=" + (re.escape(v) if v is not None else value[kind]) for name, kind, v in fields)
    for line in lines:
        head = re.match(rf"^\S+Z +{level} {span}\{{.*\}}: (?P<target>[\w:]+): (?P<rest>.*)$", line)
        assert head, line
        assert head["target"] == target == "duroxide_pg::provider", line
        assert head["rest"].startswith(f"{message} {literal} "), line
        assert re.fullmatch(re.escape(message) + tail, head["rest"]), line
