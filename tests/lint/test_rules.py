"""Every lint rule with a table of cases: a query (or dashboard tweak) that must trigger it,
one that must not, and the edge cases in between."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from generator.config import Config
from generator.lint.engine import lint_dashboards

CONFIG = Config()
PROM = {"type": "prometheus", "uid": "${datasource}"}
LOKI = {"type": "loki", "uid": "${loki}"}


def dashboard(expr: str = 'max(duroxide_worker_queue_depth{job=~"$job"})', ds: Any = PROM,
              lang_ds: Any = None) -> dict[str, Any]:
    """A minimal valid dashboard with one panel and one target."""
    return {
        "uid": "lint-case", "title": "Lint case",
        "templating": {"list": [
            {"name": "datasource", "type": "datasource", "query": "prometheus",
             "current": {"text": "toygres-prometheus", "value": "toygres-prometheus"}},
            {"name": "loki", "type": "datasource", "query": "loki",
             "current": {"text": "toygres-loki", "value": "toygres-loki"}},
            {"name": "job", "type": "query", "query": "label_values(up, job)",
             "current": {"text": "toygres", "value": "toygres"}},
            {"name": "activity_name", "type": "query", "query": "label_values(duroxide_activity_executions_total{job=~\"$job\"}, activity_name)",
             "current": {"text": "All", "value": "$__all"}, "includeAll": True, "allValue": ".+"},
        ]},
        "panels": [{
            "id": 1, "type": "timeseries", "title": "P", "description": "d",
            "datasource": lang_ds or ds, "fieldConfig": {"defaults": {"unit": "short"}},
            "targets": [{"refId": "A", "datasource": lang_ds or ds, "expr": expr}],
            "links": [{"url": "/d/x?var-loki=${loki}&var-a=$activity_name"}],
        }],
    }


def rules_fired(data: dict[str, Any] | list[dict[str, Any]]) -> set[str]:
    dashboards = data if isinstance(data, list) else [data]
    return {p.rule for p in lint_dashboards([(f"d{i}.json", d) for i, d in enumerate(dashboards)], CONFIG)}


JOB = 'job=~"$job"'
# (rule, query, fires?)
QUERY_CASES: list[tuple[str, str, str, bool]] = [
    ("promql/parse", "valid", f"max(duroxide_worker_queue_depth{{{JOB}}})", False),
    ("promql/parse", "missing-paren", f"max(duroxide_worker_queue_depth{{{JOB}}}", True),
    ("promql/parse", "unclosed-range", "rate(duroxide_provider_errors_total[5m]", True),
    ("promql/metric-unknown", "known", f"sum(rate(duroxide_provider_errors_total{{{JOB}}}[5m]))", False),
    ("promql/metric-unknown", "never-existed", "sum(rate(duroxide_activity_retries_total[5m]))", True),
    ("promql/metric-unknown", "missing-total", "sum(rate(duroxide_orchestration_starts[5m]))", True),
    ("promql/metric-unknown", "ms-suffix", "duroxide_activity_duration_ms_bucket", True),
    ("promql/metric-unknown", "not-duroxide", "up", False),
    ("promql/never-recorded", "suborchestration", "sum(rate(duroxide_suborchestration_calls_total[5m]))", True),
    ("promql/never-recorded", "client", "sum(rate(duroxide_client_starts_total[5m]))", True),
    ("promql/never-recorded", "recorded", "sum(rate(duroxide_orchestration_starts_total[5m]))", False),
    ("promql/label-unknown", "ok", 'sum(rate(duroxide_provider_errors_total{error_type="deadlock"}[5m]))', False),
    ("promql/label-unknown", "bad", 'sum(rate(duroxide_provider_errors_total{kind="deadlock"}[5m]))', True),
    ("promql/label-unknown", "le-on-bucket", 'duroxide_activity_duration_seconds_bucket{le="1"}', False),
    ("promql/label-unknown", "le-on-count", 'duroxide_activity_duration_seconds_count{le="1"}', True),
    ("promql/label-unknown", "era-label-tag", 'duroxide_activity_duration_seconds_count{tag="default"}', False),
    ("promql/label-value", "retry-attempt-1", 'sum(rate(duroxide_activity_executions_total{activity_name!="", retry_attempt="1"}[5m]))', True),
    ("promql/label-value", "retry-attempt-0", 'sum(rate(duroxide_activity_executions_total{activity_name!="", retry_attempt="0"}[5m]))', False),
    ("promql/label-value", "alternation-bad", 'sum(rate(duroxide_orchestration_completions_total{status=~"success|completed"}[5m]))', True),
    ("promql/label-value", "alternation-ok", 'sum(rate(duroxide_orchestration_completions_total{status=~"success|failed"}[5m]))', False),
    ("promql/label-value", "regex-skipped", 'sum(rate(duroxide_orchestration_completions_total{status=~"succ.*"}[5m]))', False),
    ("promql/histogram-quantile-le", "summed-by-le", "histogram_quantile(0.95, sum by (le) (rate(duroxide_provider_operation_duration_seconds_bucket[5m])))", False),
    ("promql/histogram-quantile-le", "raw-buckets", "histogram_quantile(0.95, rate(duroxide_provider_operation_duration_seconds_bucket[5m]))", True),
    ("promql/histogram-quantile-le", "sum-without-le", "histogram_quantile(0.95, sum(rate(duroxide_provider_operation_duration_seconds_bucket[5m])))", True),
    ("promql/histogram-quantile-le", "without-keeps-le", "histogram_quantile(0.95, sum without (instance) (rate(duroxide_provider_operation_duration_seconds_bucket[5m])))", False),
    ("promql/histogram-era", "bucket-only", "histogram_quantile(0.95, sum by (le) (rate(duroxide_provider_operation_duration_seconds_bucket[5m])))", True),
    ("promql/histogram-era", "with-summary-fallback", 'histogram_quantile(0.95, sum by (le) (rate(duroxide_provider_operation_duration_seconds_bucket[5m]))) or max(duroxide_provider_operation_duration_seconds{quantile="0.95"})', False),
    ("promql/histogram-era", "summary-only", 'max(duroxide_provider_operation_duration_seconds{quantile="0.95"})', False),
    ("promql/label-value", "summary-quantile-bad", 'max(duroxide_provider_operation_duration_seconds{quantile="0.97"})', True),
    ("promql/raw-counter", "summary-quantile-compared", 'max(duroxide_provider_operation_duration_seconds{quantile="0.95"}) > 1', False),
    ("promql/rate-non-counter", "rate-on-summary-quantile", 'rate(duroxide_provider_operation_duration_seconds{quantile="0.95"}[5m])', True),
    ("promql/rate-non-counter", "rate-on-gauge", "rate(duroxide_active_orchestrations[5m])", True),
    ("promql/rate-non-counter", "rate-on-counter", "rate(duroxide_provider_errors_total[5m])", False),
    ("promql/rate-non-counter", "rate-on-bucket", "rate(duroxide_activity_duration_seconds_bucket[5m])", False),
    ("promql/raw-counter", "starts-minus-completions", "sum(duroxide_orchestration_starts_total) - sum(duroxide_orchestration_completions_total)", True),
    ("promql/raw-counter", "counter-compared", "duroxide_provider_errors_total > 0", True),
    ("promql/raw-counter", "rates-subtracted", "sum(rate(duroxide_orchestration_starts_total[5m])) - sum(rate(duroxide_orchestration_completions_total[5m]))", False),
    ("promql/raw-counter", "gauge-arithmetic", "sum(duroxide_active_orchestrations) * 2", False),
    ("promql/range-too-short", "one-scrape-interval", "rate(duroxide_provider_errors_total[15s])", True),
    ("promql/range-too-short", "dollar-interval", "rate(duroxide_provider_errors_total[$__interval])", True),
    ("promql/range-too-short", "rate-interval", "rate(duroxide_provider_errors_total[$__rate_interval])", False),
    ("promql/range-too-short", "two-intervals", "rate(duroxide_provider_errors_total[30s])", False),
    ("promql/job-unselected", "no-job", "sum(rate(duroxide_provider_errors_total[5m]))", True),
    ("promql/job-unselected", "job-equality", 'sum(rate(duroxide_provider_errors_total{job="toygres"}[5m]))', False),
    ("promql/job-unselected", "job-variable-one-value", f"max(duroxide_worker_queue_depth{{{JOB}}})", False),
    ("promql/job-unselected", "job-regex-any", 'max(duroxide_worker_queue_depth{job=~".+"})', True),
    ("promql/job-unselected", "job-alternation", 'max(duroxide_worker_queue_depth{job=~"toygres|kubernetes-pods"})', True),
    ("promql/job-unselected", "job-negated", 'max(duroxide_worker_queue_depth{job!="kubernetes-pods"})', True),
    ("promql/job-unselected", "one-side-of-a-ratio", f'sum(rate(duroxide_provider_errors_total{{{JOB}}}[5m])) / sum(rate(duroxide_provider_operation_duration_seconds_count[5m]))', True),
    ("promql/job-unselected", "not-duroxide", "up", False),
    ("promql/e2-double-count", "unguarded-sum", "sum(rate(duroxide_activity_executions_total[5m]))", True),
    ("promql/e2-double-count", "guarded-sum", 'sum(rate(duroxide_activity_executions_total{activity_name!=""}[5m]))', False),
    ("promql/e2-double-count", "grouped-by-label", "sum by (activity_name) (rate(duroxide_activity_executions_total[5m]))", False),
    ("promql/e2-double-count", "all-value-dot-plus", 'sum(rate(duroxide_activity_executions_total{activity_name=~"$activity_name"}[5m]))', False),
    ("promql/e2-double-count", "dot-star-matches-empty", 'sum(rate(duroxide_activity_executions_total{activity_name=~".*"}[5m]))', True),
    ("promql/e2-double-count", "failures-unguarded", "sum(rate(duroxide_orchestration_failures_total[5m]))", True),
    ("promql/e2-double-count", "not-duplicated", "sum(rate(duroxide_provider_errors_total[5m]))", False),
    ("dashboard/undefined-variable", "undefined", 'max(duroxide_worker_queue_depth{job=~"$cluster"})', True),
    ("dashboard/undefined-variable", "builtin", "rate(duroxide_provider_errors_total[$__rate_interval])", False),
    ("dashboard/undefined-variable", "label-replace-capture", 'label_replace(max(duroxide_worker_queue_depth), "a", "$1", "job", "(.*)")', False),
    ("dashboard/variable-format", "known-format", 'max(duroxide_worker_queue_depth{job=~"${job:pipe}"})', False),
    ("dashboard/variable-format", "unknown-format", 'max(duroxide_worker_queue_depth{job=~"${job:piped}"})', True),
]


@pytest.mark.parametrize("rule,query,fires", [pytest.param(r, q, f, id=f"{r}:{name}") for r, name, q, f in QUERY_CASES])
def test_query_rule(rule: str, query: str, fires: bool) -> None:
    assert (rule in rules_fired(dashboard(query))) is fires


LOGQL_CASES = [
    ("valid-filter", '{job="toygres"} |= "error" | logfmt | level="error"', False),
    ("valid-metric", 'sum by (level) (count_over_time({job="toygres"} | logfmt [5m]))', False),
    ("valid-auto", 'sum(count_over_time({job="toygres"} [$__auto]))', False),
    ("unclosed-selector", '{job="toygres" |= "error"', True),
    ("missing-range", 'count_over_time({job="toygres"})', True),
]


# (rule, case, LogQL, fires?): fields and messages checked against the log catalogue.
LOG_CATALOGUE_CASES = [
    ("logql/field-unknown", "instance_id-filter", '{job="toygres"} |~ "instance_id=actor-x"', False),
    ("logql/field-unknown", "no-such-field", '{job="toygres"} |= "tenant_id="', True),
    ("logql/field-unknown", "parsed-known", '{job="toygres"} |= "duration_ms=" | logfmt | duration_ms > 1000', False),
    ("logql/field-unknown", "parsed-unknown", '{job="toygres"} | logfmt | latency_ms > 1000', True),
    ("logql/field-unknown", "grouping-unknown",
     'sum by (tenant) (count_over_time({job="toygres"} | logfmt [5m]))', True),
    # The activity poison warning names the instance `instance=`; it has no instance_id.
    ("logql/field-unknown", "instance_id-on-instance-lines",
     '{job="toygres"} |= "Activity message exceeded max attempts" | logfmt | instance_id="actor-x"', True),
    ("logql/field-unknown", "instance-on-instance-lines",
     '{job="toygres"} |= "Activity message exceeded max attempts" | logfmt | instance="actor-x"', False),
    ("logql/field-unknown", "store-errors-carry-no-instance",
     '{job="toygres"} |= "Error fetching orchestration item" | logfmt | instance="actor-x"', True),
    ("logql/message-unknown", "known-message", '{job="toygres"} |= "Orchestration failed (application error)"', False),
    ("logql/message-unknown", "templated-message", '{job="toygres"} |= "Activity not registered, abandoning with 4.0s"',
     False),
    ("logql/message-unknown", "never-written", '{job="toygres"} |= "Activity cancelled"', True),
    ("logql/message-unknown", "old-config-error", '{job="toygres"} |= "Activity failed (configuration error)"', True),
    # duroxide-pg v0.1.27's own retry line, its fields, and the size-limit ERRORs (duroxide's source).
    ("logql/message-unknown", "duroxide-pg-retry", '{job="toygres"} |= "Retryable error, will retry"', False),
    ("logql/field-unknown", "duroxide-pg-operation",
     '{job="toygres"} |= "Retryable error, will retry" | logfmt | operation="fetch_orchestration_item"', False),
    ("logql/field-unknown", "duroxide-pg-names-no-instance",
     '{job="toygres"} |= "Retryable error, will retry" | logfmt | instance="actor-x"', True),
    ("logql/message-unknown", "size-limit", '{job="toygres"} |= "KV value exceeds size limit"', False),
    ("logql/message-unknown", "orchestration-unregistered",
     '{job="toygres"} |= "Orchestration not registered, abandoning with 2.0s"', False),
]


@pytest.mark.parametrize("rule,query,fires", [pytest.param(r, q, f, id=f"{r}:{n}") for r, n, q, f in LOG_CATALOGUE_CASES])
def test_log_catalogue_rule(rule: str, query: str, fires: bool) -> None:
    assert (rule in rules_fired(dashboard(query, lang_ds=LOKI))) is fires


@pytest.mark.parametrize("query,fires", [pytest.param(q, f, id=n) for n, q, f in LOGQL_CASES])
def test_logql_parse(query: str, fires: bool) -> None:
    fired = rules_fired(dashboard(query, lang_ds=LOKI))
    assert ("logql/parse" in fired) is fires
    assert "promql/parse" not in fired


def _mutate(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = dashboard()
    change(data)
    return data


DASHBOARD_CASES: list[tuple[str, str, Any, bool]] = [
    ("dashboard/uid", "ok", dashboard(), False),
    ("dashboard/uid", "missing", _mutate(lambda d: d.pop("uid")), True),
    ("dashboard/uid", "too-long", _mutate(lambda d: d.update(uid="x" * 41)), True),
    ("dashboard/uid", "forty-is-fine", _mutate(lambda d: d.update(uid="x" * 40)), False),
    ("dashboard/uid", "duplicate-across-files", [dashboard(), dashboard()], True),
    ("panel/datasource", "variable", dashboard(), False),
    ("panel/datasource", "literal-provisioned", dashboard(ds={"type": "prometheus", "uid": "toygres-prometheus"}), False),
    ("panel/datasource", "legacy-string", dashboard(ds="Prometheus"), True),
    ("panel/datasource", "unknown-uid", dashboard(ds={"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}), True),
    ("panel/datasource", "not-a-ds-variable", dashboard(ds={"type": "prometheus", "uid": "${job}"}), True),
    ("dashboard/unused-variable", "all-used", dashboard(), False),
    ("dashboard/unused-variable", "unused", _mutate(lambda d: d["templating"]["list"].append(
        {"name": "cluster", "type": "custom", "query": "a,b", "current": {"value": "a"}})), True),
    ("panel/unit", "has-unit", dashboard(), False),
    ("panel/unit", "no-unit", _mutate(lambda d: d["panels"][0].update(fieldConfig={"defaults": {}})), True),
    ("panel/unit", "text-needs-none", _mutate(lambda d: d["panels"][0].update(type="text", fieldConfig={})), False),
    ("panel/description", "has-description", dashboard(), False),
    ("panel/description", "blank", _mutate(lambda d: d["panels"][0].update(description="  ")), True),
]


@pytest.mark.parametrize("rule,data,fires", [pytest.param(r, copy.deepcopy(d), f, id=f"{r}:{n}") for r, n, d, f in DASHBOARD_CASES])
def test_dashboard_rule(rule: str, data: Any, fires: bool) -> None:
    assert (rule in rules_fired(data)) is fires


def test_every_rule_has_cases() -> None:
    from generator.lint.rules import RULES
    covered = {c[0] for c in QUERY_CASES} | {c[0] for c in DASHBOARD_CASES} | {"logql/parse"} \
        | {c[0] for c in LOG_CATALOGUE_CASES}
    assert {r.id for r in RULES} <= covered


def test_problem_is_located() -> None:
    [problem] = [p for p in lint_dashboards([("f.json", dashboard("rate(duroxide_active_orchestrations[5m])"))], CONFIG)
                 if p.rule == "promql/rate-non-counter"]
    assert (problem.file, problem.dashboard, problem.panel, problem.target) == ("f.json", "lint-case", "P", "A")


def test_bundled_dashboards_are_clean() -> None:
    from tests.compile_helpers import compile_bundled
    import json
    compiled = compile_bundled()
    problems = lint_dashboards([(uid, json.loads(t)) for uid, t in compiled.items()], CONFIG)
    assert problems == []


def test_every_rule_has_a_doc_entry() -> None:
    from pathlib import Path

    from generator.lint.rules import RULES
    docs = Path(__file__).resolve().parents[2] / "docs" / "lint.md"
    sections = {line[3:].strip() for line in docs.read_text().splitlines() if line.startswith("## ")}
    assert {r.id for r in RULES} <= sections


def test_legacy_rows_layout_is_linted() -> None:
    legacy = dashboard("sum(rate(duroxide_activity_retries_total[5m]))")
    legacy["rows"] = [{"title": "old", "panels": legacy.pop("panels")}]
    assert "promql/metric-unknown" in rules_fired(legacy)
