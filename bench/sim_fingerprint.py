"""Fingerprints of the simulator's output (OpenMetrics text, Loki push body with its events,
truth samples, header) over a spread of runs, so a speed-up can prove it changed no byte.

    python -m bench.sim_fingerprint --record bench/sim_fingerprints.json   # at a known-good commit
    python -m bench.sim_fingerprint --check bench/sim_fingerprints.json    # after a change
    python -m bench.sim_fingerprint --check FILE --only 'E2/seed1/database-slow'

The runs: every scenario on seeds 1 and 3 in E2 with the truth's quantile grids and the
staggered windows `dashgen check` uses; a few in E1, on AKS (double scrape), on Toygres HEAD
and without the grids. Runs simulate in parallel (one process per core by default).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import hashlib
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

END_TS = 1_732_665_600
DURATION = 2 * 3600
GAP = 900


def runs() -> list[dict[str, Any]]:
    """(id, environment, options) of every fingerprinted run."""
    from generator.sim.scenarios import SCENARIOS

    names = list(SCENARIOS)
    out: list[dict[str, Any]] = []
    for seed in (1, 3):
        for slot, name in enumerate(names):
            # check's staggered windows: each scenario's window ends at its own instant.
            out.append({"id": f"E2/seed{seed}/{name}", "env": "local", "scenarios": [name], "seed": seed,
                        "era": "E2", "end_ts": END_TS - slot * (DURATION + GAP), "truth_grids": True})
    for seed in (1, 3):
        for name in ("healthy", "database-slow", "replica-restart", "runaway-client"):
            if name in SCENARIOS:
                slot = len(names) + names.index(name)
                out.append({"id": f"E1/seed{seed}/{name}", "env": "local", "scenarios": [name], "seed": seed,
                            "era": "E1", "end_ts": END_TS - slot * (DURATION + GAP), "truth_grids": seed == 1})
    for name in ("healthy", "database-slow"):
        out.append({"id": f"aks/seed1/{name}", "env": "aks", "scenarios": [name], "seed": 1, "era": "E2",
                    "end_ts": END_TS, "truth_grids": True})
    for name in ("healthy", "database-down"):
        out.append({"id": f"head/seed1/{name}", "env": "local", "scenarios": [name], "seed": 1, "era": "E2",
                    "end_ts": END_TS, "truth_grids": True, "toygres_version": "head"})
    for name in ("healthy", "runaway-client"):
        out.append({"id": f"nogrids/seed3/{name}", "env": "local", "scenarios": [name], "seed": 3, "era": "E2",
                    "end_ts": END_TS - 7 * (DURATION + GAP), "truth_grids": False})
    return out


def _digest(chunks) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk.encode("utf-8"))
    return h.hexdigest()[:16]


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint_result(result: Any) -> dict[str, str]:
    """Hashes of what the pipeline reads from a SimResult."""
    return {
        "openmetrics": _digest(result.openmetrics()),
        "openmetrics_aligned": _digest(result.openmetrics(aligned=True)),
        "push": _digest([_dumps(result.loki_push(with_events=True))]),
        "truth": _digest(_dumps(s) + "\n" for s in result.truth),
        "header": _digest([_dumps(result.header)]),
    }


def options_of(run: dict[str, Any], duration: int = DURATION):  # -> SimOptions
    from generator.config import load
    from generator.sim import build_options

    extra = {k: run[k] for k in ("toygres_version",) if k in run}
    return build_options(load(run["env"]), scenarios=tuple(run["scenarios"]), end_ts=run["end_ts"],
                         duration_seconds=duration, seed=run["seed"], era=run["era"],
                         truth_grids=run["truth_grids"], **extra)


def fingerprint(run: dict[str, Any], duration: int = DURATION) -> tuple[str, dict[str, str], float]:
    """A run simulated on its own."""
    from generator.sim import run_options

    started = time.perf_counter()
    result = run_options(options_of(run, duration))
    spent = time.perf_counter() - started
    return run["id"], fingerprint_result(result), spent


# Prefixes simulated before the pool forks its workers (each worker inherits them).
_PREFIXES: dict[Any, Any] = {}


def fingerprint_shared(run: dict[str, Any], duration: int = DURATION) -> tuple[str, dict[str, str], float]:
    """A run continued from its shared prefix in a forked copy (what the pipeline does)."""
    from generator.sim.prefix import in_fork, prefix_key

    options = options_of(run, duration)
    prefix = _PREFIXES.get(prefix_key(options))
    if prefix is None:
        return fingerprint(run, duration)
    started = time.perf_counter()
    prints = in_fork(prefix, options, fingerprint_result)
    return run["id"], prints, time.perf_counter() - started


def _prepare_prefixes(todo: list[dict[str, Any]]) -> float:
    """Simulate each prefix two or more runs share (in this process, before the pool forks)."""
    from generator.sim.prefix import prefix_key, simulate_prefix

    keys: dict[Any, int] = {}
    for run in todo:
        key = prefix_key(options_of(run))
        if key is not None:
            keys[key] = keys.get(key, 0) + 1
    started = time.perf_counter()
    for key, count in keys.items():
        if count > 1:
            _PREFIXES[key] = simulate_prefix(key)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--record", type=Path, help="write the fingerprints to this JSON file")
    mode.add_argument("--check", type=Path, help="compare with the fingerprints in this JSON file")
    parser.add_argument("--only", default="*", help="glob over run ids (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--shared", action="store_true",
                        help="continue runs from shared healthy prefixes (forked), as the pipeline does")
    args = parser.parse_args(argv)
    todo = [r for r in runs() if fnmatch.fnmatch(r["id"], args.only)]
    if not todo:
        print(f"no run matches {args.only!r}")
        return 2
    expected = json.loads(args.check.read_text()) if args.check else {}
    got: dict[str, dict[str, str]] = {}
    total = _prepare_prefixes(todo) if args.shared else 0.0
    if total:
        print(f"{len(_PREFIXES)} shared prefixes simulated in {total:.1f} s")
    work = fingerprint_shared if args.shared else fingerprint
    with concurrent.futures.ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        for run_id, prints, spent in pool.map(work, todo):
            got[run_id] = prints
            total += spent
            verdict = ""
            if args.check:
                want = expected.get(run_id)
                verdict = "MISSING" if want is None else "same" if want == prints else (
                    "DIFFERS: " + ", ".join(k for k in prints if prints[k] != want.get(k)))
            print(f"{run_id:40s} {spent:6.1f} s  {verdict}", flush=True)
    print(f"{len(got)} runs, simulation summed {total:.1f} s")
    if args.record:
        args.record.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n")
        return 0
    bad = [k for k in got if expected.get(k) != got[k]]
    print("all fingerprints identical" if not bad else f"{len(bad)} of {len(got)} runs differ: {', '.join(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
