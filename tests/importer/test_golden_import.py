"""Generated modules match their reviewed golden files (`make update-golden` rewrites them)."""

from __future__ import annotations

import pytest

from tests.importer.golden import GOLDEN_IMPORT_DIR, import_goldens

GENERATED = import_goldens()


@pytest.mark.parametrize("path", sorted(GENERATED), ids=lambda p: p.name)
def test_module_matches_golden(path) -> None:
    assert path.is_file(), f"no golden file {path.name}: run `make update-golden` and review"
    assert GENERATED[path] == path.read_text(encoding="utf-8"), (
        f"{path.name} differs from its golden file: if intended, run `make update-golden` and review the diff")


def test_no_stale_import_goldens() -> None:
    assert set(GOLDEN_IMPORT_DIR.glob("*.py")) == set(GENERATED)
