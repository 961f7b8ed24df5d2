"""The simulator's output pinned byte for byte (sha256 of the OpenMetrics text, the Loki push
body with its events, the truth samples and the header) on a few short runs, and the shared
healthy prefix (generator.sim.prefix) proven to continue into exactly those bytes.

The pinned values were recorded from the simulator before it was made faster (main at e360ac1,
`python -m bench.sim_fingerprint` records the full spread): a change that alters the output on
purpose must update them knowingly, and say so (`python -m tests.sim.test_fingerprints` prints
the current values).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from bench.sim_fingerprint import fingerprint_result
from generator.config import load
from generator.sim import SimOptions, build_options, run_options
from generator.sim.prefix import continue_run, in_fork, prefix_key, simulate_prefix

END = 1_732_665_600
# 25-minute windows, the fault 10 minutes in (plus the 15-minute warm-up before the window).
SHORT = {"duration_seconds": 1500, "fault_start_seconds": 600}

# (id, environment, options, pinned fingerprints)
PINNED: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
    ("E2-healthy-seed1-grids", "local", {"scenarios": ("healthy",), "seed": 1, "era": "E2", "truth_grids": True,
                                         "end_ts": END}, {
      "openmetrics": "09b23a5249ccf7b2",
      "openmetrics_aligned": "8fffeb4e2808dfdc",
      "push": "698f35d0c20f46bb",
      "truth": "085a77ece8573331",
      "header": "7b18716d05af9dcf"
     }),
    ("E2-database-slow-seed3-grids", "local", {"scenarios": ("database-slow",), "seed": 3, "era": "E2",
                                               "truth_grids": True, "end_ts": END - 2400}, {
      "openmetrics": "9d073d80ff2c852c",
      "openmetrics_aligned": "4852a467fd99b1d9",
      "push": "5eb5037c2edef004",
      "truth": "fdc46f09e60fa128",
      "header": "0637ca6f207ac4af"
     }),
    ("E2-replica-restart-seed1-grids", "local", {"scenarios": ("replica-restart",), "seed": 1, "era": "E2",
                                           "truth_grids": True, "end_ts": END - 4800}, {
      "openmetrics": "7df8b218e0e4dc22",
      "openmetrics_aligned": "70c155d241fd80bc",
      "push": "c5a9597efbfef1d5",
      "truth": "4c7857a4d0717a02",
      "header": "d273d4698f97c2a0"
     }),
    ("E1-database-down-seed3-nogrids", "e1", {"scenarios": ("database-down",), "seed": 3, "era": "E1",
                                              "truth_grids": False, "end_ts": END}, {
      "openmetrics": "307cc0ccdb6e7aed",
      "openmetrics_aligned": "26dad230c162768e",
      "push": "ddd8e4452397fe35",
      "truth": "263acf730b22f94a",
      "header": "2de74e13aebb238a"
     }),
    ("aks-burst-seed1", "aks", {"scenarios": ("burst",), "seed": 1, "era": "E2", "truth_grids": True,
                                "end_ts": END - 7200}, {
      "openmetrics": "f62048227f5c4147",
      "openmetrics_aligned": "b70dd454c0a3bb23",
      "push": "e0df8cc5292bd069",
      "truth": "d5bd74d4f3b39884",
      "header": "d7b78c2a2e85c957"
     }),
]


def _options(env: str, changes: dict[str, Any]) -> SimOptions:
    return build_options(load(env), **SHORT, **changes)


@pytest.mark.parametrize("env,changes,pinned", [p[1:] for p in PINNED], ids=[p[0] for p in PINNED])
def test_output_is_pinned(env: str, changes: dict[str, Any], pinned: dict[str, str]) -> None:
    assert fingerprint_result(run_options(_options(env, changes))) == pinned


SHARED = [p for p in PINNED if p[2]["era"] == "E2" and p[1] == "local"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="prefix sharing forks (POSIX)")
def test_runs_continued_from_one_shared_prefix_are_the_pinned_bytes() -> None:
    """Three scenarios, seeds kept apart: one prefix per seed, continued in forked copies into
    windows that end at different instants (the pinned runs' own)."""
    by_key: dict[Any, Any] = {}
    for run_id, env, changes, pinned in SHARED:
        options = _options(env, changes)
        key = prefix_key(options)
        assert key is not None
        prefix = by_key.get(key) or by_key.setdefault(key, simulate_prefix(key))
        assert in_fork(prefix, options, fingerprint_result) == pinned, run_id
    seed1 = [p for p in SHARED if p[2]["seed"] == 1]
    assert len(seed1) == 2 and prefix_key(_options(*seed1[0][1:3])) == prefix_key(_options(*seed1[1][1:3]))


def test_e1_is_not_shared_and_a_prefix_continues_once() -> None:
    """E1's collector pushes hash the absolute scrape time: no prefix; a consumed prefix refuses
    a second run instead of writing wrong bytes."""
    assert prefix_key(_options("e1", PINNED[3][2])) is None
    options = build_options(load("local"), scenarios=("burst",), duration_seconds=120, fault_start_seconds=60,
                            end_ts=END, seed=1)
    prefix = simulate_prefix(prefix_key(options))
    continue_run(prefix, options)
    with pytest.raises(RuntimeError, match="one run only"):
        continue_run(prefix, options)


if __name__ == "__main__":
    # Re-pinning after a deliberate output change: `python -m tests.sim.test_fingerprints`
    # prints each run's current fingerprints to paste above (and re-record
    # bench/sim_fingerprints.json with `python -m bench.sim_fingerprint --record`).
    for run_id, env, changes, _ in PINNED:
        print(run_id, fingerprint_result(run_options(_options(env, changes))))
