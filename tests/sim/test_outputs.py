"""The four files: OpenMetrics that promtool accepts, truth.jsonl, duroxide's log text and
Loki push JSON; byte-identical for the same seed and window end."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from generator.sim.export import FILES, scrape_offset
from generator.sim.truth import STATES
from tests.sim.helpers import END, simulate

SHORT = {"duration_seconds": 3600, "fault_start_seconds": 1200}


def _digests(directory):
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in FILES}


def test_same_seed_and_end_give_identical_bytes(tmp_path):
    from generator.config import Config
    from generator.sim import run

    first = run(["database-slow"], Config(), end_ts=END, seed=3, **SHORT).write(tmp_path / "a")
    second = run(["database-slow"], Config(), end_ts=END, seed=3, **SHORT).write(tmp_path / "b")
    other = run(["database-slow"], Config(), end_ts=END, seed=4, **SHORT).write(tmp_path / "c")
    assert [p.name for p in first] == list(FILES) == [p.name for p in second]
    a, b, c = _digests(tmp_path / "a"), _digests(tmp_path / "b"), _digests(tmp_path / "c")
    assert a == b
    assert a["metrics.om"] != c["metrics.om"] and a["truth.jsonl"] != c["truth.jsonl"]


@pytest.fixture(scope="module")
def text():
    return "".join(simulate(**SHORT).openmetrics())


def test_openmetrics_structure(text):
    lines = text.splitlines()
    assert lines[0].startswith("# HELP duroxide_orchestration_starts ")
    assert lines[1] == "# TYPE duroxide_orchestration_starts counter"
    assert lines[-1] == "# EOF" and text.endswith("# EOF\n")
    types = [line.split()[2:] for line in lines if line.startswith("# TYPE")]
    assert len(types) == len({family for family, _ in types})
    counters = [family for family, kind in types if kind == "counter"]
    # OpenMetrics names a counter family without _total; its samples carry it.
    assert counters and not [f for f in counters if f.endswith("_total")]
    assert all(f"\n{family}_total{{" in text for family in counters)


def test_samples_are_grouped_by_family_and_sorted_in_time(text):
    family = None
    seen_families: set[str] = set()
    last_ts: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE"):
            family = line.split()[2]
            assert family not in seen_families
            seen_families.add(family)
            continue
        if line.startswith("#"):
            continue
        head, value, ts = line.rsplit(" ", 2)
        assert head.startswith(family)
        assert re.fullmatch(r"\d{10}(\.\d{1,3})?", ts), ts  # seconds (scrape offset in ms), not ms
        float(value)
        assert float(ts) > last_ts.get(head, 0), head
        last_ts[head] = float(ts)


def test_one_sample_per_series_per_scrape(text):
    result = simulate(**SHORT)
    stamps = [r["ts"] for r in result.truth]
    assert stamps == list(range(END - 3600, END + 1, 15))
    (gauge,) = [line for line in text.splitlines() if line.startswith("duroxide_active_orchestrations{")][:1]
    head = gauge.rsplit(" ", 2)[0]
    offset = scrape_offset(0, 15)
    assert 0 < offset < 15  # scraped at a fixed phase, never on the query grid
    assert [round(float(line.rsplit(" ", 1)[1]) + offset) for line in text.splitlines()
            if line.startswith(head + " ")] == stamps


def test_e1_histogram_inf_bucket_equals_count():
    text = "".join(simulate(era="E1", **SHORT).openmetrics())
    assert "# TYPE duroxide_provider_operation_duration_seconds histogram" in text
    inf = {}
    count = {}
    for line in text.splitlines():
        if line.startswith("duroxide_provider_operation_duration_seconds_bucket") and 'le="+Inf"' in line:
            head, value, ts = line.rsplit(" ", 2)
            inf[(head.replace(',le="+Inf"', "").replace("_bucket", "_count"), ts)] = value
        elif line.startswith("duroxide_provider_operation_duration_seconds_count"):
            head, value, ts = line.rsplit(" ", 2)
            count[(head, ts)] = value
    assert inf and inf == count


def test_e2_summary_exposition(text):
    assert "# TYPE duroxide_provider_operation_duration_seconds summary" in text
    assert "duroxide_provider_operation_duration_seconds_bucket" not in text
    point = [line for line in text.splitlines()
             if line.startswith("duroxide_provider_operation_duration_seconds")
             and line.endswith(f" {END - scrape_offset(0, 15):.3f}")
             and 'operation="fetch_orchestration_item"' in line and 'status="success"' in line]
    assert [line.split('quantile="')[1].split('"')[0] for line in point if "quantile=" in line] == \
        ["0", "0.5", "0.9", "0.95", "0.99", "0.999", "1"]
    values = [float(line.rsplit(" ", 2)[1]) for line in point if "quantile=" in line]
    assert values == sorted(values) and values[0] > 0


def test_truth_header_and_records():
    result = simulate(["burst"], **SHORT)
    header = result.header
    assert header["kind"] == "header" and header["onset"] == END - 3600 + 1200
    assert header["faults"] == [{"scenario": "burst", "start": END - 2400, "end": END - 2400}]
    assert header["expect"] == {"burst": {"instances.creating": "rises",
                                          "active.by_orchestration.toygres-orchestrations::orchestration::create-instance": "rises"}}
    record = result.truth[-1]
    assert set(record) >= {"ts", "active", "pending", "instances", "orchestrator_queue", "worker_queue",
                           "activities", "orchestrations", "activity_latency", "provider_p95",
                           "provider_errors", "trailing", "faults", "replica_restarts", "replicas_up"}
    assert set(record["instances"]) == set(STATES)
    assert record["provider_p95"]["all"] > 0
    latency = record["activity_latency"]["toygres-orchestrations::activity::test-connection"]
    assert latency["p50"] <= latency["p95"] <= latency["p99"]
    assert json.loads(json.dumps(record)) == record


@pytest.mark.parametrize("shipping, check", [
    ("push", lambda labels: set(labels) == {"job", "level", "source"} and labels["source"] == "server"),
    ("promtail", lambda labels: "level" in labels and "job" not in labels),
    ("otlp", lambda labels: labels == {"service_name": "toygres"}),
], ids=["push-script", "promtail", "otlp"])
def test_loki_stream_labels_by_shipping(shipping, check):
    body = simulate(["unregistered-activity"], log_shipping=shipping, **SHORT).loki_push()
    streams = body["streams"]
    assert streams and all(check(s["stream"]) for s in streams)
    for stream in streams:
        stamps = [int(ns) for ns, _ in stream["values"]]
        assert stamps == sorted(stamps) and all(len(ns) == 19 for ns, _ in stream["values"])
    if shipping == "promtail":
        # instance_id promoted to a label: one stream per instance, the cardinality trap.
        assert len({s["stream"].get("instance_id") for s in streams}) > 20
    if shipping == "push":
        assert {s["stream"]["level"] for s in streams} >= {"info", "warn"}
