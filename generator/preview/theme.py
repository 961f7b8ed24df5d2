"""Grafana's dark theme: named colours, the classic series palette, threshold colour lookup."""

from __future__ import annotations

from typing import Any

# Grafana's named visualization colours (dark theme), as the colour picker resolves them.
NAMED = {
    "green": "#73BF69", "semi-dark-green": "#56A64B", "dark-green": "#37872D", "light-green": "#96D98D",
    "red": "#F2495C", "semi-dark-red": "#E02F44", "dark-red": "#C4162A", "light-red": "#FF7383",
    "yellow": "#FADE2A", "semi-dark-yellow": "#F2CC0C", "dark-yellow": "#E0B400", "light-yellow": "#FFEE52",
    "orange": "#FF9830", "semi-dark-orange": "#FF780A", "dark-orange": "#FA6400", "light-orange": "#FFB357",
    "blue": "#5794F2", "semi-dark-blue": "#3274D9", "dark-blue": "#1F60C4", "light-blue": "#8AB8FF",
    "purple": "#B877D9", "semi-dark-purple": "#A352CC", "dark-purple": "#8F3BB8", "light-purple": "#CA95E5",
    "text": "#CCCCDC", "transparent": "transparent",
}
# palette-classic, the default series colours.
PALETTE = ("#7EB26D", "#EAB839", "#6ED0E0", "#EF843C", "#E24D42", "#1F78C1", "#BA43A9", "#705DA0",
           "#508642", "#CCA300", "#447EBC", "#C15C17", "#890F02", "#0A437C", "#6D1F62", "#584477")
BACKGROUND, PANEL, BORDER, TEXT, WEAK_TEXT = "#111217", "#181B1F", "#2C3235", "#CCCCDC", "#8E8E8E"


def colour(name: Any) -> str:
    """A Grafana colour name (or #hex / rgb()) as CSS."""
    text = str(name or "")
    return NAMED.get(text, text if text.startswith(("#", "rgb")) else NAMED["green"])


def steps(field_config: dict[str, Any]) -> list[tuple[float | None, str]]:
    """(from value, CSS colour) per threshold step; the base step has None."""
    thresholds = (field_config.get("defaults") or {}).get("thresholds") or {}
    out: list[tuple[float | None, str]] = []
    for step in thresholds.get("steps") or []:
        if isinstance(step, dict):
            value = step.get("value")
            out.append((float(value) if isinstance(value, (int, float)) else None, colour(step.get("color"))))
    return out or [(None, NAMED["green"])]


def threshold_colour(value: float | None, field_config: dict[str, Any], lo: float = 0.0, hi: float = 100.0) -> str:
    """The colour of the highest step at or below the value (percentage mode scales to lo..hi)."""
    thresholds = (field_config.get("defaults") or {}).get("thresholds") or {}
    percentage = thresholds.get("mode") == "percentage"
    found = steps(field_config)[0][1]
    if value is None:
        return found
    for at, css in steps(field_config):
        if at is None:
            continue
        limit = lo + (hi - lo) * at / 100 if percentage else at
        if value >= limit:
            found = css
    return found
