/**
 * storage/maintenance.ts on a partitioned table: every sealed file is clustered by tenant, files
 * of one size tier merge four at a time (below segment_size), large tenants move to files of
 * their own, and through it all the rows, their row ids (forwarded) and the tenant runs stay
 * exact.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileState } from '../../src/catalog/index.ts';
import { col, insertCommit, openEnv, rowsOf } from './helpers.ts';

test('clustering and size-tiered merges keep every row and each tenant contiguous', async () => {
  const env = await openEnv({ segmentMaxRows: 400 });
  const t = env.catalog.createTable({
    schema: 'public', name: 'mt', columns: [col(1, 'id', 20), col(2, 'tenant', 25)], constraints: [],
    segmentSizeBytes: 1 << 30, options: { tenant_exact_rows: '300' }, partitionKey: { strategy: 'list', attnum: 2 },
  }, false)!;
  env.engine.attachTable(t);
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
