"""The dataset cache: a second run reuses the first's simulation and blocks (same answers from a
real Prometheus), any option change misses, concurrent writers agree, the size stays bounded."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from generator.config import Config
from generator.pipeline import Cache, Dataset, ScenarioSpec, Timings, served
from generator.pipeline import cache as cache_module
from generator.pipeline.served import dataset_key

needs_prometheus = pytest.mark.skipif(shutil.which("prometheus") is None or shutil.which("promtool") is None,
                                      reason="prometheus/promtool not installed")
HEALTHY = Dataset(ScenarioSpec.parse("healthy"), seed=3, duration_seconds=20 * 60)
QUERY = "count(duroxide_orchestration_starts_total)"


def _answer(prom: object) -> list[object]:
    run = prom.runs[0]  # type: ignore[attr-defined]
    result = prom.client().query_range(QUERY, run.start + 600, run.end, 60)  # type: ignore[attr-defined]
    return [(series.labels, series.samples) for series in result]


@needs_prometheus
def test_second_run_is_served_from_the_cache_with_the_same_answers(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    first, second = Timings(), Timings()
    with served([HEALTHY], Config(), timings=first, cache=cache) as prom:
        cold = _answer(prom)
        cold_truth = prom.runs[0].truth
    with served([HEALTHY], Config(), timings=second, cache=cache) as prom:
        warm = _answer(prom)
        warm_truth = prom.runs[0].truth
    assert (first.cache_misses, first.cache_hits, second.cache_misses, second.cache_hits) == (1, 0, 0, 1)
    assert second.simulate == 0.0 and second.backfill == 0.0
    assert cold and cold == warm and cold_truth == warm_truth


@needs_prometheus
def test_no_cache_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with served([HEALTHY], Config(), cache=Cache(None)) as prom:
        assert prom.runs[0].truth
    assert not (tmp_path / ".dashgen").exists()


@pytest.mark.parametrize("change", [
    dict(seed=4), dict(duration_seconds=30 * 60), dict(end_ts=HEALTHY.end_ts - 3600),
    dict(scenario=ScenarioSpec.parse("healthy,era=E1")), dict(scenario=ScenarioSpec.parse("burst"), fault_start_seconds=600),
], ids=["seed", "duration", "window", "era", "scenario"])
def test_every_option_that_changes_the_output_changes_the_key(change: dict[str, object]) -> None:
    other = Dataset(**{**HEALTHY.__dict__, **change})  # type: ignore[arg-type]
    assert dataset_key(other, Config(), None, False) != dataset_key(HEALTHY, Config(), None, False)


def test_export_options_and_code_change_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    base = dataset_key(HEALTHY, Config(), None, False)
    assert dataset_key(HEALTHY, Config(), frozenset({"a"}), False) != base
    assert dataset_key(HEALTHY, Config(), None, True) != base
    assert dataset_key(HEALTHY, Config(log_shipping="promtail"), None, False) != base
    monkeypatch.setattr(cache_module, "code_hash", lambda: "edited simulator")
    assert dataset_key(HEALTHY, Config(), None, False) != base


def _blocks(tmp: Path, name: str, size: int) -> Path:
    blocks = tmp / f"src-{name}"
    (blocks / "01BLOCK").mkdir(parents=True)
    (blocks / "01BLOCK" / "chunk").write_bytes(os.urandom(size))
    return blocks


def test_concurrent_writers_of_one_entry_leave_one_complete_entry(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    sources = [_blocks(tmp_path, str(i), 1000) for i in range(6)]
    threads = [threading.Thread(target=cache.put, args=("k", {"n": i}, src)) for i, src in enumerate(sources)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = [p.name for p in (tmp_path / "cache").iterdir() if not p.name.startswith(".")]
    assert entries == ["k"]
    into = tmp_path / "served"
    assert cache.get("k", into) in [{"n": i} for i in range(6)]
    assert (into / "01BLOCK" / "chunk").stat().st_size == 1000


def test_least_recently_used_entries_are_evicted_to_the_bound(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache", max_bytes=2500)
    for name in ("a", "b"):
        cache.put(name, {}, _blocks(tmp_path, name, 1000))
        os.utime(tmp_path / "cache" / name, (1, 1 if name == "a" else 2))
    assert cache.get("a", tmp_path / "x") == {}  # a is now the most recently used
    cache.put("c", {}, _blocks(tmp_path, "c", 1000))
    kept = sorted(p.name for p in (tmp_path / "cache").iterdir() if not p.name.startswith("."))
    assert kept == ["a", "c"] and cache.size() <= 2500


def _build_once(root: str, key: str, log: str) -> None:
    """One process making an entry as served() and the test helpers do: under the key's lock,
    look it up, make and store it only on a miss (appending to `log` when it made it)."""
    import time

    cache = Cache(Path(root))
    with cache.building([key]):
        if cache.get_file(key, "data") is None:
            with open(log, "a") as handle:
                handle.write("made\n")
            time.sleep(2.0)  # a slow simulation: the others arrive while it runs
            cache.put_file(key, "data", b"dataset")


def test_processes_that_need_the_same_entry_make_it_once(tmp_path: Path) -> None:
    import multiprocessing

    log = tmp_path / "made.log"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_build_once, args=(str(tmp_path / "cache"), "k", str(log))) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    assert log.read_text().splitlines() == ["made"]
    assert Cache(tmp_path / "cache").get_file("k", "data") == b"dataset"


def test_file_entries_are_evicted_like_datasets(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache", max_bytes=2500)
    cache.put_file("a", "data", os.urandom(1000))
    os.utime(tmp_path / "cache" / "a", (1, 1))
    cache.put("b", {}, _blocks(tmp_path, "b", 1000))
    cache.put_file("c", "data", os.urandom(1000))
    kept = sorted(p.name for p in (tmp_path / "cache").iterdir() if not p.name.startswith("."))
    assert kept == ["b", "c"] and cache.get_file("a", "data") is None
    assert Cache(None).get_file("c", "data") is None


def test_the_bound_comes_from_the_environment_when_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.errors import DashgenError

    monkeypatch.setenv("DASHGEN_CACHE_MAX_GB", "0.000002")  # 2147 bytes: two 1000-byte entries fit, not three
    cache = Cache(tmp_path / "cache")
    for name in ("a", "b", "c"):
        cache.put(name, {}, _blocks(tmp_path, name, 1000))
        os.utime(tmp_path / "cache" / name, (1, {"a": 1, "b": 2, "c": 3}[name]))
    kept = sorted(p.name for p in (tmp_path / "cache").iterdir() if not p.name.startswith("."))
    assert kept == ["b", "c"]
    monkeypatch.delenv("DASHGEN_CACHE_MAX_GB")
    assert Cache(tmp_path / "other").max_bytes == 2 * 1024 ** 3
    for bad in ("lots", "0", "-1", "nan"):
        monkeypatch.setenv("DASHGEN_CACHE_MAX_GB", bad)
        with pytest.raises(DashgenError, match=f"DASHGEN_CACHE_MAX_GB='{bad}' is not a positive number"):
            Cache(tmp_path / "other")
