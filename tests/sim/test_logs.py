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
             "unregistered-activity", "replica-restart", "activity-failure-storm", "unregistered-orchestration")


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
                 "worker.poison", "activity.unregistered", "runtime.starting", "orch.unregistered",
                 "pg.retryable"}),
    # The reference: duroxide-pg "Retryable error, will retry" beside the fetch WARNs.
    "database-down": ({"orch.fetch_retryable", "worker.fetch_retryable", "worker.session_renewal_failed",
                       "pg.retryable"},
                      {"orch.fetch_permanent", "orch.poison"}),
    "database-slow": ({"orch.ack_retry", "orch.ack_max_retries", "orch.ack_failed", "orch.ack_permanent",
                       "orch.fetch_permanent", "pg.retryable"}, {"orch.fetch_retryable"}),
    "store-lock-contention": ({"orch.ack_permanent", "orch.ack_failed", "orch.failure_committed"},
                              {"worker.fetch_permanent", "orch.fetch_retryable"}),
    "unregistered-activity": ({"activity.unregistered", "worker.poison", "replay.system_error"},
                                      {"activity.failed_config"}),
    "replica-restart": ({"runtime.starting"}, {"orch.fetch_retryable"}),
    # O:679 abandons with backoff, O:545 poisons at fetch; "no failure line follows".
    "unregistered-orchestration": ({"orch.unregistered", "orch.poison"},
                                   {"orch.failed", "orch.failed_unknown", "replay.system_error",
                                    "activity.unregistered", "worker.poison", "pg.retryable"}),
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
    (attempts=5), then O:964 fails the instance. Each failed call is duroxide-pg's 4 attempts
    (provider.rs:434-624) with a "Retryable error, will retry" WARN after attempts 1-3, sleeping
    50, 100, 150 ms: 300 ms more per call."""
    pairs = _lines(simulate(["database-slow"], **WINDOW))
    retries = {(_micros(line), re.search(r"backoff_ms=(\d+)", line)[1], line.split(" error=", 1)[1])
               for record, line in pairs if record.event == "orch.ack_retry"}
    pg_retries = {(_micros(line), re.search(r" attempt=(\d+)", line)[1], line.split(" error=", 1)[1])
                  for record, line in pairs if record.event == "pg.retryable"
                  and line.split(" WARN ", 1)[1].startswith("ack_orchestration_item{")}
    chains = 0
    for i, (record, line) in enumerate(pairs):
        if record.event != "orch.ack_max_retries":
            continue
        chains += 1
        assert " attempts=5 " in line
        end, error = _micros(line), line.split(" error=", 1)[1]
        waited = 0
        for backoff in (160, 80, 40, 20, 10):
            waited += backoff * 1000 + 300_000
            assert (end - waited, str(backoff), error) in retries, f"retry with {backoff} ms before {line}"
        for call_end in [end - waited + k for k in (0, 10_000 + 300_000)] + [end]:
            # duroxide-pg's attempts 1, 2, 3 of the call failed 300, 250, 150 ms before its end
            for attempt, before in ((1, 300_000), (2, 250_000), (3, 150_000)):
                assert (call_end - before, str(attempt), error) in pg_retries, f"pg attempt {attempt} before {line}"
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


# duroxide-pg v0.1.27 src/provider.rs: fetch_orchestration_item and ack_orchestration_item retry
# a retryable error 3 times (MAX_RETRIES 3), sleeping RETRY_DELAY_MS 50 x attempt; sqlx's pool
# waits its 30 s acquire timeout (provider.rs:60) per attempt; fetch_work_item does not retry.
PG_SLEEPS_MS = (50, 100, 150)
ACQUIRE_MS = 30_000
# Its events are written `warn!(target = "duroxide::providers::postgres", ...)`: a field named
# target (printed first, quoted), so the target column is the module path.
PG_TARGET = "duroxide_pg::provider"
PG_FIELD = 'target="duroxide::providers::postgres"'
FETCH_SPAN = ("fetch_orchestration_item{lock_timeout=5s _poll_timeout=30s filter=Some(DispatcherCapabilityFilter "
              "{ supported_duroxide_versions: [SemverRange { min: Version { major: 0, minor: 0, patch: 0 }, "
              "max: Version { major: 0, minor: 1, patch: 26 } }] })}")


def test_database_down_each_orchestration_fetch_is_three_duroxide_pg_retries_then_duroxides_warn():
    """Per failed orchestration fetch: duroxide-pg's WARN after attempts 1, 2, 3 (each a 30 s
    acquire, then its sleep), then duroxide's own WARN when the 4th fails; work-item fetches
    have no duroxide-pg lines and fail every 30 s plus backoff."""
    result = simulate(["database-down"], **WINDOW)
    pairs = _lines(result)
    pg = {}
    for record, line in pairs:
        if record.event == "pg.retryable":
            head = f" WARN {FETCH_SPAN}: {PG_TARGET}: Retryable error, will retry {PG_FIELD} operation=\"fetch_orchestration_item\" "
            assert head in line, line
            assert line.endswith(" error=fetch_orchestration_item: Connection pool error: pool timed out while "
                                 "waiting for an open connection"), line
            pg[_micros(line)] = int(re.search(r" attempt=(\d+) ", line)[1])
    assert pg
    fetches = [_micros(line) for record, line in pairs if record.event == "orch.fetch_retryable"]
    complete = 0
    for end in fetches:
        at, expected = end, {}
        for attempt in (3, 2, 1):
            at -= ACQUIRE_MS * 1000 + PG_SLEEPS_MS[attempt - 1] * 1000
            expected[at] = attempt
        found = {t: a for t, a in expected.items() if t in pg}
        assert all(pg[t] == a for t, a in found.items())
        complete += len(found) == 3
    # Only a slot's first fetch may have started before the outage (its early lines dropped).
    options = result.options
    assert complete >= len(fetches) - options.orchestration_slots * options.replicas > 0
    assert len(pg) <= 3 * len(fetches)
    # Worker slots: one acquire (30 s) per failed fetch, then the backoff.
    work = [_micros(line) for record, line in pairs if record.event == "worker.fetch_retryable"]
    assert len(work) > 3 * len(fetches), "a work-item fetch fails every ~30 s, an orchestration fetch every ~2 min"
    for line in (ln for _, ln in pairs if f" {PG_TARGET}: " in ln):
        assert "fetch_work_item" not in line


def test_toygres_filter_lets_duroxide_pg_through_on_both_deployments():
    """Its target is the module path duroxide_pg::provider, covered by `duroxide=info` (a string
    prefix) and, locally, `duroxide_pg=info`."""
    for log_filter in ("local", "kubernetes"):
        assert _events("database-down", log_filter=log_filter)["pg.retryable"] > 0


def test_unregistered_orchestration_backs_off_then_poisons_at_fetch():
    """O:679 ten times with backoff min(2^(n-1), 60) s and remaining = 10 - n, then O:545 poison
    at the 11th fetch, and no 'Orchestration failed' line for that instance (no failure metric
    either: reference, Poison)."""
    result = simulate(["unregistered-orchestration"], **WINDOW)
    by_instance: dict[str, list[tuple[str, dict[str, str], str]]] = defaultdict(list)
    for record, line in _lines(result):
        parsed = parse_line(line)
        fields = dict(parsed.fields)
        instance = fields.get("instance") or fields.get("instance_id")
        if instance and instance.startswith("actor-"):
            by_instance[instance].append((record.event, fields, line))
    poisoned = [i for i, events in by_instance.items() if any(e == "orch.poison" for e, _, _ in events)]
    assert len(poisoned) >= 5
    for instance in poisoned:
        events = by_instance[instance]
        abandons = [(f, line) for e, f, line in events if e == "orch.unregistered"]
        assert len(abandons) == 10
        for n, (fields, line) in enumerate(abandons, start=1):
            backoff = min(2 ** (n - 1), 60)
            assert fields["attempt_count"] == str(n) and fields["remaining_attempts"] == str(10 - n)
            assert fields["max_attempts"] == "10" and fields["backoff_secs"] == str(backoff)
            assert fields["orchestration_name"] == "toygres-orchestrations::orchestration::instance-actor"
            assert f" WARN duroxide::runtime: Orchestration not registered, abandoning with {backoff:.1f}s backoff " \
                   f"(will poison in {10 - n} more attempts) instance={instance} " in line
        times = [_micros(line) for _, line in abandons]
        for n in range(1, 10):
            assert times[n] - times[n - 1] >= min(2 ** (n - 1), 60) * 1_000_000, "the batch is invisible for its backoff"
        (poison,) = [(f, line) for e, f, line in events if e == "orch.poison"]
        assert poison[0] == {"instance": instance, "attempt_count": "11", "max_attempts": "10"}
        after = events[[e for e, _, _ in events].index("orch.poison") + 1:]
        assert not [e for e, _, _ in after if e.startswith("orch.failed")], "no failure line follows"


def test_unregistered_orchestration_version_is_the_batchs():
    """version= is the start message's (Toygres starts with none: "latest") or the history's."""
    result = simulate(["unregistered-orchestration"], **WINDOW)
    versions = Counter(dict(parse_line(line).fields)["version"] for record, line in _lines(result)
                       if record.event == "orch.unregistered")
    from generator.catalogue import ORCHESTRATION_VERSIONS
    assert set(versions) <= {"latest", *ORCHESTRATION_VERSIONS["instance-actor"]}
    assert sum(n for v, n in versions.items() if v != "latest") > 0, "running actors carry their history's version"


@pytest.mark.parametrize("line, event", [
    (f"2024-01-01T00:00:00.000000Z  WARN {FETCH_SPAN}: {PG_TARGET}: Retryable error, will retry {PG_FIELD} "
     'operation="fetch_orchestration_item" attempt=2 error=fetch_orchestration_item: I/O error: x', "pg.retryable"),
    ("2024-01-01T00:00:00.000000Z  WARN ack_orchestration_item{lock_token=lock_1 execution_id=3}: "
     f'{PG_TARGET}: Retryable error, will retry {PG_FIELD} operation="ack_orchestration_item" attempt=1 error=e',
     "pg.retryable"),
    # No span: duroxide-pg always writes these inside its #[instrument]ed methods.
    (f"2024-01-01T00:00:00.000000Z  WARN {PG_TARGET}: Retryable error, will retry {PG_FIELD} "
     'operation="fetch_orchestration_item" attempt=1 error=e', None),
    # A span duroxide's own lines never carry.
    ("2024-01-01T00:00:00.000000Z  WARN fetch_orchestration_item{}: duroxide::runtime::dispatchers::orchestration: "
     "Error fetching orchestration item (permanent): e", None),
    ("2024-01-01T00:00:00.000000Z  WARN fetch_work_item{}: " + PG_TARGET + f": Retryable error, will retry {PG_FIELD} "
     'operation="fetch_work_item" attempt=1 error=e', None),
    # The line as if `target = ...` set the target: nothing writes it.
    (f"2024-01-01T00:00:00.000000Z  WARN {FETCH_SPAN}: duroxide::providers::postgres: Retryable error, will retry "
     'operation="fetch_orchestration_item" attempt=1 error=e', None),
], ids=["fetch-span", "ack-span", "no-span", "span-on-duroxide-line", "work-item-never-retries",
        "field-taken-for-the-target"])
def test_span_prefixes_parse_only_where_duroxide_pg_writes_them(line, event):
    parsed = parse_line(line)
    assert (parsed.event.key if parsed else None) == event


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
    ("WARN", "duroxide_pg::provider", True, True),  # duroxide-pg's events (their module path)
    ("INFO", "duroxide_pg::migrations", True, True),
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
