"""The two-command set-up: `make test` installs the Debian packages it needs, or, when it cannot
(not root, no apt-get), stops with one line naming them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_without_apt_the_missing_packages_are_named_in_one_line(tmp_path: Path) -> None:
    make = shutil.which("make")
    assert make is not None
    done = subprocess.run([make, "-s", "--no-print-directory", "tools", "DEB_PACKAGES=no-such-package-x prometheus"],
                          cwd=ROOT, env={"PATH": str(tmp_path)}, capture_output=True, text=True)
    ours = [line for line in done.stderr.splitlines() if not line.startswith("make: ***")]
    assert done.returncode != 0
    assert ours == ["make: missing Debian packages; install them first: "
                    "apt-get install -y --no-install-recommends no-such-package-x prometheus"]


def test_one_list_of_debian_packages_and_ci_runs_the_two_commands() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert len(re.findall(r"^DEB_PACKAGES\s*:?=", makefile, re.M)) == 1
    assert re.search(r"^test: tools ", makefile, re.M)
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci[2:4] == ["make dashboards", "make test"] and not any("apt" in line for line in ci)
