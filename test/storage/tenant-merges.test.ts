/**
 * storage/maintenance.ts on a partitioned table: every sealed file is clustered by tenant, files
 * of one size tier merge four at a time (below segment_size), large tenants move to files of
 * their own, and through it all the rows, their row ids (forwarded) and the tenant runs stay
 * exact; packed files of the top tier form a level of disjoint tenant ranges, and VACUUM (settle)
 * takes every packed file into it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileState, type TableDef } from '../../src/catalog/index.ts';
import { levelGroup } from '../../src/storage/maintenance.ts';
import { col, type Env, insertCommit, openEnv, rowsOf, scanAll } from './helpers.ts';

/** A table (id int8, tenant text) partitioned by tenant, attached to the engine. */
function partitionedTable(env: Env, name: string, segmentSizeBytes: number, exactRows: number): TableDef {
  const t = env.catalog.createTable({
    schema: 'public', name, columns: [col(1, 'id', 20), col(2, 'tenant', 25)], constraints: [],
    segmentSizeBytes, options: { tenant_exact_rows: String(exactRows) }, partitionKey: { strategy: 'list', attnum: 2 },
  }, false)!;
  env.engine.attachTable(t);
  return t;
}

test('clustering and size-tiered merges keep every row and each tenant contiguous', async () => {
  const env = await openEnv({ segmentMaxRows: 400 });
  const t = partitionedTable(env, 'mt', 1 << 30, 300);
  // 16 seals of 400 rows: tenant "big" 30% of rows, the rest over 50 small tenants.
  const tenantOf = (i: number): string => (i % 10 < 3 ? 'big' : `s${(i * 7) % 50}`);
  const n = 6400;
  for (let i = 0; i < n; i += 400) {
    await insertCommit(env.engine, t.tableId, [1, 2], Array.from({ length: 400 }, (_v, j) => [BigInt(i + j), tenantOf(i + j)]));
    await env.engine.maintain();
  }
  await env.engine.maintain();
  const files = env.catalog.files(t.tableId, [FileState.RAW]);
  const runs = env.catalog.tenantRuns(t.tableId);
  // Merges happened (16 seals → far fewer files), every file is clustered.
  assert.ok(files.length < 16, `${files.length} files`);
  for (const f of files) assert.ok(runs.has(f.id), `file ${f.id} has a tenant directory`);
  // Each run holds exactly its tenant's rows, contiguously; "big" lives in files of its own.
  const rows = await rowsOf(env.engine, t.tableId, [1, 2]);
  assert.equal(rows.length, n);
  assert.deepEqual(new Set(rows.map((r) => r[0])), new Set(Array.from({ length: n }, (_v, i) => BigInt(i))));
  const bigFiles = files.filter((f) => runs.get(f.id)!.length === 1 && runs.get(f.id)![0]!.tenant === 'big');
  assert.ok(bigFiles.length >= 1);
  assert.equal(bigFiles.reduce((s, f) => s + f.rowCount, 0), rows.filter((r) => r[1] === 'big').length);
  for (const f of files) {
    const list = runs.get(f.id)!;
    assert.equal(list.reduce((s, r) => s + r.count, 0), f.rowCount);
    assert.equal(new Set(list.map((r) => r.tenant)).size, list.length, 'a tenant has one run per file');
  }
  await env.close();
});

test('levelGroup: the files covering the most-covered key, smallest first; none when ranges are disjoint', () => {
  const f = (id: number, min: string, max: string, size = id) => ({ id, size, min, max });
  assert.equal(levelGroup([f(1, 'a', 'c'), f(2, 'd', 'f'), f(3, 'g', 'z')]), null);
  assert.equal(levelGroup([]), null);
  // Closed ranges: sharing an end key is an overlap.
  assert.deepEqual(levelGroup([f(1, 'a', 'c'), f(2, 'c', 'f')]), [1, 2]);
  // 'e'..'f' is covered three times; at most four files, the smallest.
  assert.deepEqual(levelGroup([f(5, 'a', 'z'), f(2, 'd', 'f'), f(3, 'e', 'k'), f(4, 'x', 'y')]), [2, 3, 5]);
  const wide = [1, 2, 3, 4, 5, 6].map((id) => f(id, 'a', 'z', 10 - id));
  assert.deepEqual(levelGroup(wide), [6, 5, 4, 3]);
});

test('packed files of the top tier merge until their key ranges are disjoint: each small tenant in one file', async () => {
  const env = await openEnv({ segmentMaxRows: 500 });
  const t = partitionedTable(env, 'lv', 24 << 10, 100000);
  // Every seal holds rows of (nearly) every tenant, as a random-order load does.
  const tenantOf = (i: number): string => `t${String((i * 37) % 300).padStart(3, '0')}`;
  const n = 12_000;
  for (let i = 0; i < n; i += 500) {
    await insertCommit(env.engine, t.tableId, [1, 2], Array.from({ length: 500 }, (_v, j) => [BigInt(i + j), tenantOf(i + j)]));
    await env.engine.maintain();
  }
  for (let pass = 0; pass < 100 && (await env.engine.maintain()).merged > 0; pass++);
  const files = env.catalog.files(t.tableId, [FileState.RAW]);
  const runs = env.catalog.tenantRuns(t.tableId);
  assert.ok(files.length > 2, `${files.length} files: the level holds several`);
  const ranges = files.map((file) => runs.get(file.id)!).map((list) => [list[0]!.tenant, list[list.length - 1]!.tenant] as const);
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i - 1]![1] < ranges[i]![0], `ranges ${ranges[i - 1]} and ${ranges[i]} overlap`);
  for (const file of files) assert.ok(file.fileSize <= 2 * (24 << 10), `file of ${file.fileSize} bytes`);
  const where = new Map<string, number>();
  for (const file of files) for (const r of runs.get(file.id)!) where.set(r.tenant, (where.get(r.tenant) ?? 0) + 1);
  assert.equal(where.size, 300);
  assert.ok([...where.values()].every((c) => c === 1), 'every tenant has one run in one file');
  const rows = await rowsOf(env.engine, t.tableId, [1, 2]);
  assert.equal(rows.length, n);
  assert.deepEqual(new Set(rows.map((r) => r[0])), new Set(Array.from({ length: n }, (_v, i) => BigInt(i))));
  for (const r of rows) assert.equal(r[1], tenantOf(Number(r[0])));
  await env.close();
});

test('settle (VACUUM) merges packed files below the level too: three small overlapping files become one', async () => {
  const env = await openEnv({ segmentMaxRows: 500 });
  const t = partitionedTable(env, 'st', 1 << 30, 100000);
  for (let i = 0; i < 1500; i += 500) {
    await insertCommit(env.engine, t.tableId, [1, 2], Array.from({ length: 500 }, (_v, j) => [BigInt(i + j), `t${(i + j) % 40}`]));
    await env.engine.maintain();
  }
  for (let pass = 0; pass < 10 && (await env.engine.maintain()).merged > 0; pass++);
  assert.equal(env.catalog.files(t.tableId, [FileState.RAW]).length, 3, 'fewer than four of a tier: the timer leaves them');
  // Deleted rows inside the clustered sources' runs (and tenant t7 entirely) are dropped by the merge.
  const snap = env.engine.snapshot(t.tableId);
  const { ids, rows } = await scanAll(env.engine, snap, null, [1, 2]);
  snap.release();
  const victims = ids.filter((_id, k) => Number(rows[k]![0]) % 3 === 0 || rows[k]![1] === 't7');
  const tx = env.engine.begin();
  tx.delete(t.tableId, victims);
  await tx.commit();
  for (let pass = 0; pass < 10 && (await env.engine.settle()).merged > 0; pass++);
  const files = env.catalog.files(t.tableId, [FileState.RAW]);
  assert.equal(files.length, 1);
  const runs = env.catalog.tenantRuns(t.tableId).get(files[0]!.id)!;
  assert.deepEqual(runs.map((r) => r.tenant), Array.from({ length: 40 }, (_v, i) => `t${i}`).filter((k) => k !== 't7').sort());
  const left = await rowsOf(env.engine, t.tableId, [1, 2]);
  const want = Array.from({ length: 1500 }, (_v, i) => [BigInt(i), `t${i % 40}`]).filter(([id, k]) => Number(id) % 3 !== 0 && k !== 't7');
  assert.deepEqual(new Set(left.map((r) => `${r[0]}:${r[1]}`)), new Set(want.map((r) => `${r[0]}:${r[1]}`)));
  // Each run holds exactly its tenant's rows.
  let at = 0;
  for (const run of runs) {
    const got = left.slice(at, at + run.count);
    assert.ok(got.every((r) => r[1] === run.tenant), `run of ${run.tenant}`);
    assert.equal(run.count, want.filter((r) => r[1] === run.tenant).length);
    at += run.count;
  }
  await env.close();
});
