"""The simulator's log lines against the log catalogue and shared/reference/duroxide-logs.md:
every line parses back to a catalogued event with exactly its fields, each incident writes
what the reference's "What an incident looks like" says, at duroxide's retry/backoff rates,
and Toygres' subscriber (its filter, plain-text format and quoting) is the one modelled."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime, timezone

import pytest

from generator.log_catalogue import BY_KEY, EVENTS, parse_line
from generator.sim.logs import FILTERS, LogBook, push_level, render
from tests.sim.helpers import simulate

WINDOW = {"duration_seconds": 3600, "fault_start_seconds": 1200}
SCENARIOS = ("healthy", "database-down", "database-slow", "store-lock-contention",
             "unregistered-activity", "replica-restart", "activity-failure-storm")


def _lines(result):
    return [(record, line.rstrip("\n")) for record, line in zip(result.logs.ordered(), result.log_lines())]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_line_parses_back_to_its_catalogue_event(scenario):
    pairs = _lines(simulate([scenario], **WINDOW))
    assert pairs
    for record, line in pairs:
        parsed = parse_line(line)
        assert parsed is not None, f"no catalogue event writes: {line}"
        assert parsed.event.key == record.event, line
        assert [name for name, _ in parsed.fields] == [f.name for f in BY_KEY[record.event].fields], line
        assert parsed.level == record.level


def _events(scenario, **options):
    return Counter(record.event for record in simulate([scenario], **{**WINDOW, **options}).logs.records)


# What each incident writes, from the reference's "What an incident looks like" (present) and
# what it must not write (absent).
INCIDENTS = {
    "healthy": ({"orch.started", "orch.completed", "activity.started", "activity.completed"},
                {"orch.fetch_retryable", "worker.fetch_retryable", "orch.ack_failed", "orch.poison",
                 "worker.poison", "activity.unregistered", "runtime.starting"}),
    "database-down": ({"orch.fetch_retryable", "worker.fetch_retryable", "worker.session_renewal_failed"},
                      {"orch.fetch_permanent", "orch.poison"}),
    "database-slow": ({"orch.ack_retry", "orch.ack_max_retries", "orch.ack_failed", "orch.ack_permanent",
                       "orch.fetch_permanent"}, {"orch.fetch_retryable"}),
    "store-lock-contention": ({"orch.ack_permanent", "orch.ack_failed", "orch.failure_committed"},
                              {"worker.fetch_permanent", "orch.fetch_retryable"}),
    "unregistered-activity": ({"activity.unregistered", "worker.poison", "replay.system_error"},
                                      {"activity.failed_config"}),
    "replica-restart": ({"runtime.starting"}, {"orch.fetch_retryable"}),
}


@pytest.mark.parametrize("scenario", sorted(INCIDENTS))
def test_each_incident_writes_what_the_reference_says(scenario):
    present, absent = INCIDENTS[scenario]
    seen = _events(scenario)
    assert present <= set(seen), f"missing {sorted(present - set(seen))}"
    assert not absent & set(seen), f"unexpected {sorted(absent & set(seen))}"


def test_database_down_fetch_backoff_per_slot():
    """Every slot of both dispatchers fails on its own: attempt 1 once per slot, then backoff
    200, 400, 800, 1600, 3000 ms (the reference's sequence), capped at 3000."""
    result = simulate(["database-down"], **WINDOW)
    attempts: dict[str, Counter] = defaultdict(Counter)
    for record, line in _lines(result):
        match = re.search(r"Error fetching (orchestration|work) item \(retryable, attempt (\d+)\): "
                          r"ProviderError \{ operation: \"fetch_\w+\", message: \"Connection pool error: pool timed "
                          r"out while waiting for an open connection\", retryable: true \}, backing off (\d+)ms$", line)
        if record.event.endswith("fetch_retryable"):
            assert match, line
            attempt, backoff = int(match[2]), int(match[3])
            assert backoff == {1: 200, 2: 400, 3: 800, 4: 1600}.get(attempt, 3000)
            attempts[match[1]][attempt] += 1
    options = result.options
    assert attempts["orchestration"][1] == options.orchestration_slots * options.replicas
    assert attempts["work"][1] == options.worker_slots * options.replicas
    # Slots keep failing for the whole outage (20 min): several attempts each.
    assert max(attempts["orchestration"]) >= 5 and max(attempts["work"]) >= 5


def test_database_down_store_lines_name_no_instance():
    """Store-level warnings carry no instance at all (the reference's first table), except a
    failed activity ack, which names its work item's instance (worker.rs:752); the newest
    workload's long get-connection-strings is often in flight when the database goes away."""
    result = simulate(["database-down"], **WINDOW)
    store = [line for record, line in _lines(result)
             if BY_KEY[record.event].kind == "store" and record.event != "worker.ack_failed"]
    assert store and not any("instance_id=" in line or "instance=" in line for line in store)


def _micros(line):
    stamp = line.split(" ", 1)[0]
    seconds = datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    return int(seconds) * 1_000_000 + int(stamp[20:26])


def test_ack_retries_five_times_10_to_160_ms_then_fails_the_instance():
    """O:1160-1195: retries 0..4 sleep 10, 20, 40, 80, 160 ms, then "after max retries"
    (attempts=5), then O:964 fails the instance."""
    pairs = _lines(simulate(["database-slow"], **WINDOW))
    retries = {(_micros(line), re.search(r"backoff_ms=(\d+)", line)[1], line.split(" error=", 1)[1])
               for record, line in pairs if record.event == "orch.ack_retry"}
    chains = 0
    for i, (record, line) in enumerate(pairs):
        if record.event != "orch.ack_max_retries":
            continue
        chains += 1
        assert " attempts=5 " in line
        end, error = _micros(line), line.split(" error=", 1)[1]
        waited = 0
        for backoff in (160, 80, 40, 20, 10):
            waited += backoff * 1000
            assert (end - waited, str(backoff), error) in retries, f"retry with {backoff} ms before {line}"
        assert "orch.ack_failed" in [r.event for r, _ in pairs[i + 1:i + 4]]
    assert chains > 0


def test_unregistered_activity_backs_off_then_poisons():
    """W:704 ten times with backoff 1, 2, 4 ... 60 s, then W:407 poison (attempt 11), then R:287."""
    result = simulate(["unregistered-activity"], **WINDOW)
    by_item: dict[tuple[str, str], list[str]] = defaultdict(list)
    for record, line in _lines(result):
        if record.event in ("activity.unregistered", "worker.poison", "replay.system_error"):
            fields = dict(parse_line(line).fields)
            by_item[(fields["instance"], fields["activity_id"])].append(line)
    complete = [lines for lines in by_item.values() if any("marking as poison" in ln for ln in lines)]
    assert complete
    for lines in complete:
        backoffs = [re.search(r"backoff_secs=(\S+)", ln)[1] for ln in lines if "not registered" in ln]
        assert backoffs == ["1", "2", "4", "8", "16", "32", "60", "60", "60", "60"]
        assert "attempt_count=11 max_attempts=10" in lines[-2]
        assert lines[-1].split(" WARN ")[1].startswith("duroxide::runtime::replay_engine: System error aborts turn")
        assert "exceeded 11 attempts (max 10)" in lines[-1]


def test_activity_poison_fails_the_orchestration_with_error_type_poison():
    lines = [line for _, line in _lines(simulate(["unregistered-activity"], **WINDOW))]
    assert any("ERROR duroxide::runtime: Orchestration failed (unknown error type)" in line
               and "error_type=poison" in line for line in lines)


def test_replica_restart_writes_the_start_up_line():
    lines = [line for record, line in _lines(simulate(["replica-restart"], **WINDOW))
             if record.event == "runtime.starting"]
    assert len(lines) == 1
    assert lines[0].endswith(" INFO duroxide::runtime: duroxide runtime (0.1.26) starting with provider "
                             "duroxide-pg (0.1.27)")


# -- Toygres' subscriber ------------------------------------------------------------------------

@pytest.mark.parametrize("level, target, local, kubernetes", [
    ("DEBUG", "duroxide::runtime", True, False),
    ("DEBUG", "duroxide::runtime::dispatchers::orchestration", True, False),
    ("INFO", "duroxide::runtime::worker", True, True),
    ("DEBUG", "duroxide::orchestration", False, False),
    ("INFO", "duroxide_pg::provider", True, True),  # `duroxide=` matches the prefix
    ("DEBUG", "duroxide_pg::provider", False, False),
    ("WARN", "sqlx::query", True, True),
    ("INFO", "sqlx::query", False, True),
], ids=lambda v: str(v))
def test_toygres_filters(level, target, local, kubernetes):
    """toygres-server main.rs:25-37 (local default) and deploy/k8s/configmap.yaml:13."""
    assert LogBook("local").wants(level, target) is local
    assert LogBook("kubernetes").wants(level, target) is kubernetes
    assert set(FILTERS) == {"local", "kubernetes"}


def test_kubernetes_filter_drops_the_lifecycle_lines():
    events = _events("healthy", log_filter="kubernetes")
    assert events and not {"orch.started", "activity.started", "activity.completed"} & set(events)
    assert all(BY_KEY[key].level != "DEBUG" for key in events)


@pytest.mark.parametrize("kind, value, shown", [
    ("display", "application", "application"),
    ("display", "poison: activity a#3 exceeded 11 attempts (max 10)", "poison: activity a#3 exceeded 11 attempts (max 10)"),
    ("quoted", "Orchestration cancelled by client", '"Orchestration cancelled by client"'),
    ("quoted", 'say "hi"', '"say \\"hi\\""'),
    ("debug", None, "None"),
    ("debug", "gpu", 'Some("gpu")'),
    ("number", 5, "5"),
    ("display", 1.0, "1"),
    ("display", 0.5, "0.5"),
    ("display", True, "true"),
], ids=lambda v: repr(v)[:30])
def test_field_rendering(kind, value, shown):
    assert render(kind, value) == shown


def test_orchestration_failed_has_three_variants_with_the_category_unquoted():
    failed = [e for e in EVENTS if e.template.startswith("Orchestration failed")]
    assert {(e.level, e.template) for e in failed} == {
        ("ERROR", "Orchestration failed"), ("WARN", "Orchestration failed (application error)"),
        ("ERROR", "Orchestration failed (unknown error type)")}
    for event in failed:
        kinds = {f.name: f.kind for f in event.fields}
        assert kinds["error_type"] == "display" and kinds["error"] == "quoted"


@pytest.mark.parametrize("line, level", [
    ("2024-01-01T00:00:00.000000Z ERROR duroxide::runtime: Orchestration failed", "error"),
    ("2024-01-01T00:00:00.000000Z  WARN duroxide::runtime: Activity failed (application error)", "warn"),
    ("2024-01-01T00:00:00.000000Z DEBUG duroxide::runtime: Activity completed", "info"),
    ("2024-01-01T00:00:00.000000Z  INFO duroxide::activity: saw ERROR in output", "error"),
], ids=["error", "warn", "debug-is-info", "substring-match"])
def test_push_script_level_is_a_substring_match(line, level):
    assert push_level(line) == level


def test_docs_list_every_catalogue_event_with_its_source():
    from tests.compile_helpers import ROOT

    text = (ROOT / "docs" / "simulator.md").read_text(encoding="utf-8")
    for event in EVENTS:
        row = next((ln for ln in text.splitlines() if ln.startswith(f"| `{event.key}` |")), None)
        assert row is not None, event.key
        assert event.source.replace("duroxide v0.1.26 ", "") in row and event.target in row
