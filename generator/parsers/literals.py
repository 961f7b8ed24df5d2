"""Durations, numbers and quoted strings as PromQL and LogQL spell them, shared by both converters."""

from __future__ import annotations

import re

__all__ = ["format_duration", "parse_bytes", "parse_duration", "parse_number", "unquote_string"]

# Prometheus' model.ParseDuration: units in this order, each at most once; `0` alone is allowed.
_DURATION_RE = re.compile(r"(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?")
_UNIT_MS = (365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000, 1)
# Units format_duration may pick, largest first; weeks and years are left out because Grafana
# writes `7d`, not `1w`.
_FORMAT_UNITS = (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1))
# Go string escapes as Prometheus' strutil.Unquote accepts them.
_ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{2}|[0-7]{3}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[abfnrtv\\'\"]|.?)", re.S)
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
# Loki's humanize.ParseBytes units (the lezer grammar's Bytes token), lower-cased.
_BYTES_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgtpe]?i?b)", re.I)
_BYTES_POWERS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6}


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration such as `5m`, `1h30m`, `90s`, `1d` or `500ms`."""
    if text == "0":
        return 0.0
    match = _DURATION_RE.fullmatch(text)
    if not text or match is None:
        raise ValueError(f"not a valid duration: {text!r}")
    return sum(int(group) * unit for group, unit in zip(match.groups(), _UNIT_MS, strict=True) if group) / 1000


def format_duration(seconds: float) -> str:
    """The shortest Prometheus duration for a number of seconds, in the largest unit that divides it (`4m`, `90s`)."""
    millis = round(seconds * 1000)
    if millis <= 0:
        return "0s"
    for unit, size in _FORMAT_UNITS:
        if millis % size == 0:
            return f"{millis // size}{unit}"
    raise AssertionError("unreachable: every whole number of milliseconds divides by 1 ms")


def parse_number(text: str) -> float:
    """The value of a PromQL number literal: decimal, hex, Inf/NaN, `1_000`, or a duration in seconds."""
    text = "".join(text.split())
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    lowered = body.lower()
    if lowered.startswith("0x"):
        return sign * int(lowered[2:], 16)
    if lowered in ("inf", "nan"):
        return sign * float(lowered)
    if body[-1:].isalpha() and _DURATION_RE.fullmatch(body):
        return sign * parse_duration(body)
    return sign * float(body)


def parse_bytes(text: str) -> float:
    """Bytes in a LogQL size such as `10KB` or `1MiB` (SI units are powers of 1000, IEC of 1024)."""
    match = _BYTES_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a valid byte size: {text!r}")
    number, unit = float(match.group(1)), match.group(2).lower()
    base = 1024.0 if "i" in unit else 1000.0
    return number * base ** _BYTES_POWERS[unit[:-2] if "i" in unit else unit[:-1]]


def unquote_string(text: str) -> str:
    """The value of a quoted PromQL/LogQL string ("..", '..' or `..`), raising ValueError when malformed."""
    quote = text[:1]
    if len(text) < 2 or text[-1] != quote or quote not in "\"'`":
        raise ValueError("unterminated quoted string")
    body = text[1:-1]
    if quote == "`":
        return body

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[code]
        if code == quote:
            return quote
        if code[:1] in ("x", "u", "U"):
            return chr(int(code[1:], 16))
        if len(code) == 3 and code.isdigit():
            return chr(int(code, 8))
        raise ValueError(f"unknown escape sequence \\{code}")

    return _ESCAPE_RE.sub(replace, body)
