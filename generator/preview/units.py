"""Grafana's value formatting for the units our dashboards use (the preview's subset; the same
rules are in templates/preview.js for axis ticks)."""

from __future__ import annotations

import math

SI = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K"))
BYTES = ((1024 ** 4, "TiB"), (1024 ** 3, "GiB"), (1024 ** 2, "MiB"), (1024, "KiB"))
DECBYTES = ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB"))
RATE_SUFFIX = {"reqps": " req/s", "ops": " ops/s", "rps": " rd/s", "wps": " wr/s", "cps": " c/s",
               "opm": " ops/min", "rpm": " rpm"}


def _number(value: float, decimals: int | None) -> str:
    if decimals is None:
        magnitude = abs(value)
        decimals = 0 if magnitude >= 100 or value == int(value) else 1 if magnitude >= 10 else 2
    return f"{value:.{decimals}f}"


def _scaled(value: float, decimals: int | None, table: tuple[tuple[float, str], ...], base: str = "") -> str:
    for size, suffix in table:
        if abs(value) >= size:
            return f"{_number(value / size, decimals)} {suffix}".rstrip() if base else f"{_number(value / size, decimals)}{suffix}"
    return f"{_number(value, decimals)}{(' ' + base) if base else ''}"


def _duration(seconds: float, decimals: int | None) -> str:
    magnitude = abs(seconds)
    for size, suffix in ((86400, "day"), (3600, "hour"), (60, "min"), (1, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if magnitude >= size or size == 1e-6:
            return f"{_number(seconds / size, decimals)} {suffix}"
    return f"{_number(seconds, decimals)} s"


def format_value(value: float | None, unit: str | None, decimals: int | None = None) -> str:
    """`value` as Grafana shows it with this unit (`short`, `percentunit`, `s`, `ms`, `reqps`, ...)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "No data"
    unit = unit or "short"
    if unit == "percentunit":
        return f"{_number(value * 100, decimals)}%"
    if unit == "percent":
        return f"{_number(value, decimals)}%"
    if unit == "s":
        return _duration(value, decimals)
    if unit == "ms":
        return _duration(value / 1000, decimals)
    if unit in ("bytes", "decbytes"):
        return _scaled(value, decimals, BYTES if unit == "bytes" else DECBYTES, "B")
    if unit in RATE_SUFFIX:
        return _scaled(value, decimals, SI) + RATE_SUFFIX[unit]
    if unit == "none":
        return _number(value, decimals)
    return _scaled(value, decimals, SI)
