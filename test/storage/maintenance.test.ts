/** storage/ maintenance: merge, compaction, row-id forwarding, the cleaner and pins, seal failures. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FileState } from '../../src/catalog/index.ts';
import { FaultyObjectStore, LocalObjectStore } from '../../src/tiering/index.ts';
import { col, createTable, insertCommit, openEnv, rowsOf, scanAll, tempDir } from './helpers.ts';

const sorted = (rows: unknown[][]): number[] => rows.map((r) => r[0] as number).sort((a, b) => a - b);
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_x, i) => from + i);

test('merge combines small RAW files into one, keeps every row, forwards old row ids', async () => {
  const env = await openEnv({ segmentMaxRows: 10 });
  const t = createTable(env.catalog, 'm', [col(1, 'id', 23), col(2, 's', 25)]);
  env.engine.attachTable(t);
  const firstIds = await insertCommit(env.engine, t.tableId, [1, 2], range(10).map((i) => [i, `r${i}`]));
  for (let b = 1; b < 10; b++) await insertCommit(env.engine, t.tableId, [1, 2], range(10, b * 10).map((i) => [i, `r${i}`]));
  // Sealing happens in the background after each full segment; let it finish without merging.
  const oldTx = env.engine.begin();
  await env.engine.maintain();
  const raw = env.catalog.files(t.tableId, [FileState.RAW]);
  assert.equal(raw.length, 1, 'ten files merged into one');
  assert.equal(raw[0]!.rowCount, 100);
  assert.deepEqual(sorted(await rowsOf(env.engine, t.tableId, [1])), range(100));
  // A transaction that began before the swap deletes by an old row id: the right row goes.
  oldTx.delete(t.tableId, [firstIds[3]!]);
  await oldTx.commit();
  assert.deepEqual(sorted(await rowsOf(env.engine, t.tableId, [1])), range(100).filter((i) => i !== 3));
  await env.reopen({ segmentMaxRows: 10 });
  assert.deepEqual(sorted(await rowsOf(env.engine, t.tableId, [1])), range(100).filter((i) => i !== 3));
  assert.deepEqual((await rowsOf(env.engine, t.tableId, [2])).length, 99);
  await env.close();
});

test('compaction rewrites a segment whose deleted fraction passed the threshold', async () => {
  const env = await openEnv({ segmentMaxRows: 20 });
  const t = createTable(env.catalog, 'c', [col(1, 'id', 23)], {}, 64); // tiny segment size: no merges
  env.engine.attachTable(t);
  const rowIds = await insertCommit(env.engine, t.tableId, [1], range(20).map((i) => [i]));
  await env.engine.maintain();
  const tx = env.engine.begin();
  tx.delete(t.tableId, rowIds.filter((_id, i) => i % 2 === 0));
  await tx.commit();
  await env.engine.maintain();
  const raw = env.catalog.files(t.tableId, [FileState.RAW]);
  assert.equal(raw.length, 1);
  assert.equal(raw[0]!.rowCount, 10, 'deleted rows dropped');
  assert.equal(raw[0]!.deletedCount, 0);
  assert.deepEqual(sorted(await rowsOf(env.engine, t.tableId, [1])), range(10).map((i) => i * 2 + 1));
  await env.reopen();
  assert.deepEqual(sorted(await rowsOf(env.engine, t.tableId, [1])), range(10).map((i) => i * 2 + 1));
  await env.close();
});

test('deletes committed while a merge runs are carried over', async () => {
  const env = await openEnv({ segmentMaxRows: 5 });
  const t = createTable(env.catalog, 'carry', [col(1, 'id', 23)]);
  env.engine.attachTable(t);
  const a = await insertCommit(env.engine, t.tableId, [1], range(5).map((i) => [i]));
  await insertCommit(env.engine, t.tableId, [1], range(5, 5).map((i) => [i]));
  // Race a delete against the merge: the maintain pass reads sources before the delete applies.
  const maintaining = env.engine.maintain();
  const tx = env.engine.begin();
  tx.delete(t.tableId, [a[2]!]);
  await Promise.all([tx.commit(), maintaining]);
  await env.engine.maintain();
  assert.deepEqual(sorted(await rowsOf(env.engine, t.tableId, [1])), range(10).filter((i) => i !== 2));
  await env.reopen({ segmentMaxRows: 5 });
  assert.deepEqual(sorted(await rowsOf(env.engine, t.tableId, [1])), range(10).filter((i) => i !== 2));
  await env.close();
});

test('the cleaner removes merged-away files only after the snapshots pinning them release', async () => {
  const env = await openEnv({ segmentMaxRows: 10 });
  const t = createTable(env.catalog, 'pin', [col(1, 'id', 23)]);
  env.engine.attachTable(t);
  for (let b = 0; b < 3; b++) await insertCommit(env.engine, t.tableId, [1], range(10, b * 10).map((i) => [i]));
  await env.engine.maintain(); // seals (and merges) — start over so nothing is cached
  await insertCommit(env.engine, t.tableId, [1], range(10, 30).map((i) => [i]));
  await env.reopen({ segmentMaxRows: 10 }); // close waits for the background seal
  // Now: merged file (30 rows) + 1 file (10 rows). Pin both (unread), then merge them.
  assert.equal(env.catalog.files(t.tableId, [FileState.RAW]).length, 2);
  const old = env.engine.snapshot(t.tableId);
  const oldFiles = env.catalog.files(t.tableId, [FileState.RAW]).map((f) => path.join(env.dir, 'objects', f.location));
  await insertCommit(env.engine, t.tableId, [1], range(10, 40).map((i) => [i]));
  await env.engine.maintain();
  assert.equal(env.catalog.files(t.tableId, [FileState.RAW]).length, 1);
  assert.ok(env.catalog.files(t.tableId, [FileState.TO_DELETE]).length >= 2, 'sources await the cleaner');
  for (const f of oldFiles) assert.ok(fs.existsSync(f), `${f} still on disk while pinned`);
  assert.deepEqual(sorted((await scanAll(env.engine, old, null, [1])).rows), range(40), 'old snapshot reads its files');
  old.release();
  await env.engine.maintain();
  for (const f of oldFiles) assert.ok(!fs.existsSync(f), `${f} removed after release`);
  assert.equal(env.catalog.files(t.tableId, [FileState.TO_DELETE]).length, 0);
  assert.deepEqual(sorted(await rowsOf(env.engine, t.tableId, [1])), range(50));
  await env.close();
});

test('a failed put during seal leaves the rows in the WAL, visible and recoverable', async () => {
  const dir = tempDir();
  const faulty = new FaultyObjectStore(new LocalObjectStore(path.join(dir, 'objects')), 1, true);
  const env = await openEnv({ segmentMaxRows: 10, objectStore: faulty }, dir);
  const t = createTable(env.catalog, 'f', [col(1, 'id', 23)]);
  env.engine.attachTable(t);
  for (let b = 0; b < 3; b++) await insertCommit(env.engine, t.tableId, [1], range(10, b * 10).map((i) => [i]));
  await env.engine.maintain();
  assert.ok(faulty.failedPuts.length >= 1, 'puts failed');
  assert.equal(env.catalog.files(t.tableId).length, 0, 'nothing registered');
  assert.deepEqual(sorted(await rowsOf(env.engine, t.tableId, [1])), range(30), 'rows still served from memory');
  // Crash (no close) and come back with a healthy store: the WAL still has everything.
  faulty.heal();
  await env.reopen({ segmentMaxRows: 10, objectStore: faulty });
  assert.deepEqual(sorted(await rowsOf(env.engine, t.tableId, [1])), range(30));
  await env.engine.maintain();
  assert.equal(env.catalog.rowCount(t.tableId), 30);
  await env.reopen({ segmentMaxRows: 10, objectStore: faulty });
  assert.deepEqual(sorted(await rowsOf(env.engine, t.tableId, [1])), range(30));
  await env.close();
});

test('truncate and drop discard rows durably', async () => {
  const env = await openEnv({ segmentMaxRows: 10 });
  const t = createTable(env.catalog, 'tr', [col(1, 'id', 23)]);
  const d = createTable(env.catalog, 'dr', [col(1, 'id', 23)]);
  env.engine.attachTable(t);
  env.engine.attachTable(d);
  await insertCommit(env.engine, t.tableId, [1], range(15).map((i) => [i]));
  await insertCommit(env.engine, d.tableId, [1], range(15).map((i) => [i]));
  await env.engine.maintain();
  await env.engine.truncate(t.tableId);
  await insertCommit(env.engine, t.tableId, [1], [[100]]);
  env.catalog.dropTable(d.tableId);
  env.engine.dropTable(d.tableId);
  assert.deepEqual(sorted(await rowsOf(env.engine, t.tableId, [1])), [100]);
  await env.engine.maintain();
  assert.deepEqual(await env.store.list(`tables/${d.tableId}/`), []);
  await env.reopen({ segmentMaxRows: 10 });
  assert.deepEqual(sorted(await rowsOf(env.engine, t.tableId, [1])), [100]);
  assert.equal(env.engine.tables.has(d.tableId), false);
  await env.close();
});
