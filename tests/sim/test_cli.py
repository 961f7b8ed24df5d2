"""`dashgen simulate` end to end: files, help, and one-line errors for bad input."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.sim import SCENARIOS
from tests.sim.helpers import END

ROOT = Path(__file__).resolve().parents[2]


def dashgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "simulate", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_writes_the_four_files(tmp_path):
    done = dashgen("--scenario", "burst", "--duration", "40m", "--fault-start", "10m", "--end", str(END),
                   "--era", "E1", "--replicas", "2", "--out", str(tmp_path), "--check-signatures")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs.txt", "loki-push.json", "metrics.om", "truth.jsonl"]
    assert "fault onset 2024-11-26T23:30:00Z" in done.stdout
    assert "ok   burst: instances.creating rises" in done.stdout
    assert 'job="otel-collector"' in (tmp_path / "metrics.om").read_text()


def test_end_accepts_rfc3339(tmp_path):
    done = dashgen("--duration", "30m", "--end", "2024-11-27T00:00:07Z", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "window 2024-11-26T23:30:00Z .. 2024-11-27T00:00:00Z" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["--scenario", "nope"], "unknown scenario 'nope' (known: " + ", ".join(SCENARIOS) + ")"),
    (["--duration", "6 hours"], "--duration: cannot parse '6 hours'"),
    (["--end", "yesterday"], "--end: cannot parse 'yesterday'"),
    (["--era", "E3"], "--era must be E1 or E2"),
    (["--duration", "20m", "--scenario", "burst"], "fault start 30m is outside the 20m window"),
    ([], "--out DIR is required (or use --serve)"),
    (["--log-filter", "duroxide=loud"], "--log-filter: log filter directive 'duroxide=loud': unknown level 'loud'"),
    (["--fleet-age", "a week"], "--fleet-age: cannot parse 'a week'"),
    (["--fleet-age=-3600"], "--fleet-age: cannot parse '-3600'"),
    (["--era", "E2", "--duroxide-version", "0.1.9"], "duroxide 0.1.9 exports era E1, not E2"),
], ids=["unknown-scenario", "bad-duration", "bad-end", "bad-era", "fault-after-window", "no-out", "bad-log-filter",
        "bad-fleet-age", "negative-fleet-age", "version-of-the-other-era"])
def test_bad_input_is_one_line_and_exit_1(tmp_path, args, message):
    out = ["--out", str(tmp_path / "out")] if args else []
    done = dashgen(*args, *out)
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"dashgen: error: {message}")


@pytest.mark.parametrize("age, low, high", [
    (None, 1, 200),
    ("7d", 1000, 7 * 86400 // 30 + 1),
], ids=["fleet-born-in-the-warm-up", "week-old-fleet"])
def test_fleet_age_places_actors_at_their_execution_ids(tmp_path, age, low, high):
    """Each actor cycle (a 30 s timer plus its four activities) continues as new once: a fleet
    created in the 15-minute warm-up ends executions numbered below ~90 within a 30-minute
    window; a week-old fleet's actors end executions numbered in the thousands, at most one
    per 30 s of its age."""
    extra = ["--fleet-age", age] if age else []
    done = dashgen("--duration", "30m", "--end", str(END), "--out", str(tmp_path), *extra)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "metrics.om").read_text()
    ids = [int(m) for m in re.findall(r'^duroxide_orchestration_continue_as_new_total\{execution_id="(\d+)",'
                                      r'[^}]*orchestration_name="[^"]*::instance-actor"', text, re.M)]
    assert ids
    assert low <= max(ids) <= high


def test_unwritable_out_dir_fails_before_simulating(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = dashgen("--duration", "2h", "--out", str(blocker / "sub"))
    assert done.returncode == 1
    assert done.stderr.strip() == f"dashgen: error: {blocker / 'sub'}: cannot create output directory: Not a directory"


def test_help_and_scenario_list():
    help_text = dashgen("--help").stdout
    assert "OpenMetrics" in help_text and "--scenario NAME" in help_text and "--serve" in help_text
    listing = dashgen("--list-scenarios").stdout
    assert all(f"{name}\n  " in listing for name in SCENARIOS)
    assert listing.count("operator sees:") == len(SCENARIOS)


def test_byte_identical_across_processes_and_hash_seeds(tmp_path):
    import hashlib
    import os

    digests = []
    for n, hash_seed in enumerate(("1", "2")):
        out = tmp_path / str(n)
        done = subprocess.run([sys.executable, "-m", "generator", "simulate", "--scenario", "database-slow",
                               "--duration", "40m", "--fault-start", "10m", "--end", str(END), "--seed", "5",
                               "--replicas", "2", "--out", str(out)], capture_output=True, text=True, cwd=ROOT,
                              timeout=120, env={**os.environ, "PYTHONHASHSEED": hash_seed})
        assert done.returncode == 0, done.stderr
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())})
    assert digests[0] == digests[1] and len(digests[0]) == 4
