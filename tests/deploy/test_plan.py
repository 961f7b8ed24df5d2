"""Pure planning and normalisation: every drift-model case as a table row."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from generator.deploy.compiled import CompiledDashboard
from generator.deploy.normalise import STAMP_KEY, content_hash, normalise_dashboard, stamped
from generator.deploy.plan import Kind, plan_dashboard, plan_folder, plan_prune
from tests.deploy.conftest import CONFIG, make_dashboard

FOLDER = CONFIG.folder_uid
COMPILED_DATA = make_dashboard("toygres-overview")
COMPILED = CompiledDashboard("toygres-overview", "Toygres Overview", Path("x.json"), COMPILED_DATA,
                             content_hash(COMPILED_DATA))


def live(data: dict[str, Any], *, stamp: str | None = "own", folder: str = FOLDER, provisioned: bool = False,
         version: int = 4) -> dict[str, Any]:
    body = copy.deepcopy(data)
    body.update(id=12, version=version)
    if stamp == "own":
        body[STAMP_KEY] = content_hash(data)
    elif stamp is not None:
        body[STAMP_KEY] = stamp
    return {"dashboard": body, "meta": {"folderUid": folder, "version": version, "updatedBy": "alice",
                                        "updated": "2024-05-01T10:00:00Z", "provisioned": provisioned}}


OLD = make_dashboard("toygres-overview", panels=1)  # what an earlier deploy wrote
EDITED = {**COMPILED_DATA, "refresh": "5s"}

CASES = {
    "absent: create": (None, False, Kind.CREATE, ""),
    "same content: unchanged": (live(COMPILED_DATA), False, Kind.UNCHANGED, ""),
    "same content, no stamp: unchanged": (live(COMPILED_DATA, stamp=None), False, Kind.UNCHANGED, ""),
    "our older deploy: update": (live(OLD), False, Kind.UPDATE, "content changed"),
    "edited after our deploy: drifted": (live(EDITED, stamp=content_hash(COMPILED_DATA)), False, Kind.DRIFTED,
                                         "edited in Grafana since the last deploy"),
    "UI save dropped the stamp: drifted": (live(OLD, stamp=None), False, Kind.DRIFTED, "differs and carries no deploy stamp"),
    "drifted with --force: forced update": (live(EDITED, stamp=None), True, Kind.UPDATE, "overwrite: "),
    "moved elsewhere, same content: update": (live(COMPILED_DATA, folder="other"), False, Kind.UPDATE,
                                              "move from folder 'other'"),
    "moved to the root and changed by us: update": (live(OLD, folder=""), False, Kind.UPDATE,
                                                    "content changed; move from folder 'General'"),
    "file-provisioned and different: blocked": (live(OLD, provisioned=True), True, Kind.BLOCKED, "provisioned"),
}


@pytest.mark.parametrize("live_answer, force, kind, reason", list(CASES.values()), ids=list(CASES))
def test_plan_dashboard(live_answer: dict[str, Any] | None, force: bool, kind: Kind, reason: str) -> None:
    action = plan_dashboard(COMPILED, live_answer, FOLDER, force=force)
    assert action.kind is kind
    assert action.reason.startswith(reason)
    assert action.forced is (force and kind is Kind.UPDATE)
    if live_answer is not None:
        assert action.live_version == 4 and action.updated_by == "alice"


def test_a_stamp_written_by_deploy_makes_the_next_plan_unchanged() -> None:
    body = stamped(COMPILED_DATA, COMPILED.digest, None)
    assert body["id"] is None and "version" not in body and body[STAMP_KEY] == COMPILED.digest
    answer = {"dashboard": {**body, "id": 5, "version": 1}, "meta": {"folderUid": FOLDER, "version": 1}}
    assert plan_dashboard(COMPILED, answer, FOLDER).kind is Kind.UNCHANGED
    assert stamped(COMPILED_DATA, COMPILED.digest, 7)["version"] == 7


NORMALISE = {
    "volatile keys": ({**COMPILED_DATA, "id": 3, "version": 9, "iteration": 123, STAMP_KEY: "sha256:x"}, True),
    "nulls": ({**COMPILED_DATA, "description": None}, True),
    "panel order": ({**COMPILED_DATA, "panels": list(reversed(COMPILED_DATA["panels"]))}, True),
    "key order": (dict(reversed(list(COMPILED_DATA.items()))), True),
    "a real change": ({**COMPILED_DATA, "title": "Other"}, False),
    "a moved panel": ({**COMPILED_DATA, "panels": [{**COMPILED_DATA["panels"][0], "gridPos": {"x": 0, "y": 40, "w": 1, "h": 1}},
                                                    COMPILED_DATA["panels"][1]]}, False),
}


@pytest.mark.parametrize("variant, equal", list(NORMALISE.values()), ids=list(NORMALISE))
def test_normalised_hash(variant: dict[str, Any], equal: bool) -> None:
    assert (content_hash(variant) == COMPILED.digest) is equal
    assert (normalise_dashboard(variant) == normalise_dashboard(COMPILED_DATA)) is equal


def test_hash_is_pinned() -> None:
    # The stamp is compared across machines and dashgen versions: changing normalisation
    # makes every deployed dashboard look drifted. Update this only on purpose.
    assert content_hash({"uid": "a", "title": "A", "panels": []}) == (
        "sha256:98a4c5a19664d49d1c1a90a4a86190fe9edd68963ca91907a58445357a75320f")


@pytest.mark.parametrize("live_folder, kind", [(None, Kind.CREATE), ({"title": "Toygres", "version": 1}, Kind.UNCHANGED),
                                               ({"title": "Old name", "version": 3}, Kind.UPDATE)],
                         ids=["absent", "same", "retitled"])
def test_plan_folder(live_folder: dict[str, Any] | None, kind: Kind) -> None:
    assert plan_folder(FOLDER, "Toygres", live_folder).kind is kind


def test_prune_selects_only_tagged_dashboards_in_managed_folders() -> None:
    hits = [
        {"uid": "gone", "title": "Gone", "tags": [CONFIG.managed_tag], "folderUid": FOLDER},
        {"uid": "kept", "title": "Kept", "tags": [CONFIG.managed_tag], "folderUid": FOLDER},
        {"uid": "untagged", "tags": [], "folderUid": FOLDER},
        {"uid": "elsewhere", "tags": [CONFIG.managed_tag], "folderUid": "team-a"},
        {"uid": "root", "tags": [CONFIG.managed_tag]},
    ]
    actions = plan_prune(hits, {"kept"}, CONFIG.managed_tag, {FOLDER}, prune=True)
    assert [(a.key, a.kind) for a in actions] == [("gone", Kind.DELETE)]
    assert plan_prune(hits, {"kept"}, CONFIG.managed_tag, {FOLDER}, prune=False)[0].kind is Kind.STALE
