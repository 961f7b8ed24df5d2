// Parses a batch of PromQL/LogQL queries with the official lezer grammars, for dashgen's Python side.
//
// stdin:  JSON array of {"lang": "promql" | "logql", "query": "..."}
// stdout: JSON array, one entry per input, in order, one entry per line (so the reader can
//         decode while later queries are still being parsed):
//           {"tree": [typeName, from, to, [children...]]}            (named nodes only)
//         | {"error": {"from": N, "to": N, "message": "..."}}
// Offsets are UTF-16 code unit offsets (JavaScript string indices); the Python side maps them
// to code point offsets. Lezer parsers recover from errors instead of failing, so a query is
// invalid when its tree holds any error node (⚠); we report the first one in document order.

import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { parser as logqlParser } from '@grafana/lezer-logql';

const PARSERS = { promql: promqlParser, logql: logqlParser };
// Comments are skipped tokens, not structure: leave them out of the tree.
const SKIPPED = new Set(['LineComment']);
// Results are written in chunks of this many lines: big enough to keep writes cheap, small
// enough that the reader starts decoding early.
const CHUNK = 500;

// Compact tree in pre-order (= document order), remembering the first error node met.
function compact(cursor, state) {
  if (cursor.type.isError && state.error === null) state.error = { from: cursor.from, to: cursor.to };
  const children = [];
  const node = [cursor.type.name, cursor.from, cursor.to, children];
  if (cursor.firstChild()) {
    do {
      if (!SKIPPED.has(cursor.type.name)) children.push(compact(cursor, state));
    } while (cursor.nextSibling());
    cursor.parent();
  }
  return node;
}

function describe(query, from, to) {
  if (from >= query.length) return 'unexpected end of query';
  const text = to > from ? query.slice(from, to) : query.slice(from, from + 1);
  const shown = text.length > 20 ? `${text.slice(0, 20)}...` : text;
  return `unexpected ${JSON.stringify(shown)}`;
}

function parseOne(item) {
  const parser = PARSERS[item && item.lang];
  if (!parser) {
    return { error: { from: 0, to: 0, message: `unknown query language ${JSON.stringify(item && item.lang)}` } };
  }
  const query = typeof item.query === 'string' ? item.query : '';
  if (query.trim() === '') return { error: { from: 0, to: query.length, message: 'empty query' } };
  const state = { error: null };
  const tree = compact(parser.parse(query).cursor(), state);
  if (state.error) {
    const { from, to } = state.error;
    return { error: { from, to, message: describe(query, from, to) } };
  }
  return { tree };
}

function main() {
  const chunks = [];
  process.stdin.on('data', (chunk) => chunks.push(chunk));
  process.stdin.on('end', () => {
    let items;
    try {
      items = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      process.stderr.write(`parse.js: stdin is not JSON: ${err.message}\n`);
      process.exit(2);
    }
    if (!Array.isArray(items)) {
      process.stderr.write('parse.js: stdin must be a JSON array\n');
      process.exit(2);
    }
    process.stdout.write('[\n');
    for (let start = 0; start < items.length; start += CHUNK) {
      const lines = items.slice(start, start + CHUNK).map((item) => JSON.stringify(parseOne(item)));
      const last = start + CHUNK >= items.length;
      process.stdout.write(lines.join(',\n') + (last ? '\n' : ',\n'));
    }
    process.stdout.write(']\n');
  });
}

main();
