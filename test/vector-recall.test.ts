/**
 * Recall of the HNSW path through the wire: 100,000 × 128 seeded clustered vectors in 25,000-row
 * segments (one graph each), recall@10 against the exact oracle (test/vector-support.ts) at
 * default settings (hnsw.ef_search = 40) — after the build, with filters from 0.01% to 50%
 * selectivity (k rows whenever k match), after deletes, after a restart (graphs reloaded from
 * the object store), and on a table whose segments were merged before indexing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import { startTessera, type TesseraServer } from './support/tessera.ts';
import { binaryCopy, clusteredVectors, exactTopK, recallAt, vectorText, type CopyField } from './vector-support.ts';

const N = 100_000;
const DIM = 128;
const QUERIES = 40;
const { base, queries } = clusteredVectors(N, DIM, { seed: 42, clusters: 1000, queries: QUERIES });
const tenant = (i: number): number => (i * 7919) % 1000;
const query = (qi: number): Float32Array => queries.subarray(qi * DIM, (qi + 1) * DIM);
const qText = (qi: number): string => vectorText(queries, DIM, qi);

let server: TesseraServer;
let sql: postgres.Sql;

async function copyIn(db: postgres.Sql, table: string, from: number, to: number): Promise<void> {
  const data = binaryCopy(rowsOf(from, to));
  const writable = await db.unsafe(`COPY ${table} FROM STDIN (FORMAT binary)`).writable();
  await new Promise<void>((resolve, reject) => {
    writable.on('error', reject);
    writable.on('finish', resolve);
    for (let i = 0; i < data.length; i += 1 << 20) writable.write(data.subarray(i, i + (1 << 20)));
    writable.end();
  });
}

function* rowsOf(from: number, to: number): Iterable<CopyField[]> {
  for (let i = from; i < to; i++) yield [{ int8: i }, { int4: tenant(i) }, { vector: base.subarray(i * DIM, (i + 1) * DIM) }];
}

/** Mean recall@10 over the queries of `SELECT id ... ORDER BY embedding <-> $1 LIMIT 10` against the exact oracle. */
async function meanRecall(table: string, where: string, keep?: (i: number) => boolean, expectRows = 10): Promise<number> {
  let sum = 0;
  for (let qi = 0; qi < QUERIES; qi++) {
    const rows = await sql.unsafe(`SELECT id FROM ${table} ${where} ORDER BY embedding <-> $1 LIMIT 10`, [qText(qi)], { prepare: true });
    const found = rows.map((r) => Number(r.id));
    assert.equal(found.length, expectRows, `query ${qi} on ${table} ${where}: ${found.length} rows`);
    sum += recallAt(found, exactTopK(base, DIM, query(qi), 10, keep));
  }
  return sum / QUERIES;
}

before(async () => {
  server = await startTessera({ env: { TESSERA_INDEX_BUILD_WORKERS: '2' } });
  sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
  await sql.unsafe("CREATE TABLE items (id int8, tenant int4, embedding vector(128)) WITH (segment_rows = 25000, segment_size = '16MB')");
  await copyIn(sql, 'items', 0, N);
  await sql.unsafe('VACUUM');
});

after(async () => {
  await sql?.end();
  await server?.stop();
});

test('exact search (no index) returns the oracle top-10', async () => {
  const rows = await sql.unsafe(`SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10`, [qText(0)], { prepare: true });
  assert.deepEqual(rows.map((r) => Number(r.id)), exactTopK(base, DIM, query(0), 10));
});

test('CREATE INDEX builds one graph per sealed segment; recall@10 ≥ 0.95 at ef_search 40', async () => {
  const t0 = performance.now();
  await sql.unsafe('CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)');
  const buildMs = performance.now() - t0;
  const files = await sql.unsafe('SELECT file_type, count(*)::int AS n FROM tessera.table_files GROUP BY 1 ORDER BY 1');
  const byType = Object.fromEntries(files.map((f) => [Number(f.file_type), f.n as number]));
  assert.equal(byType[3], 4, `4 INDEX files: ${JSON.stringify(byType)}`); // INDEX
  assert.equal(byType[7], 4, `4 BACKUP files: ${JSON.stringify(byType)}`); // BACKUP
  const recall = await meanRecall('items', '');
  console.log(`build ${Math.round(buildMs)} ms; recall@10 ${recall.toFixed(3)}`);
  assert.ok(recall >= 0.95, `recall ${recall}`);
});

test('filtered search keeps recall and returns k rows at 0.01% .. 50% selectivity', async () => {
  // 0.01%: ten rows of 100,000 pass, so LIMIT 10 must return exactly those ten.
  const rare = await meanRecall('items', 'WHERE id % 10000 = 7', (i) => i % 10000 === 7);
  console.log(`filter 0.01%: recall@10 ${rare.toFixed(3)}`);
  assert.ok(rare >= 0.95, `0.01%: recall ${rare}`);
  for (const [limit, label] of [[1, '0.1%'], [10, '1%'], [100, '10%'], [500, '50%']] as const) {
    const t0 = performance.now();
    const recall = await meanRecall('items', `WHERE tenant < ${limit}`, (i) => tenant(i) < limit);
    console.log(`filter ${label}: recall@10 ${recall.toFixed(3)} (${((performance.now() - t0) / QUERIES).toFixed(1)} ms per query incl. the oracle)`);
    assert.ok(recall >= 0.95, `${label}: recall ${recall}`);
  }
});

test('after deleting 10% of the rows', async () => {
  await sql.unsafe('DELETE FROM items WHERE id % 10 = 3');
  const recall = await meanRecall('items', '', (i) => i % 10 !== 3);
  console.log(`after deletes: recall@10 ${recall.toFixed(3)}`);
  assert.ok(recall >= 0.95, `recall ${recall}`);
});

test('after a restart the graphs load from the object store', async () => {
  await sql.end();
  await server.restart();
  sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
  // The first query: the vector columns are not read (the graphs serve) and LIMIT 1001 is past
  // the sketches' reach, so the candidates' vectors come from the graphs — and must be the rows'.
  const first = await sql.unsafe('SELECT id, embedding, embedding <-> $1 AS d FROM items ORDER BY embedding <-> $1 LIMIT 1001', [qText(0)], { prepare: true });
  assert.equal(first.length, 1001);
  for (const r of first) {
    const i = Number(r.id);
    assert.notEqual(i % 10, 3, `deleted row ${i}`);
    assert.deepEqual(Float32Array.from(JSON.parse(r.embedding) as number[]), base.subarray(i * DIM, (i + 1) * DIM), `row ${i}'s vector`);
    let d = 0;
    for (let k = 0; k < DIM; k++) d += (queries[k]! - base[i * DIM + k]!) ** 2;
    assert.ok(Math.abs(r.d - Math.sqrt(d)) <= 1e-5 * Math.sqrt(d), `row ${i}: distance ${r.d} vs ${Math.sqrt(d)}`);
  }
  const recall = await meanRecall('items', '', (i) => i % 10 !== 3);
  console.log(`after restart: recall@10 ${recall.toFixed(3)}`);
  assert.ok(recall >= 0.95, `recall ${recall}`);
  // Once more, a first query of LIMIT 10 (within the sketches' reach): local index files load
  // their graphs for it instead of ranking every row by the sketches (those are for remote files).
  await sql.end();
  await server.restart();
  const since = server.output().length;
  sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
  const top = await sql.unsafe('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10', [qText(0)], { prepare: true });
  assert.equal(top.length, 10);
  assert.doesNotMatch(server.output().slice(since), /read the cold-start sketch/);
});

test('merged segments, then an index; new rows in the growing segment are searched exactly', async () => {
  await sql.unsafe('CREATE TABLE merged (id int8, tenant int4, embedding vector(128)) WITH (segment_rows = 5000)');
  await copyIn(sql, 'merged', 0, 30_000);
  await sql.unsafe('VACUUM');
  const before = await sql.unsafe("SELECT count(*)::int AS n FROM tessera.table_files WHERE table_name = 'merged' AND file_type = 1");
  assert.equal(before[0]!.n, 1, 'the six 5,000-row segments were merged into one file');
  await sql.unsafe('CREATE INDEX merged_hnsw ON merged USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64)');
  await copyIn(sql, 'merged', 30_000, 32_000);
  const keep = (i: number): boolean => i < 32_000;
  let sum = 0;
  for (let qi = 0; qi < QUERIES; qi++) {
    const rows = await sql.unsafe('SELECT id FROM merged ORDER BY embedding <-> $1 LIMIT 10', [qText(qi)], { prepare: true });
    sum += recallAt(rows.map((r) => Number(r.id)), exactTopK(base, DIM, query(qi), 10, keep));
  }
  console.log(`merged: recall@10 ${(sum / QUERIES).toFixed(3)}`);
  assert.ok(sum / QUERIES >= 0.95);
});
