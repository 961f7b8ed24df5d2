"""Render alert annotation templates the way Prometheus does, for expected promtool results.

Prometheus expands annotations with Go's text/template: `{{ $value }}` prints the float64 with
fmt's %v (strconv's shortest 'g' form), and the humanize* functions are ports of Prometheus'
template/template.go (v2.42). Only the actions our rules
use are supported: `$value`, `$labels.<name>`, and `$value` piped to humanize,
humanizePercentage, humanizeDuration or humanize1024; anything else raises UnsupportedTemplate
instead of guessing.
"""

from __future__ import annotations

import math
import re
from typing import Callable, Mapping

from generator.errors import DashgenError

_ACTION = re.compile(r"{{(-?)\s*(.*?)\s*(-?)}}", re.S)
_LABEL = re.compile(r"^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$")


class UnsupportedTemplate(DashgenError):
    """An annotation uses a template construct this renderer does not implement."""


def go_g(value: float, precision: int) -> str:
    """Go's fmt %.<precision>g (Python's %g agrees on finite values; NaN/Inf are spelled as Go does)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return f"%.{precision}g" % value


def go_value(value: float) -> str:
    """fmt.Sprint(float64): the shortest digits that round-trip (Python's repr finds the same
    digits), laid out as strconv's 'g' does: 1e-05, 0.0001, 123456, 1.234567e+06."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    digits, exponent = _shortest(value)
    sign = "-" if value < 0 else ""
    if exponent < -4 or exponent >= SHORTEST_EXPONENT_LIMIT:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    if exponent + 1 >= len(digits):
        return f"{sign}{digits}{'0' * (exponent + 1 - len(digits))}"
    return f"{sign}{digits[:exponent + 1]}.{digits[exponent + 1:]}"


# strconv.FormatFloat(v, 'g', -1, 64), which fmt's %v uses for float64, picks the exponent
# form when the decimal exponent is < -4 or >= 6 (strconv/ftoa.go: "if precision was the
# shortest possible, use precision 6 for this decision"): 999999 but 1e+06. (21 is JSON's
# and JavaScript's limit, not Go fmt's.)
SHORTEST_EXPONENT_LIMIT = 6


def _shortest(value: float) -> tuple[str, int]:
    """The shortest round-trip decimal digits of |value| and its decimal exponent."""
    text = repr(abs(value))
    mantissa, _, exp = text.partition("e")
    exponent = int(exp) if exp else 0
    whole, _, fraction = mantissa.partition(".")
    if fraction == "0":
        fraction = ""
    digits = (whole + fraction).lstrip("0")
    leading_zeros = len(whole + fraction) - len((whole + fraction).lstrip("0"))
    exponent += len(whole) - 1 - leading_zeros
    digits = digits.rstrip("0") or "0"
    return digits, exponent


def humanize(v: float) -> str:
    if v == 0 or math.isnan(v) or math.isinf(v):
        return go_g(v, 4)
    prefix = ""
    if abs(v) >= 1:
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(v) < 1000:
                break
            prefix, v = p, v / 1000
        return go_g(v, 4) + prefix
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return go_g(v, 4) + prefix


def humanize1024(v: float) -> str:
    if abs(v) <= 1 or math.isnan(v) or math.isinf(v):
        return go_g(v, 4)
    prefix = ""
    for p in ("ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"):
        if abs(v) < 1024:
            break
        prefix, v = p, v / 1024
    return go_g(v, 4) + prefix


def humanize_duration(v: float) -> str:
    if math.isnan(v) or math.isinf(v):
        return go_g(v, 4)
    if v == 0:
        return go_g(v, 4) + "s"
    if abs(v) >= 1:
        sign = "-" if v < 0 else ""
        v = abs(v)
        duration = int(v)
        seconds, minutes = duration % 60, (duration // 60) % 60
        hours, days = (duration // 3600) % 24, duration // 86400
        if days:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes:
            return f"{sign}{minutes}m {seconds}s"
        return f"{sign}{go_g(v, 4)}s"
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return f"{go_g(v, 4)}{prefix}s"


def humanize_percentage(v: float) -> str:
    return go_g(v * 100, 4) + "%"


FUNCTIONS: dict[str, Callable[[float], str]] = {
    "humanize": humanize, "humanize1024": humanize1024, "humanizeDuration": humanize_duration,
    "humanizePercentage": humanize_percentage,
}


def render(template: str, value: float, labels: Mapping[str, str]) -> str:
    """Expand an annotation for one alert: its $value and its $labels (missing label: "")."""

    def action(match: re.Match[str]) -> str:
        body = match.group(2)
        parts = [p.strip() for p in body.split("|")]
        head, pipes = parts[0], parts[1:]
        label = _LABEL.match(head)
        if label is not None and not pipes:
            return labels.get(label.group(1), "")
        if head != "$value":
            raise UnsupportedTemplate(f"unsupported template action {{{{ {body} }}}}")
        if not pipes:
            return go_value(value)
        if len(pipes) != 1 or pipes[0] not in FUNCTIONS:
            raise UnsupportedTemplate(f"unsupported template pipeline {{{{ {body} }}}}")
        return FUNCTIONS[pipes[0]](value)

    if "{{-" in template or "-}}" in template:
        raise UnsupportedTemplate("whitespace-trimming template actions are not supported")
    return _ACTION.sub(action, template)
