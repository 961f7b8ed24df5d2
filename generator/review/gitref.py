"""Compiled output at a git ref, read from git objects: nothing is checked out or written."""

from __future__ import annotations

import subprocess
from pathlib import Path

from generator.review.model import ReviewError, Snapshot
from generator.review.snapshot import from_files, wanted

DEFAULT_BRANCHES = ("main", "origin/main")


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise ReviewError("git not found: install git (the diff against a ref reads git objects)") from None


def toplevel(cwd: Path) -> Path:
    result = _git(["rev-parse", "--show-toplevel"], cwd)
    if result.returncode != 0:
        raise ReviewError(f"{cwd.resolve()} is not inside a git repository; --base needs one")
    return Path(result.stdout.decode().strip())


def resolve(ref: str, cwd: Path) -> str:
    """The commit a ref names, or ReviewError saying the ref is unknown."""
    result = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd)
    if result.returncode != 0:
        raise ReviewError(f"unknown git ref {ref!r}: give a branch, tag or commit that exists "
                          f"(`git fetch` it first in a shallow clone)")
    return result.stdout.decode().strip()


def default_base(cwd: Path) -> str:
    """The merge base of HEAD with main (or origin/main)."""
    for branch in DEFAULT_BRANCHES:
        if _git(["rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}"], cwd).returncode == 0:
            result = _git(["merge-base", "HEAD", branch], cwd)
            if result.returncode == 0:
                return result.stdout.decode().strip()
    raise ReviewError("no merge base with main (no branch main or origin/main here): pass --base REF")


def read_at(ref: str, observability: Path, cwd: Path, label: str | None = None) -> Snapshot:
    """The snapshot of `observability/` (relative to the repository root) at `ref`."""
    files, prefix = files_at(ref, observability, cwd)
    return from_files(files, label or ref, prefix=prefix)


def files_at(ref: str, observability: Path, cwd: Path) -> tuple[dict[str, bytes], str]:
    """(relative path -> bytes, path prefix for messages) of the compared files at `ref`."""
    commit = resolve(ref, cwd)
    top = toplevel(cwd)
    try:
        prefix = (cwd.resolve() / observability).resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        raise ReviewError(f"{observability} is outside the git repository at {top}") from None
    listing = _git(["ls-tree", "-r", "-z", "--format=%(objectname) %(path)", commit, "--", f"{prefix}/"], top)
    if listing.returncode != 0:
        # git < 2.36 has no --format: fall back to the classic listing.
        listing = _git(["ls-tree", "-r", "-z", commit, "--", f"{prefix}/"], top)
        entries = [line.split("\t", 1) for line in listing.stdout.decode().split("\0") if line]
        objects = [(meta.split()[2], path) for meta, path in entries]
    else:
        objects = [tuple(line.split(" ", 1)) for line in listing.stdout.decode().split("\0") if line]  # type: ignore[misc]
    if not objects:
        raise ReviewError(f"{ref} has no {prefix}/ in its history: pick a base that has compiled output "
                          f"(a commit after `make dashboards` was first committed)")
    chosen = [(sha, path[len(prefix) + 1:]) for sha, path in objects if wanted(path[len(prefix) + 1:])]
    return _cat(chosen, top), f"{prefix}/"


def _cat(objects: list[tuple[str, str]], cwd: Path) -> dict[str, bytes]:
    """Blob contents in one `git cat-file --batch` call (500 dashboards in one process)."""
    if not objects:
        return {}
    result = _git(["cat-file", "--batch"], cwd, stdin="".join(f"{sha}\n" for sha, _ in objects).encode())
    if result.returncode != 0:
        raise ReviewError(f"git cat-file failed: {result.stderr.decode().strip()[:200]}")
    out, data, offset = {}, result.stdout, 0
    for sha, path in objects:
        end = data.index(b"\n", offset)
        header = data[offset:end].split()
        size = int(header[2])
        out[path] = data[end + 1:end + 1 + size]
        offset = end + 1 + size + 1
    return out
