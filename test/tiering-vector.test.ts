/**
 * Vector search on cold segments (tiered storage on a real S3 endpoint, s3rver): after a
 * restore into an empty data directory, the first top-10 on a cold segment ranks its rows by
 * the index file's cold-start sketch (read alone, a fifth of the file) and re-ranks them
 * exactly; the graphs then load in the background and later queries use them. Every answer —
 * first touch, during and after the graph loads — must equal exact search over the same data
 * computed here (float64), for L2 and cosine, with deleted rows excluded; a segment with NULL
 * vectors (no sketch) waits for its graph.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startS3, type S3Server } from './support/s3.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';
import { waitFor } from './support/wait.ts';
import { clusteredVectors, vectorText } from './vector-support.ts';

const DIM = 32;
const N = 12_000;
const SEG = 4_000;
const PREFIX = 'vec';

function distance(metric: 'l2' | 'cosine', a: Float32Array, i: number, q: Float32Array): number {
  let s = 0, na = 0, nq = 0;
  for (let d = 0; d < DIM; d++) {
    const x = a[i * DIM + d]!;
    if (metric === 'l2') s += (x - q[d]!) ** 2;
    else {
      s += x * q[d]!;
      na += x * x;
      nq += q[d]! * q[d]!;
    }
  }
  return metric === 'l2' ? Math.sqrt(s) : 1 - s / Math.sqrt(na * nq);
}

/** Exact top-k ids (row i has id i) among rows not in `gone` and not NULL. */
function exact(metric: 'l2' | 'cosine', base: Float32Array, q: Float32Array, k: number, gone: ReadonlySet<number>): { id: number; d: number }[] {
  const all: { id: number; d: number }[] = [];
  for (let i = 0; i < base.length / DIM; i++) if (!gone.has(i)) all.push({ id: i, d: distance(metric, base, i, q) });
  return all.sort((a, b) => a.d - b.d).slice(0, k);
}


describe('vector search on cold segments in S3', () => {
  let s3: S3Server;
  let server: TesseraServer | undefined;
  let c: pg.Client;
  const { base, queries } = clusteredVectors(N, DIM, { seed: 4242, clusters: 60, queries: 40 });
  const gone = { items: new Set<number>(), notes: new Set<number>() };
  const args = (): string[] => ['--s3-endpoint', s3.endpoint, '--s3-bucket', s3.bucket, '--s3-prefix', PREFIX, '--cache-size', '256kB', '--fsync', 'off'];
  const connect = async (s: TesseraServer): Promise<pg.Client> => {
    const client = new pg.Client({ host: s.host, port: s.port, user: 'postgres', database: 'postgres' });
    await client.connect();
    return client;
  };

  before(async () => {
    s3 = await startS3();
    server = await startTessera({ args: args() });
    c = await connect(server);
    for (const [table, opclass] of [['items', 'vector_l2_ops'], ['notes', 'vector_cosine_ops']] as const) {
      await c.query(`CREATE TABLE ${table} (id int8 PRIMARY KEY, embedding vector(${DIM})) WITH (segment_rows = ${SEG})`);
      for (let lo = 0; lo < N; lo += 1000) {
        const rows = Array.from({ length: 1000 }, (_v, j) => lo + j);
        // notes: three rows of the last segment have no vector (that segment gets no sketch).
        const vec = (i: number): string => (table === 'notes' && i >= N - 3 ? 'NULL' : `'${vectorText(base, DIM, i)}'`);
        await c.query(`INSERT INTO ${table} VALUES ${rows.map((i) => `(${i}, ${vec(i)})`).join(', ')}`);
      }
      if (table === 'notes') for (let i = N - 3; i < N; i++) gone.notes.add(i);
      await c.query(`CREATE INDEX ON ${table} USING hnsw (embedding ${opclass})`);
    }
    // Deleted rows (the nearest of query 0) must not come back from a cold segment.
    const doomed = exact('l2', base, queries.subarray(0, DIM), 3, gone.items).map((r) => r.id);
    await c.query('DELETE FROM items WHERE id = ANY($1)', [doomed]);
    for (const id of doomed) gone.items.add(id);
    await waitFor('graphs and uploads', async () => {
      const f = await c.query("SELECT count(*) FILTER (WHERE file_type = 3)::int AS idx, count(*) FILTER (WHERE file_type IN (1, 2))::int AS raw FROM tessera.table_files");
      const u = await c.query('SELECT pending_uploads::int AS p FROM tessera.cache_stats');
      return f.rows[0].idx >= 6 && f.rows[0].raw === 0 && u.rows[0].p === 0;
    }, 60_000);
    await check('items', 'l2', 5);
    await c.end();
    await server.stop();
    // An empty data directory: the catalog comes from the bucket, every segment and graph is cold.
    server = await startTessera({ args: [...args(), '--log-level', 'debug'] });
    c = await connect(server);
  });

  after(async () => {
    await c?.end().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await s3?.dispose();
  });

  const check = async (table: 'items' | 'notes', metric: 'l2' | 'cosine', qi: number): Promise<void> => {
    const q = queries.subarray(qi * DIM, (qi + 1) * DIM);
    const op = metric === 'l2' ? '<->' : '<=>';
    const r = await c.query({ text: `SELECT id, embedding ${op} $1 AS d FROM ${table} ORDER BY embedding ${op} $1 LIMIT 10`, values: [vectorText(queries, DIM, qi)] });
    const want = exact(metric, base, q, 10, gone[table]);
    assert.deepEqual(r.rows.map((x) => Number(x.id)), want.map((x) => x.id), `${table} query ${qi}`);
    r.rows.forEach((x, j) => assert.ok(Math.abs(x.d - want[j]!.d) <= 1e-5 * Math.max(1, want[j]!.d), `${table} query ${qi} distance ${j}: ${x.d} vs ${want[j]!.d}`));
  };

  test('the first top-10 on cold segments is ranked by the sketches and equals exact search', async () => {
    assert.match(server!.output(), /restored the catalog from the bucket/);
    await check('items', 'l2', 0);
    assert.match(server!.output(), /read the cold-start sketch of an index file/);
    await check('notes', 'cosine', 1);
  });

  test('while the graphs load and after: every answer equals exact search', async () => {
    for (let qi = 2; qi < 20; qi++) await check(qi % 2 === 0 ? 'items' : 'notes', qi % 2 === 0 ? 'l2' : 'cosine', qi);
    await waitFor('the graphs to load', async () => (server!.output().match(/"msg":"graph loaded"/g) ?? []).length >= 6, 60_000);
    for (let qi = 20; qi < 40; qi++) await check(qi % 2 === 0 ? 'items' : 'notes', qi % 2 === 0 ? 'l2' : 'cosine', qi);
    const sketches = server!.output().match(/read the cold-start sketch/g) ?? [];
    // items: 3 segments; notes: 2 (the segment with NULL vectors has none).
    assert.equal(sketches.length, 5);
  });
});
