/**
 * sql/parser: parseRaw() moves the query into WASM memory and the JSON tree out natively; it
 * must give exactly what libpg-query's own parseSync gives (the oracle: same WASM parser, the
 * package's character-by-character marshalling) — trees, and errors with their cursor — for
 * ASCII and multi-byte queries, small and large.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSync } from 'libpg-query';
import { initParser, parseRaw } from '../../src/sql/index.ts';
import { mulberry32 } from '../support/prng.ts';

/** The tree, or the error's message and cursor (what parseSql reports). */
const outcome = (parse: (sql: string) => unknown, sql: string): unknown => {
  try {
    return parse(sql);
  } catch (err) {
    const d = (err as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
    return { message: d?.message, cursor: d?.cursorPosition };
  }
};

test('parseRaw agrees with libpg-query\'s parseSync on trees and errors', async () => {
  await initParser();
  const rnd = mulberry32(17);
  const big = `INSERT INTO t VALUES ${Array.from({ length: 2000 }, (_v, i) => `(${i}, '[${Array.from({ length: 16 }, () => (rnd() - 0.5).toPrecision(6)).join(',')}]', 'étiquette ${i} 🚀')`).join(', ')}`;
  const queries = [
    'SELECT 1',
    "SELECT 'ünïcödé €', 'x' AS \"Ünï\" FROM t WHERE a = 'ß'; SELECT 2",
    'CREATE TABLE t (id bigint PRIMARY KEY, v vector(3), label text)',
    "SELECT id FROM items ORDER BY embedding <-> '[1,2,3]' LIMIT 5",
    big,
    'SELEC 1',
    "SELECT 'ünï' FROMM t",
    "SELECT 'unterminated",
    `${big} ,`,
    '/* only a comment */',
  ];
  for (const q of queries) assert.deepEqual(outcome(parseRaw, q), outcome(parseSync, q), q.slice(0, 60));
});
