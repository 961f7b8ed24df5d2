"""The suite records its own run for `make bench` (which never runs the suite): wall time, workers,
outcome, the machine's load, and how many cached datasets it used, into .dashgen/last-test-run.json.
Only a run of the whole suite is recorded, by the controlling process (not by each xdist worker)."""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".dashgen" / "cache"
RECORD = ROOT / ".dashgen" / "last-test-run.json"
_STARTED: dict[str, Any] = {}


# Files that take longest, started first, longest first (pytest-xdist hands out whole files in
# this order, so a long file started last would be the run's floor). Measured on a cold cache
# (CPU seconds per file): the bundled check simulates every scenario (two processes) and the
# live stack mostly waits on real servers, so they start together; the rest is the next longest.
# The check files that read the bundled check's datasets come last (started during its build,
# they would wait for it).
SLOW_FIRST = ("tests/check/test_bundled.py", "tests/stack/test_live.py", "tests/proof/test_promtool.py",
              "tests/sim/test_e1_collector.py", "tests/check/test_bundled_e1.py", "tests/sim/test_logs.py",
              "tests/compile/test_build_cli.py", "tests/proof/test_proof.py", "tests/sim/test_scenarios.py",
              "tests/sim/test_eras.py", "tests/sim/test_cli.py", "tests/review/test_preview.py",
              "tests/check/test_rules.py")


def pytest_configure(config: pytest.Config) -> None:
    # xdist (3.x) reorders files by their number of tests, most first, unless told not to: the
    # few-test slow files above would start last, after hundreds of quick parser tests.
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = Path(str(item.fspath)).resolve()
        for index, name in enumerate(SLOW_FIRST):
            if path == ROOT / name:
                return index
        return len(SLOW_FIRST)
    items.sort(key=rank)  # stable: everything else keeps its order


def _entries() -> list[Path]:
    if not CACHE.is_dir():
        return []
    return [p for p in CACHE.iterdir() if p.is_dir() and not p.name.startswith(".")]


def _whole_suite(config: pytest.Config) -> bool:
    """Only a run of the whole suite is recorded (not a file or a -k selection)."""
    where = config.invocation_params.dir
    return (not hasattr(config, "workerinput") and not config.option.keyword and not config.option.markexpr
            and [Path(where, a).resolve() for a in config.args] == [ROOT / "tests"])


def _cpu_seconds() -> float:
    """CPU time of this process and of its children it has waited for (simulator pools,
    Prometheus, promtool, node, chromium, dashgen subprocesses)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """An xdist worker finished: add the CPU time it reported (see pytest_sessionfinish)."""
    if _STARTED:
        _STARTED["workers_cpu"] = _STARTED.get("workers_cpu", 0.0) + float(
            getattr(node, "workeroutput", {}).get("cpu_seconds", 0.0))


def pytest_sessionstart(session: pytest.Session) -> None:
    if not _whole_suite(session.config):
        return
    _STARTED.update(wall=time.time(), clock=time.perf_counter(), load=os.getloadavg()[0], cpu=_cpu_seconds(),
                    cached={p.name for p in _entries()})


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller adds it up
        workeroutput["cpu_seconds"] = _cpu_seconds()
    if not _STARTED:
        return
    entries = _entries()
    # A cache entry's mtime is set when it is stored and again at every read.
    used = [p for p in entries if p.stat().st_mtime >= _STARTED["wall"] - 1]
    record = {
        "finished": int(time.time()),
        "wall_seconds": round(time.perf_counter() - _STARTED["clock"], 1),
        "workers": str(getattr(session.config.option, "numprocesses", None) or 0),
        "args": session.config.invocation_params.args,
        "exit_status": int(exitstatus),
        "collected": session.testscollected,
        "failed": session.testsfailed,
        # Load-independent: on a shared machine the wall time says more about the neighbours; on an
        # idle one the wall time cannot be below cpu_seconds / cpus.
        "cpu_seconds": round(_cpu_seconds() - _STARTED["cpu"] + _STARTED.get("workers_cpu", 0.0), 1),
        "load_before": round(_STARTED["load"], 2),
        "load_after": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "cold": not _STARTED["cached"],
        "datasets_used": len(used),
        "datasets_made": len([p for p in used if p.name not in _STARTED["cached"]]),
    }
    try:
        RECORD.parent.mkdir(parents=True, exist_ok=True)
        tmp = RECORD.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1, default=str) + "\n", encoding="utf-8")
        tmp.replace(RECORD)
    except OSError:
        pass  # a read-only checkout: the record is a convenience for `make bench`
