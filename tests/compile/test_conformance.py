"""Every key we emit is known to Grafana's own schema model: a round trip through
grafana-foundation-sdk's dashboard model (pinned to Grafana 10.4, schemaVersion 39) drops
nothing. An independent check that our normaliser did not invent or misspell keys."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import Dashboard

from tests.compile_helpers import compile_bundled

COMPILED = compile_bundled()


def paths(value: Any, prefix: str = "") -> Iterator[str]:
    """Every key path in a JSON document (list indices included)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{prefix}.{key}"
            yield from paths(item, f"{prefix}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, f"{prefix}[{index}]")


def round_trip(data: dict[str, Any]) -> dict[str, Any]:
    model = Dashboard.from_json(data)
    return json.loads(json.dumps(model, cls=JSONEncoder))


@pytest.mark.parametrize("uid", sorted(COMPILED))
def test_round_trip_through_grafana_schema_drops_nothing(uid: str) -> None:
    data = json.loads(COMPILED[uid])
    lost = sorted(set(paths(data)) - set(paths(round_trip(data))))
    assert not lost, f"keys unknown to Grafana's schema model: {lost[:20]}"


def test_the_check_catches_an_unknown_key() -> None:
    data = json.loads(COMPILED["toygres-overview"])
    data["panels"][1]["legacyThing"] = True
    assert ".panels[1].legacyThing" in set(paths(data)) - set(paths(round_trip(data)))
