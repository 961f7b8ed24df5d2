"""The node bridge: one process per batch, faithful trees and errors, and clear failures when node is missing."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from generator.errors import DashgenError
from generator.parsers import bridge
from generator.parsers.bridge import Node, ParserCrashError, ParserUnavailableError, QuerySyntaxError, parse_batch
from generator.parsers.promql import parse_promql_many


def test_tree_is_the_lezer_tree_with_positions() -> None:
    (tree,) = parse_batch([("promql", "up{job='a'}")])
    assert isinstance(tree, Node)
    assert tree.type == "PromQL"
    selector = tree.children[0]
    assert (selector.type, selector.start, selector.end) == ("VectorSelector", 0, 11)
    assert [child.type for child in selector.children] == ["Identifier", "LabelMatchers"]


def test_error_nodes_make_the_query_invalid() -> None:
    (error,) = parse_batch([("logql", '{job="a"} | ')])
    assert isinstance(error, QuerySyntaxError)
    assert (error.start, error.reason) == (12, "unexpected end of query")


def test_unknown_language_is_an_error_result() -> None:
    (error,) = parse_batch([("sql", "select 1")])  # type: ignore[list-item]
    assert isinstance(error, QuerySyntaxError)
    assert "unknown query language" in error.reason


def test_offsets_are_python_code_points_after_astral_characters() -> None:
    query = 'x{a="😀😀"} + y'
    (tree,) = parse_batch([("promql", query)])
    assert isinstance(tree, Node)
    rhs = tree.children[0].children[-1]
    assert query[rhs.start : rhs.end] == "y"


def test_batch_of_5000_queries_runs_one_node_process(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[list[str]] = []
    real_popen = subprocess.Popen

    def counting_popen(args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        started.append(args)
        return real_popen(args, **kwargs)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(bridge.subprocess, "Popen", counting_popen)
    queries = [f'sum(rate(duroxide_x_total{{name="n{i}"}}[{i % 9 + 1}m])) by (le)' for i in range(4999)] + [
        "rate(x[5m]"
    ]
    begin = time.perf_counter()
    results = parse_promql_many(queries)
    elapsed = time.perf_counter() - begin
    assert len(started) == 1
    assert len(results) == 5000
    assert sum(isinstance(result, QuerySyntaxError) for result in results) == 1
    assert isinstance(results[-1], QuerySyntaxError)
    assert results[41] == parse_promql_many([queries[41]])[0]
    # One process per query would take minutes; one batch takes well under a second here.
    assert elapsed < 15


def test_duplicates_are_parsed_once_but_answered_for_each_item() -> None:
    results = parse_batch([("promql", "up"), ("logql", '{a="b"}'), ("promql", "up")])
    assert results[0] is results[2]
    assert isinstance(results[1], Node) and results[1].type == "LogQL"


def test_empty_batch_needs_no_node() -> None:
    assert parse_batch([], node_binary="definitely-not-node") == []


def test_missing_node_says_how_to_fix_it() -> None:
    with pytest.raises(ParserUnavailableError, match="make dashboards") as caught:
        parse_batch([("promql", "up")], node_binary="definitely-not-node")
    assert isinstance(caught.value, DashgenError)


def test_missing_node_modules_says_how_to_fix_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(bridge, "NODE_MODULES", tmp_path / "node_modules")
    with pytest.raises(ParserUnavailableError, match=r"@lezer/lr.*make dashboards"):
        parse_batch([("promql", "up")])


def test_crashing_node_is_reported_with_its_last_stderr_line(tmp_path: Path) -> None:
    fake = tmp_path / "fake-node"
    fake.write_text("#!/bin/sh\necho 'SyntaxError: broken parser' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(ParserCrashError, match="SyntaxError: broken parser"):
        parse_batch([("promql", "up")], node_binary=str(fake))


def test_parse_js_speaks_the_documented_json_contract() -> None:
    payload = json.dumps([{"lang": "promql", "query": "up"}, {"lang": "logql", "query": ""}])
    proc = subprocess.run(
        ["node", str(bridge.PARSE_SCRIPT)],
        input=payload,
        capture_output=True,
        text=True,
        check=True,
        cwd=bridge.JS_DIR,
    )
    answer = json.loads(proc.stdout)
    assert answer == [
        {"tree": ["PromQL", 0, 2, [["VectorSelector", 0, 2, [["Identifier", 0, 2, []]]]]]},
        {"error": {"from": 0, "to": 0, "message": "empty query"}},
    ]


def test_syntax_error_survives_pickling() -> None:
    import pickle

    error = QuerySyntaxError("rate(x[5m]", 10, 10, "unexpected end of query")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.query, copy.start, copy.reason, str(copy)) == (error.query, 10, error.reason, str(error))
