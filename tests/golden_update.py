"""`make update-golden`: the only thing that rewrites tests/golden/ (review the diff after)."""

from __future__ import annotations

from pathlib import Path

from generator.canonical import write_files_atomically
from tests.compile_helpers import GOLDEN_DIR, compile_bundled
from tests.importer.golden import GOLDEN_IMPORT_DIR, import_goldens


def main() -> None:
    compiled = compile_bundled()
    files = {GOLDEN_DIR / f"{uid}.json": text for uid, text in compiled.items()}
    files.update(import_goldens())
    stale = tuple(p for p in [*GOLDEN_DIR.glob("*.json"), *GOLDEN_IMPORT_DIR.glob("*.py")] if p not in files)
    changed = write_files_atomically(files, remove=stale)
    for path in changed:
        print(f"updated {path}")
    print(f"{len(files)} golden files, {len(changed)} changed")
    _review_golden()


def _review_golden() -> None:
    """The markdown `dashgen diff --base` writes across two commits of a throwaway repository."""
    import tempfile

    from tests.review.gitrepo import GOLDEN, golden_markdown, make_repo
    with tempfile.TemporaryDirectory() as tmp:
        text = golden_markdown(make_repo(Path(tmp) / "repo"))
    changed = write_files_atomically({GOLDEN: text})
    print(f"review golden: {'updated ' + str(GOLDEN) if changed else 'unchanged'}")


if __name__ == "__main__":
    main()
