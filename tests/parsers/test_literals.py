"""Durations, numbers, byte sizes and quoted strings read exactly as Prometheus and Loki read them."""

from __future__ import annotations

import math

import pytest

from generator.parsers.literals import format_duration, parse_bytes, parse_duration, parse_number, unquote_string


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5m", 300),
        ("1h30m", 5400),
        ("90s", 90),
        ("1d", 86400),
        ("500ms", 0.5),
        ("1500ms", 1.5),
        ("1w", 604800),
        ("1y", 31536000),
        ("0", 0),
    ],
    ids=["minutes", "hours-and-minutes", "seconds", "day", "milliseconds", "ms-above-a-second", "week", "year", "zero"],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text",
    ["", "5", "m", "1m1h", "1.5m", "5 m", "-5m"],
    ids=["empty", "no-unit", "no-number", "units-out-of-order", "fraction", "space", "negative"],
)
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(60, "1m"), (240, "4m"), (15, "15s"), (3600, "1h"), (90, "90s"), (0, "0s")],
    ids=["1m", "4m", "15s", "1h", "90s", "zero"],
)
def test_format_duration_round_trips(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1),
        ("-2.5e3", -2500),
        ("0x1F", 31),
        ("1_000", 1000),
        (".5", 0.5),
        ("Inf", math.inf),
        ("-inf", -math.inf),
        ("5m", 300),
    ],
    ids=["int", "exponent", "hex", "underscores", "leading-dot", "inf", "negative-inf", "duration-as-number"],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value


def test_parse_number_nan() -> None:
    assert math.isnan(parse_number("NaN"))


@pytest.mark.parametrize(
    ("text", "value"),
    [("10KB", 10_000), ("1KiB", 1024), ("2MB", 2_000_000), ("5b", 5)],
    ids=["kilobytes", "kibibytes", "megabytes", "bytes"],
)
def test_parse_bytes(text: str, value: float) -> None:
    assert parse_bytes(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"a\\"b"', 'a"b'),
        ("'it\\'s'", "it's"),
        ("`raw\\n`", "raw\\n"),
        ('"\\n\\t\\\\"', "\n\t\\"),
        ('"\\x41\\u00e9\\101"', "Aé" + "A"),
    ],
    ids=["double-quoted", "single-quoted", "backticks-raw", "control-escapes", "hex-unicode-octal"],
)
def test_unquote_string(text: str, value: str) -> None:
    assert unquote_string(text) == value


@pytest.mark.parametrize(
    "text", ['"abc', '"a\\q"', "'a"], ids=["unterminated", "unknown-escape", "unterminated-single"]
)
def test_unquote_string_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        unquote_string(text)
