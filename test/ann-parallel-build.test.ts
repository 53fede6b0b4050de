/**
 * One graph built on several threads (HierarchicalNSW.addPointsParallel, added to hnswlib-node
 * by scripts/hnswlib-simd.mjs when it rebuilds the addon): every row is in the graph under its
 * label with its own vector, recall@10 against exact search is that of a one-thread build, and
 * bad arguments are refused. Then through the wire: CREATE INDEX with two build threads, top-k
 * recall against exact search.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import hnswlib from 'hnswlib-node';
import postgres from 'postgres';
import { startTessera } from './support/tessera.ts';
import { clusteredVectors, exactTopK, recallAt, vectorText } from './vector-support.ts';

type Parallel = { addPointsParallel?: (v: Float32Array, first: number, threads: number) => void };
const rebuilt = fs.existsSync(path.join(path.dirname(createRequire(import.meta.url).resolve('hnswlib-node/package.json')), 'build', 'tessera-simd.json'));

test('addPointsParallel: every row under its label, recall as a one-thread build', { skip: !rebuilt && 'portable addon (no native rebuild here)' }, () => {
  const n = 20_000;
  const dim = 32;
  const { base, queries } = clusteredVectors(n, dim, { seed: 5, clusters: 100, queries: 50 });
  const recallOf = (index: hnswlib.HierarchicalNSW): number => {
    index.setEf(64);
    let sum = 0;
    for (let qi = 0; qi < 50; qi++) {
      const q = queries.subarray(qi * dim, (qi + 1) * dim);
      sum += recallAt(index.searchKnn(Array.from(q), 10).neighbors, exactTopK(base, dim, q, 10));
    }
    return sum / 50;
  };
  const one = new hnswlib.HierarchicalNSW('l2', dim);
  one.initIndex(n, 16, 64, 1);
  for (let i = 0; i < n; i++) one.addPoint(Array.from(base.subarray(i * dim, (i + 1) * dim)), i);
  const par = new hnswlib.HierarchicalNSW('l2', dim) as hnswlib.HierarchicalNSW & Parallel;
  par.initIndex(n + 10, 16, 64, 1);
  assert.equal(typeof par.addPointsParallel, 'function');
  par.addPointsParallel!(base.subarray(0, 100 * dim), 0, 2);
  par.addPointsParallel!(base.subarray(100 * dim), 100, 3); // labels continue from 100
  assert.equal(par.getCurrentCount(), n);
  for (const i of [0, 1, 99, 100, 12_345, n - 1]) assert.deepEqual(Float32Array.from(par.getPoint(i)), base.subarray(i * dim, (i + 1) * dim), `row ${i}`);
  const r1 = recallOf(one);
  const r2 = recallOf(par);
  assert.ok(r2 >= 0.95 && r2 >= r1 - 0.03, `recall: parallel ${r2}, one thread ${r1}`);
  // A cosine graph normalises each row as addPoint does (the same stored points).
  const cosOne = new hnswlib.HierarchicalNSW('cosine', dim);
  cosOne.initIndex(50);
  const cosPar = new hnswlib.HierarchicalNSW('cosine', dim) as hnswlib.HierarchicalNSW & Parallel;
  cosPar.initIndex(50);
  for (let i = 0; i < 50; i++) cosOne.addPoint(Array.from(base.subarray(i * dim, (i + 1) * dim)), i);
  cosPar.addPointsParallel!(base.subarray(0, 50 * dim), 0, 2);
  for (let i = 0; i < 50; i++) assert.deepEqual(cosPar.getPoint(i), cosOne.getPoint(i), `cosine row ${i}`);
  assert.throws(() => par.addPointsParallel!(new Float32Array(dim + 1), 0, 2), /multiple of the dimension/);
  assert.throws(() => (par.addPointsParallel as unknown as (a: unknown, b: number, c: number) => void)(Array.from({ length: dim }, () => 0), 0, 2), /Float32Array/);
});

test('CREATE INDEX with two build threads: top-k recall against exact search', async () => {
  const n = 30_000;
  const dim = 48;
  const { base, queries } = clusteredVectors(n, dim, { seed: 9, clusters: 200, queries: 30 });
  const server = await startTessera({ env: { TESSERA_INDEX_BUILD_WORKERS: '1', TESSERA_BUILD_THREADS: '2' } });
  const sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
  try {
    await sql.unsafe(`CREATE TABLE t (id int8 PRIMARY KEY, v vector(${dim})) WITH (segment_rows = 30000)`);
    const w = await sql.unsafe('COPY t FROM STDIN').writable();
    await new Promise<void>((resolve, reject) => {
      w.on('error', reject);
      w.on('finish', resolve);
      w.end(Array.from({ length: n }, (_v, i) => `${i}\t${vectorText(base, dim, i)}\n`).join(''));
    });
    await sql.unsafe('VACUUM t');
    await sql.unsafe('CREATE INDEX ON t USING hnsw (v vector_l2_ops)');
    const graphs = await sql`SELECT count(*)::int AS n FROM tessera.table_files WHERE table_name = 't' AND state = 'INDEX'`;
    assert.equal(graphs[0]!.n, 1, 'one sealed segment, one graph');
    if (rebuilt) assert.match(server.output(), /"rows":30000,"ms":\d+,"threads":2,"msg":"built segment graph"/);
    let sum = 0;
    for (let qi = 0; qi < 30; qi++) {
      const got = await sql.unsafe('SELECT id FROM t ORDER BY v <-> $1 LIMIT 10', [vectorText(queries, dim, qi)], { prepare: true });
      sum += recallAt(got.map((r) => Number(r.id)), exactTopK(base, dim, queries.subarray(qi * dim, (qi + 1) * dim), 10));
    }
    assert.ok(sum / 30 >= 0.95, `recall ${sum / 30}`);
  } finally {
    await sql.end();
    await server.stop();
  }
});
