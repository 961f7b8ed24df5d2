"""Runs the official lezer PromQL/LogQL grammars in one node process per batch and returns syntax trees."""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Mapping, NamedTuple

from generator.errors import DashgenError, ParseError

Lang = Literal["promql", "logql"]

JS_DIR = Path(__file__).resolve().parent / "js"
PARSE_SCRIPT = JS_DIR / "parse.js"
NODE_MODULES = JS_DIR / "node_modules"
# The packages parse.js imports; any one missing means `npm ci` never ran here.
REQUIRED_PACKAGES = ("@lezer/lr", "@lezer/highlight", "@prometheus-io/lezer-promql", "@grafana/lezer-logql")
# Generous: 20,000 queries take about a second; a hung node must not hang the build.
TIMEOUT_SECONDS = 120.0
_SETUP_HINT = "run `make dashboards` (it runs `npm ci` in generator/parsers/js)"


class ParserUnavailableError(DashgenError):
    """node or the grammar packages are missing, so no query can be parsed at all."""


class ParserCrashError(DashgenError):
    """The node parser process failed or answered with something that is not a result list."""


class QuerySyntaxError(ParseError):
    """One query does not parse; carries the query and the error span so callers can locate it.

    str() is `line:column: reason` followed by the offending line and a caret excerpt; `summary`
    is the first line alone, for one-line reports.
    """

    def __init__(self, query: str, start: int, end: int, reason: str) -> None:
        self.query = query
        self.start = start
        self.end = max(end, start)
        self.reason = reason
        self.line, self.column = line_column(query, start)
        super().__init__(f"{self.summary}\n{caret_excerpt(query, self.start, self.end)}")

    @property
    def summary(self) -> str:
        """The one-line form `line:column: reason` (1-based), for one-line reports."""
        return f"{self.line}:{self.column}: {self.reason}"

    def __reduce__(self) -> tuple[type, tuple[str, int, int, str]]:
        return (type(self), (self.query, self.start, self.end, self.reason))


class Node(NamedTuple):
    """One named node of a lezer syntax tree; start/end are code point offsets into the query."""

    type: str
    start: int
    end: int
    children: tuple[Node, ...]


ParseResult = Node | QuerySyntaxError


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a code point offset, as editors and Prometheus report them."""
    offset = min(max(offset, 0), len(text))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def caret_excerpt(text: str, start: int, end: int) -> str:
    """The offending line with carets under the error span, indented two spaces."""
    start = min(max(start, 0), len(text))
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end == -1 else line_end
    width = max(1, min(end, line_end) - start)
    return f"  {text[line_start:line_end]}\n  {' ' * (start - line_start)}{'^' * width}"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pauses the cyclic garbage collector while a batch builds millions of acyclic lists and tuples.

    Without this, CPython's generational GC re-scans the growing heap again and again and decoding
    20,000 trees takes about seven times longer; trees hold no cycles, so nothing is leaked.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_batch(items: Sequence[tuple[Lang, str]], *, node_binary: str | None = None) -> list[ParseResult]:
    """Parses every (lang, query) pair with a single node process; one tree or error per item, in order."""
    unique = list(dict.fromkeys((lang, query) for lang, query in items))
    with gc_paused():
        results = dict(zip(unique, stream_batch(unique, node_binary=node_binary), strict=True))
    return [results[(lang, query)] for lang, query in items]


def stream_batch(items: Sequence[tuple[Lang, str]], *, node_binary: str | None = None) -> Iterator[ParseResult]:
    """Like parse_batch without de-duplication, yielding each result as soon as node has written it.

    Callers decoding big batches should hold gc_paused() while they iterate.
    """
    if not items:
        return
    node = _find_node(node_binary)
    payload = json.dumps([{"lang": lang, "query": query} for lang, query in items]).encode("utf-8")
    with tempfile.TemporaryFile() as stderr:
        try:
            proc = subprocess.Popen(
                [node, str(PARSE_SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, cwd=JS_DIR,
            )
        except OSError as exc:
            raise ParserUnavailableError(f"cannot run {node}: {exc}; {_SETUP_HINT}") from exc
        timed_out = threading.Event()

        def expire() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(TIMEOUT_SECONDS, expire)
        timer.start()
        count = 0
        try:
            for answer in _read_answers(proc, payload):
                if count >= len(items):
                    raise ParserCrashError("the query parser returned more results than queries")
                yield _convert(items[count][1], answer)
                count += 1
            returncode = proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if timed_out.is_set():
            raise ParserCrashError(f"the query parser did not finish within {TIMEOUT_SECONDS:.0f}s")
        if returncode != 0:
            stderr.seek(0)
            lines = stderr.read().decode("utf-8", "replace").strip().splitlines()
            last = lines[-1] if lines else "no output"
            raise ParserCrashError(f"the query parser (node {PARSE_SCRIPT.name}) failed: {last}")
        if count != len(items):
            raise ParserCrashError(f"the query parser returned {count} results for {len(items)} queries")


def _read_answers(proc: subprocess.Popen[bytes], payload: bytes) -> Iterator[dict[str, Any]]:
    """Writes the batch, then decodes parse.js' one-result-per-line JSON array as it arrives."""
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(payload)
        proc.stdin.close()
    except BrokenPipeError:
        pass  # node died early; its exit status says why
    for line in proc.stdout:
        line = line.strip().rstrip(b",")
        if line in (b"[", b"]", b""):
            continue
        try:
            yield json.loads(line)
        except ValueError as exc:
            raise ParserCrashError(f"the query parser answered with invalid JSON: {exc}") from exc


def _find_node(node_binary: str | None) -> str:
    """The node executable to run, or a clear error naming what to install."""
    found = shutil.which(node_binary or "node")
    if found is None:
        raise ParserUnavailableError(
            f"query parsing needs node (>= 20) on PATH, but {node_binary or 'node'!r} was not found; "
            f"install node, then {_SETUP_HINT}"
        )
    missing = [name for name in REQUIRED_PACKAGES if not (NODE_MODULES / name / "package.json").is_file()]
    if missing:
        raise ParserUnavailableError(f"query parsing needs {', '.join(missing)} in {NODE_MODULES}; {_SETUP_HINT}")
    return found


def _convert(query: str, answer: dict[str, Any]) -> ParseResult:
    """Turns one JSON answer into a Node tree or a QuerySyntaxError, in Python code point offsets."""
    if "error" in answer:
        error = answer["error"]
        to_py = _offset_mapper(query)
        return QuerySyntaxError(query, to_py(int(error["from"])), to_py(int(error["to"])), str(error["message"]))
    tree = answer.get("tree")
    if not isinstance(tree, list):
        raise ParserCrashError("the query parser answered without a tree or an error")
    if query.isascii():
        return _build(tree)
    return _build_mapped(tree, _offset_mapper(query))


def _build(raw: list[Any]) -> Node:
    """[type, from, to, children] lists to Node tuples; hot, so tuple.__new__ skips NamedTuple's slow __new__."""
    children = raw[3]
    return _new_tuple(Node, (raw[0], raw[1], raw[2], tuple([_build(child) for child in children]) if children else ()))


def _build_mapped(raw: list[Any], to_py: Callable[[int], int]) -> Node:
    """_build for queries with non-ASCII text, whose JavaScript offsets need mapping."""
    name, start, end, children = raw
    return Node(name, to_py(start), to_py(end), tuple(_build_mapped(child, to_py) for child in children))


_new_tuple = tuple.__new__


def _offset_mapper(query: str) -> Callable[[int], int]:
    """Maps JavaScript UTF-16 offsets to Python code point offsets; they differ only after astral characters."""
    if query.isascii() or all(ord(char) <= 0xFFFF for char in query):
        return lambda offset: offset
    table: list[int] = []
    for index, char in enumerate(query):
        table.extend((index, index) if ord(char) > 0xFFFF else (index,))
    table.append(len(query))
    return lambda offset: table[min(offset, len(table) - 1)]


def parse_and_convert(items: Sequence[tuple[Lang, str]], converters: Mapping[str, Callable[[str, Any], Any]],
                      *, node_binary: str | None = None) -> list[Any]:
    """Parse (language, query) pairs in one node process and convert each tree with its
    language's converter; repeats are parsed once and syntax errors are returned in place."""
    unique = list(dict.fromkeys(items))
    converted: dict[tuple[Lang, str], Any] = {}
    with gc_paused():
        for (lang, text), tree in zip(unique, stream_batch(unique, node_binary=node_binary), strict=True):
            try:
                converted[(lang, text)] = converters[lang](text, tree)
            except QuerySyntaxError as exc:
                converted[(lang, text)] = exc
    return [converted[item] for item in items]
