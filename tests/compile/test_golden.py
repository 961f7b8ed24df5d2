"""Compiled dashboards match the reviewed golden files byte for byte; uids never change."""

from __future__ import annotations

import json

import pytest

from tests.compile_helpers import GOLDEN_DIR, compile_bundled

COMPILED = compile_bundled()

# Links, alerts and bookmarks hold on to these: changing one breaks them in every Grafana.
STABLE_UIDS = {
    "toygres-active-orchestrations",
    "toygres-logs",
    "toygres-overview",
    "toygres-production-metrics",
    "toygres-provider",
    "toygres-queues-workers",
}


def test_dashboard_uids_never_change() -> None:
    assert set(COMPILED) == STABLE_UIDS


@pytest.mark.parametrize("uid", sorted(COMPILED))
def test_matches_golden(uid: str) -> None:
    golden = GOLDEN_DIR / f"{uid}.json"
    assert golden.is_file(), f"no golden file for {uid}: run `make update-golden` and review"
    assert COMPILED[uid] == golden.read_text(encoding="utf-8"), (
        f"{uid} differs from its golden file: if intended, run `make update-golden` and review the diff")


def test_no_stale_golden_files() -> None:
    assert {p.stem for p in GOLDEN_DIR.glob("*.json")} == set(COMPILED)


@pytest.mark.parametrize("uid", sorted(COMPILED))
def test_canonical_bytes(uid: str) -> None:
    text = COMPILED[uid]
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert ": null" not in text
    for legacy in ("rows", "style", "hideControls", "sharedCrosshair", "gnetId", "id", "version"):
        assert legacy not in data, f"legacy/volatile key {legacy!r} in {uid}"


@pytest.mark.parametrize("uid", sorted(COMPILED))
def test_modern_shape(uid: str) -> None:
    data = json.loads(COMPILED[uid])
    assert data["schemaVersion"] == 39
    ids = [p["id"] for p in data["panels"]]
    assert ids == list(range(1, len(ids) + 1)), "panel ids are sequential in layout order"
    for panel in data["panels"]:
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"])
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        if panel["type"] in ("row", "text"):
            continue
        assert set(panel["datasource"]) == {"type", "uid"}
        for target in panel["targets"]:
            assert set(target["datasource"]) == {"type", "uid"}
            assert "intervalFactor" not in target and "step" not in target
            assert target["refId"]


def test_compile_is_deterministic() -> None:
    assert compile_bundled() == COMPILED


def test_schema_version_is_a_setting(tmp_path) -> None:
    env = tmp_path / "new.yaml"
    env.write_text("schema_version: 41\n")
    compiled = compile_bundled(str(env))
    assert all(json.loads(t)["schemaVersion"] == 41 for t in compiled.values())
