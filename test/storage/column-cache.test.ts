/**
 * storage/column-cache.ts: sealed segments' loaded columns stay within the engine's memory
 * budget — reading more segments than fit drops the least recently used ones' columns
 * (evictions counted, usage at or under budget), and every read still returns the exact rows
 * (dropped columns are read again from their files).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columnCost } from '../../src/storage/column-cache.ts';
import { col, createTable, insertCommit, openEnv, rowsOf } from './helpers.ts';

const VECTOR_OID = 990001; // stored through the Float32Array fast path, as in segment.test.ts

test('a tight budget evicts least recently used segments; reads stay exact', async () => {
  // About three 500-row segments' worth of vectors fit.
  const env = await openEnv({ segmentMaxRows: 500, columnBudget: { heap: 1 << 30, external: 3 * 500 * 64 * 4 + 1000 } });
  // segment_size below one file: no merges, ten sealed segments.
  const t = createTable(env.catalog, 'cached', [col(1, 'id', 20), col(2, 'v', VECTOR_OID)], {}, 1000);
  env.engine.attachTable(t);
  const rows = Array.from({ length: 5000 }, (_v, i) => [BigInt(i), new Float32Array(64).fill(i)]);
  for (let i = 0; i < rows.length; i += 500) await insertCommit(env.engine, t.tableId, [1, 2], rows.slice(i, i + 500));
  await env.engine.maintain();
  for (let pass = 0; pass < 2; pass++) {
    const got = await rowsOf(env.engine, t.tableId, [1, 2]);
    assert.equal(got.length, rows.length);
    const byId = new Map(got.map((r) => [r[0] as bigint, r[1] as Float32Array]));
    for (const [id, v] of rows) assert.deepEqual(byId.get(id as bigint), v);
    const usage = env.engine.columnCache.usage();
    assert.ok(usage.external <= env.engine.columnCache.budget.external, `external ${usage.external}`);
  }
  assert.ok(env.engine.columnCache.evictions > 0, 'some segments were evicted');
  await env.close();
});

test('column cost separates heap objects from vector bytes', () => {
  const vectors = Array.from({ length: 1000 }, () => new Float32Array(128));
  const c = columnCost(vectors);
  assert.equal(c.external, 1000 * 128 * 4);
  assert.ok(c.heap >= 1000 * 96);
  const ids = columnCost(Array.from({ length: 1000 }, (_v, i) => BigInt(i)));
  assert.equal(ids.external, 0);
  assert.ok(ids.heap >= 1000 * 32);
});
