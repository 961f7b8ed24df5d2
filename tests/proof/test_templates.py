"""Annotation rendering matches Prometheus' text/template output (values checked with promtool)."""

from __future__ import annotations

import pytest

from generator.proof.templates import (UnsupportedTemplate, go_value, humanize, humanize_duration,
                                          humanize_percentage, render)

# value: ({{ $value }}, humanize, humanizeDuration, humanizePercentage), as promtool 2.42 renders them
CASES = {
    "large-switches-to-exponent": (1234567.0, ("1.234567e+06", "1.235M", "14d 6h 56m 7s", "1.235e+08%")),
    "six-digits-stay-plain": (999999.0, ("999999", "1000k", "11d 13h 46m 39s", "1e+08%")),
    "ratio": (0.03333333333333333, ("0.03333333333333333", "33.33m", "33.33ms", "3.333%")),
    "seconds-with-minutes": (95.3, ("95.3", "95.3", "1m 35s", "9530%")),
    "tiny-exponent": (1e-05, ("1e-05", "10u", "10us", "0.001%")),
    "integer": (80.0, ("80", "80", "1m 20s", "8000%")),
    "zero": (0.0, ("0", "0", "0s", "0%")),
    "negative": (-2.5, ("-2.5", "-2.5", "-2.5s", "-250%")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_value_functions_match_prometheus(case: str) -> None:
    value, expected = CASES[case]
    assert (go_value(value), humanize(value), humanize_duration(value), humanize_percentage(value)) == expected


@pytest.mark.parametrize("template, expected", [
    ("{{ $value }} errors", "0.5 errors"),
    ("{{$value|humanizePercentage}}", "50%"),
    ("p99 of {{ $labels.activity_name }} is {{ $value | humanizeDuration }}", "p99 of deploy is 500ms"),
    ("[{{ $labels.missing }}]", "[]"),
    ("no actions", "no actions"),
], ids=["value", "no-spaces", "labels-and-duration", "missing-label-is-empty", "plain-text"])
def test_render(template: str, expected: str) -> None:
    assert render(template, 0.5, {"activity_name": "deploy"}) == expected


@pytest.mark.parametrize("template", [
    '{{ printf "%.2f" $value }}', "{{ $value | humanize | title }}", "{{- $value }}", "{{ .Labels.x }}",
], ids=["printf", "two-pipes", "trim-marker", "dot-access"])
def test_unsupported_template_raises_instead_of_guessing(template: str) -> None:
    with pytest.raises(UnsupportedTemplate):
        render(template, 1.0, {})
