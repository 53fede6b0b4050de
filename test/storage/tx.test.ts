/** storage/ transactions: snapshot isolation, own writes, abort, atomicity across tables, deletes and their persistence, count and fetch. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileState } from '../../src/catalog/index.ts';
import { col, createTable, insertCommit, openEnv, rowsOf, scanAll } from './helpers.ts';

const ids = (rows: unknown[][]): unknown[] => rows.map((r) => r[0]).sort((a, b) => (a as number) - (b as number));

test('snapshots: a scan started before a commit does not see it; own writes are visible only to the writer', async () => {
  const env = await openEnv();
  const t = createTable(env.catalog, 'iso', [col(1, 'id', 23), col(2, 's', 25)]);
  env.engine.attachTable(t);
  await insertCommit(env.engine, t.tableId, [1, 2], [[1, 'a'], [2, 'b']]);

  const before = env.engine.snapshot(t.tableId);
  const it = env.engine.scan(before, null, [1], { batchRows: 1 })[Symbol.asyncIterator]();
  const first = await it.next();
  assert.deepEqual(first.value!.rows, [[1]]);

  const tx = env.engine.begin();
  const prov = tx.insert(t.tableId, [[3, 'c']], [1, 2]);
  assert.ok(prov[0]! < 0, 'provisional ids are negative');
  const snapTx = env.engine.snapshot(t.tableId);
  assert.deepEqual(ids((await scanAll(env.engine, snapTx, tx, [1])).rows), [1, 2, 3], 'own insert visible');
  assert.deepEqual(ids((await scanAll(env.engine, snapTx, null, [1])).rows), [1, 2], 'not to others');
  assert.equal(env.engine.count(snapTx, tx), 3);
  assert.equal(env.engine.count(snapTx, null), 2);
  // Delete a committed row and the own provisional row.
  const committed = (await scanAll(env.engine, snapTx, null, [1])).ids;
  assert.equal(tx.delete(t.tableId, [committed[0]!]), 1);
  assert.deepEqual(ids((await scanAll(env.engine, snapTx, tx, [1])).rows), [2, 3]);
  assert.equal(env.engine.count(snapTx, tx), 2);
  assert.deepEqual(await env.engine.fetch(snapTx, tx, [committed[0]!, committed[1]!, prov[0]!], [2]), [undefined, ['b'], ['c']]);
  assert.deepEqual(await env.engine.fetch(snapTx, null, [committed[0]!, prov[0]!], [2]), [['a'], undefined]);
  snapTx.release();
  await tx.commit();

  // The scan that started earlier finishes without the commit's effects.
  const rest: unknown[][] = [];
  for (let r = await it.next(); !r.done; r = await it.next()) rest.push(...r.value.rows);
  assert.deepEqual(rest, [[2]]);
  assert.equal(env.engine.count(before, null), 2);
  before.release();
  assert.deepEqual(ids(await rowsOf(env.engine, t.tableId, [1])), [2, 3]);
  await env.close();
});

test('abort leaves nothing behind, in memory or in the WAL', async () => {
  const env = await openEnv();
  const t = createTable(env.catalog, 'ab', [col(1, 'id', 23)]);
  env.engine.attachTable(t);
  await insertCommit(env.engine, t.tableId, [1], [[1]]);
  const tx = env.engine.begin();
  tx.insert(t.tableId, [[2], [3]], [1]);
  const snap = env.engine.snapshot(t.tableId);
  tx.delete(t.tableId, (await scanAll(env.engine, snap, null, [1])).ids);
  snap.release();
  tx.abort();
  assert.throws(() => tx.insert(t.tableId, [[4]], [1]), /aborted/);
  assert.deepEqual(ids(await rowsOf(env.engine, t.tableId, [1])), [1]);
  await env.reopen();
  assert.deepEqual(ids(await rowsOf(env.engine, t.tableId, [1])), [1]);
  await env.close();
});

test('a commit is atomic across tables and survives restart', async () => {
  const env = await openEnv();
  const a = createTable(env.catalog, 'a', [col(1, 'id', 23)]);
  const b = createTable(env.catalog, 'b', [col(1, 'id', 20), col(2, 'v', 990001)]);
  env.engine.attachTable(a);
  env.engine.attachTable(b);
  const tx = env.engine.begin();
  tx.insert(a.tableId, [[1], [2]], [1]);
  tx.insert(b.tableId, [[10n, new Float32Array([1, 2])]], [1, 2]);
  await tx.commit();
  assert.equal(tx.assignedRowIds(a.tableId).length, 2);
  await env.reopen();
  assert.deepEqual(ids(await rowsOf(env.engine, a.tableId, [1])), [1, 2]);
  assert.deepEqual(await rowsOf(env.engine, b.tableId, [1, 2]), [[10n, new Float32Array([1, 2])]]);
  await env.close();
});

test('deletes persist through WAL replay and in delete files after sealing', async () => {
  const env = await openEnv({ segmentMaxRows: 10 });
  const t = createTable(env.catalog, 'del', [col(1, 'id', 23)]);
  env.engine.attachTable(t);
  const rowIds = await insertCommit(env.engine, t.tableId, [1], Array.from({ length: 10 }, (_x, i) => [i]));
  await insertCommit(env.engine, t.tableId, [1], Array.from({ length: 5 }, (_x, i) => [10 + i]));
  const tx = env.engine.begin();
  tx.delete(t.tableId, [rowIds[1]!, rowIds[3]!]);
  await tx.commit();
  const expected = [0, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  assert.deepEqual(ids(await rowsOf(env.engine, t.tableId, [1])), expected);
  await env.reopen({ segmentMaxRows: 10 });
  assert.deepEqual(ids(await rowsOf(env.engine, t.tableId, [1])), expected, 'after WAL replay');
  await env.engine.maintain();
  const [file] = env.catalog.files(t.tableId, [FileState.RAW]);
  assert.equal(file!.deletedCount, 2);
  assert.equal(env.catalog.rowCount(t.tableId), 8);
  await env.reopen({ segmentMaxRows: 10 });
  assert.deepEqual(ids(await rowsOf(env.engine, t.tableId, [1])), expected, 'from the delete file');
  const snap = env.engine.snapshot(t.tableId);
  assert.equal(env.engine.count(snap, null), 13);
  snap.release();
  await env.close();
});
