"""Lint on dashboards this project did not write: every Grafana variable format, data sources given
as variables in either form, label_replace capture groups, time macros, ad-hoc filters, legacy
units, native histograms, windows judged with the dashboard's own interval, `--portable`, and
malformed JSON shapes (one line naming the JSON path)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.config import Config
from generator.errors import DashgenError
from generator.lint.engine import lint_dashboards
from generator.walker import read_dashboard
from generator.problems import Problem

CONFIG = Config()
REPO = Path(__file__).resolve().parents[2]
PROM = {"type": "prometheus", "uid": "${datasource}"}


def foreign(*targets: str, ds: Any = PROM, panel: dict[str, Any] | None = None,
            variables: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A dashboard as others write them: node_exporter metrics, a job and an instance variable."""
    return {
        "uid": "foreign", "title": "Foreign", "schemaVersion": 39,
        "templating": {"list": [
            {"name": "datasource", "type": "datasource", "query": "prometheus"},
            {"name": "loki_datasource", "type": "datasource", "query": "loki"},
            {"name": "job", "type": "query", "query": "label_values(up, job)", "multi": True,
             "current": {"text": ["node", "api"], "value": ["node", "api"]}},
            {"name": "instance", "type": "query", "query": "label_values(up{job=~\"$job\"}, instance)"},
            *(variables or []),
        ]},
        "panels": [{"id": 7, "type": "timeseries", "title": "P", "datasource": ds,
                    "targets": [{"refId": chr(65 + i), "datasource": ds, "expr": expr}
                                for i, expr in enumerate(targets)],
                    "links": [{"url": "/d/x?var-i=${instance}&var-l=${loki_datasource}"}], **(panel or {})}],
    }


def lint(data: dict[str, Any] | list[dict[str, Any]], *, portable: bool = True) -> list[Problem]:
    dashboards = data if isinstance(data, list) else [data]
    return lint_dashboards([(f"d{i}.json", d) for i, d in enumerate(dashboards)], CONFIG, portable=portable)


def fired(data: dict[str, Any], *, portable: bool = True) -> set[str]:
    return {p.rule for p in lint(data, portable=portable)}


# -- variable formats ---------------------------------------------------------------------------

# Each Grafana format where it makes sense in PromQL; none may abort, fail to parse, or be flagged.
FORMATS: dict[str, str] = {
    "regex": 'up{job=~"${job:regex}"}',
    "pipe": 'up{job=~"${job:pipe}"}',
    "raw": 'up{job=~"${job:raw}"}',
    "csv": 'up{job=~"${job:csv}"}',
    "text": 'up{job=~"${job:text}"}',
    "glob": 'up{job=~"${job:glob}"}',
    "distributed": 'up{job=~"${job:distributed}"}',
    "lucene": 'up{job=~"${job:lucene}"}',
    "percentencode": 'up{job=~"${job:percentencode}"}',
    "queryparam": 'label_replace(up, "link", "/d/x?${job:queryparam}", "", "")',
    "html": 'up{job=~"${job:html}"}',
    "singlequote": "up{job=~${job:singlequote}}",
    "sqlstring": "up{job=~${job:sqlstring}}",
    "doublequote": "up{job=~${job:doublequote}}",
    "json": "up{job=~${job:json}}",
    "date on __to (seconds)": "max(up @ ${__to:date:seconds})",
    "date on __from (iso)": 'label_replace(up, "from", "${__from:date:iso}", "", "")',
    "date with a pattern": 'label_replace(up, "day", "${__from:date:YYYY-MM-DD}", "", "")',
    "plain __from / __to": "max(up) * 0 + (${__to} - ${__from}) / 1000",
    "bracket form": 'up{job=~"[[job]]"}',
    "label_replace $1": 'label_replace(up, "host", "$1", "instance", "(.*):.*")',
    "label_replace ${1}": 'label_replace(up, "host", "${1}-x", "instance", "(.*):.*")',
}


@pytest.mark.parametrize("query", FORMATS.values(), ids=FORMATS.keys())
def test_every_grafana_format_is_substituted(query: str) -> None:
    rules = fired(foreign(query))
    assert not rules & {"promql/parse", "dashboard/variable-format", "dashboard/undefined-variable"}, rules


def test_an_unknown_format_is_a_finding_on_that_target_only() -> None:
    data = foreign('up{job=~"${job:bogus}"}', "rate(duroxide_activity_retries_total[5m])")
    problems = lint(data)
    [bad] = [p for p in problems if p.rule == "dashboard/variable-format"]
    assert (bad.target, bad.panel_id) == ("A", 7)
    assert "format 'bogus', which Grafana does not know" in bad.message
    assert any(p.rule == "promql/metric-unknown" and p.target == "B" for p in problems)  # the run went on


# -- data source types --------------------------------------------------------------------------

DATASOURCES: dict[str, Any] = {
    "legacy string $var": "$loki_datasource",
    "legacy string ${var}": "${loki_datasource}",
    "object without type": {"uid": "${loki_datasource}"},
    "object with type": {"type": "loki", "uid": "${loki_datasource}"},
    "legacy name, query tells": "Loki",
}


@pytest.mark.parametrize("ds", DATASOURCES.values(), ids=DATASOURCES.keys())
def test_logql_behind_a_data_source_variable_is_parsed_as_logql(ds: Any) -> None:
    good = foreign('sum(count_over_time({job=~"$job"} |= "error" [$__interval]))', ds=ds)
    assert not fired(good) & {"promql/parse", "logql/parse"}
    bad = foreign('sum(count_over_time({job=~"$job"} |= "error"))', ds=ds)
    assert "logql/parse" in fired(bad) and "promql/parse" not in fired(bad)


def test_mixed_panel_uses_each_targets_data_source() -> None:
    data = foreign('{job=~"$job"} |= "x"', ds={"type": "datasource", "uid": "-- Mixed --"})
    data["panels"][0]["targets"][0]["datasource"] = "$loki_datasource"
    assert not fired(data) & {"promql/parse", "logql/parse"}


# -- variables, units, histograms, windows ------------------------------------------------------

CASES: dict[str, tuple[dict[str, Any], str, bool, bool]] = {
    # name: (dashboard, rule, fires, portable)
    "adhoc variable is not unused": (foreign("up", variables=[{"name": "filters", "type": "adhoc"}]),
                                     "dashboard/unused-variable", False, True),
    "a really unused variable": (foreign("up", variables=[{"name": "x", "type": "custom", "query": "a"}]),
                                 "dashboard/unused-variable", True, True),
    "variable used as ${var:format}": (foreign('up{zone=~"${zone:pipe}"}', variables=[
        {"name": "zone", "type": "custom", "query": "a,b"}]), "dashboard/unused-variable", False, True),
    "legacy graph unit in yaxes": (foreign("up", panel={"type": "graph", "yaxes": [{"format": "bytes"}, {}]}),
                                   "panel/unit", False, False),
    "legacy singlestat unit": (foreign("up", panel={"type": "singlestat", "format": "percent"}), "panel/unit", False, False),
    "graph without a unit": (foreign("up", panel={"type": "graph", "yaxes": [{}, {}]}), "panel/unit", True, False),
    "native histogram": (foreign("histogram_quantile(0.9, sum(rate(http_request_duration_seconds[5m])))"),
                         "promql/histogram-quantile-le", False, True),
    "native histogram by job": (foreign("histogram_quantile(0.9, sum by (job) (rate(http_request_duration_seconds[5m])))"),
                                "promql/histogram-quantile-le", False, True),
    "classic buckets without le": (foreign("histogram_quantile(0.9, sum(rate(http_request_duration_seconds_bucket[5m])))"),
                                   "promql/histogram-quantile-le", True, True),
    "present_over_time needs one sample": (foreign('present_over_time(up{job=~"$job"}[$__interval])'),
                                           "promql/range-too-short", False, True),
    "max_over_time needs one sample": (foreign("max_over_time(up[15s])"), "promql/range-too-short", False, True),
    "rate over $__interval (15 s default)": (foreign("rate(node_cpu_seconds_total[$__interval])"),
                                             "promql/range-too-short", True, True),
    "rate over 1m, dashboard scrapes every 1m": (foreign("rate(node_cpu_seconds_total[1m])", panel={"interval": "1m"}),
                                                 "promql/range-too-short", True, True),
    "rate over 2m, dashboard scrapes every 1m": (foreign("rate(node_cpu_seconds_total[2m])", panel={"interval": "1m"}),
                                                 "promql/range-too-short", False, True),
    "rate over $__rate_interval, 1m min interval": (foreign("rate(node_cpu_seconds_total[$__rate_interval])",
                                                            panel={"interval": "1m"}), "promql/range-too-short", False, True),
    "rate over 45s, no min interval": (foreign("rate(node_cpu_seconds_total[45s])"), "promql/range-too-short", False, True),
    "Toygres' own 15 s scrape, not the panel's": (foreign("rate(duroxide_provider_errors_total[1m])", panel={"interval": "1m"}),
                                                  "promql/range-too-short", False, False),
    "interval from a variable": (foreign("rate(node_cpu_seconds_total[1m])", panel={"interval": "$min"}, variables=[
        {"name": "min", "type": "interval", "query": "1m,5m", "current": {"value": "1m"}}]), "promql/range-too-short", True, True),
}


@pytest.mark.parametrize("data,rule,fires,portable", CASES.values(), ids=CASES.keys())
def test_rules_on_foreign_dashboards(data: dict[str, Any], rule: str, fires: bool, portable: bool) -> None:
    assert (rule in fired(copy.deepcopy(data), portable=portable)) is fires


# -- --portable ---------------------------------------------------------------------------------

PORTABLE: dict[str, tuple[Any, bool]] = {
    "variable of type datasource": ({"type": "prometheus", "uid": "${datasource}"}, False),
    "any literal uid": ({"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}, False),
    "legacy name": ("Prometheus", False),
    "default (null)": (None, False),
    "mixed": ({"type": "datasource", "uid": "-- Mixed --"}, False),
    "undefined variable": ({"type": "prometheus", "uid": "$nope"}, True),
    "not a datasource variable": ({"type": "prometheus", "uid": "${job}"}, True),
    "uid not a string": ({"type": "prometheus", "uid": 7}, True),
    "empty object": ({}, True),
}


@pytest.mark.parametrize("ds,fires", PORTABLE.values(), ids=PORTABLE.keys())
def test_portable_datasources_are_well_formed_and_resolvable(ds: Any, fires: bool) -> None:
    data = foreign("up", ds=ds)
    assert ("panel/datasource" in fired(data)) is fires


def test_portable_skips_house_rules_only() -> None:
    data = foreign("rate(up[5m])", "duroxide_nonexistent_total", ds={"type": "prometheus", "uid": "elsewhere"})
    data.pop("uid")
    portable = fired(data)
    house = fired(data, portable=False)
    assert {"panel/description", "panel/unit", "panel/datasource", "dashboard/uid"} <= house
    assert not portable & {"panel/description", "panel/unit", "panel/datasource", "dashboard/uid"}
    assert "promql/metric-unknown" in portable  # correctness rules still run


def test_findings_name_panel_id_row_and_target_index() -> None:
    data = foreign()
    bad = {"refId": "", "datasource": PROM, "expr": "rate(up[5s])"}
    data["panels"] = [
        {"id": 1, "type": "row", "title": "CPU", "panels": []},
        {"id": 2, "type": "timeseries", "title": "Same", "targets": [{"refId": "A", "expr": "up"}, bad]},
        {"id": 3, "type": "row", "title": "Memory", "collapsed": True, "panels": [
            {"id": 4, "type": "timeseries", "title": "Same", "targets": [bad]}]},
    ]
    found = sorted((p.panel_id, p.row, p.panel, p.target) for p in lint(data) if p.rule == "promql/range-too-short")
    assert found == [(2, "CPU", "Same", "targets[1]"), (4, "Memory", "Same", "targets[0]")]
    problem = next(p for p in lint(data) if p.rule == "promql/range-too-short")
    assert "panel 'Same' (id 2, row 'CPU'): target targets[1]" in problem.location


# -- malformed JSON: one line naming the JSON path ---------------------------------------------

def _nested(depth: int) -> dict[str, Any]:
    panel: dict[str, Any] = {"type": "row", "title": "deep", "panels": []}
    top = panel
    for _ in range(depth):
        child: dict[str, Any] = {"type": "row", "title": "deep", "panels": []}
        panel["panels"].append(child)
        panel = child
    return {"title": "Deep", "panels": [top]}


SHAPES: dict[str, tuple[Any, str]] = {
    "panels not a list": ({"title": "x", "panels": {"a": 1}}, "panels: expected a list of panels, got an object"),
    "panel not an object": ({"title": "x", "panels": [{"type": "text"}, "oops"]},
                            "panels[1]: expected a panel object, got a string"),
    "templating not an object": ({"title": "x", "templating": []}, "templating: expected an object, got a list"),
    "templating list not a list": ({"title": "x", "templating": {"list": "a"}},
                                   "templating.list: expected a list of variables, got a string"),
    "templating entry not an object": ({"title": "x", "templating": {"list": [{"name": "a"}, 3]}},
                                       "templating.list[1]: expected a variable object, got a number"),
    "variable current not an object": ({"title": "x", "templating": {"list": [{"name": "a", "current": "v"}]}},
                                       "templating.list[0].current: expected an object, got a string"),
    "target not an object": ({"title": "x", "panels": [{"targets": [None]}]},
                             "panels[0].targets[0]: expected a target object, got null"),
    "expr not a string": ({"title": "x", "panels": [{"targets": [{"expr": 5}]}]},
                          "panels[0].targets[0].expr: expected a string, got a number"),
    "fieldConfig defaults a list": ({"title": "x", "panels": [{"fieldConfig": {"defaults": []}}]},
                                    "panels[0].fieldConfig.defaults: expected an object, got a list"),
    "rows panels not a list": ({"title": "x", "rows": [{"panels": 1}]}, "rows[0].panels: expected a list of panels"),
    "rows nested 3 deep": (_nested(2), "panels[0].panels[0].panels: panels nest one level at most"),
    "title a number": ({"title": 3, "panels": []}, "title: expected a string, got a number"),
}


@pytest.mark.parametrize("data,expected", SHAPES.values(), ids=SHAPES.keys())
def test_malformed_shapes_name_the_json_path(tmp_path: Path, data: Any, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(DashgenError) as caught:
        read_dashboard(path)
    assert str(caught.value) == f"{path}: {expected}" or str(caught.value).startswith(f"{path}: {expected}")


RAW_FILES: dict[str, tuple[bytes, str]] = {
    "latin-1": ('{"title": "Caf\u00e9", "panels": []}'.encode("latin-1"), "not UTF-8 (byte 0xe9 at offset 14)"),
    "rows nested 500 deep": (('{"title": "Deep", "panels": [' + '{"type": "row", "panels": [' * 500 + "]}" * 500
                              + "]}").encode(), "JSON nested too deeply to be a dashboard"),
    "utf-8 with a BOM is fine": (b"\xef\xbb\xbf" + json.dumps({"title": "x", "panels": []}).encode(), ""),
}


@pytest.mark.parametrize("raw,expected", RAW_FILES.values(), ids=RAW_FILES.keys())
def test_lint_cli_on_malformed_files_is_one_line(tmp_path: Path, raw: bytes, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(raw)
    result = subprocess.run([sys.executable, "-m", "generator", "lint", "--portable", str(path)], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr
    if not expected:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"dashgen: error: {path}: {expected}; Grafana reads UTF-8 JSON: "
                                                  "convert it, for example `iconv -f latin1 -t utf-8`"
                                                  if "UTF-8" in expected else f"dashgen: error: {path}: {expected}"]
