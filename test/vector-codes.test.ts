/**
 * Exact scans of sealed runs of 4,096–32,768 rows go through byte codes (ann/codes.ts) and
 * re-rank only the rows whose bounds can reach the top-k. Through the wire, against exact
 * search over the same data (float64, test/vector-support.ts): sealed segments of a table
 * without an index, with deleted rows, LIMIT/OFFSET past the first page; and a tenant searched
 * exactly from its clustered run. Equal answers mean recall 1.0.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import { startTessera, type TesseraServer } from './support/tessera.ts';
import { clusteredVectors, exactTopK, vectorText } from './vector-support.ts';

const N = 12_000;
const DIM = 64;
const QUERIES = 25;
const { base, queries } = clusteredVectors(N, DIM, { seed: 31, clusters: 60, queries: QUERIES });
const qText = (qi: number): string => vectorText(queries, DIM, qi);
const query = (qi: number): Float32Array => queries.subarray(qi * DIM, (qi + 1) * DIM);
/** Deleted before the checks: every 7th row. */
const deleted = (i: number): boolean => i % 7 === 3;

let server: TesseraServer;
let sql: postgres.Sql;

async function copyRows(table: string, line: (i: number) => string): Promise<void> {
  const w = await sql.unsafe(`COPY ${table} FROM STDIN`).writable();
  await new Promise<void>((resolve, reject) => {
    w.on('error', reject);
    w.on('finish', resolve);
    w.end(Array.from({ length: N }, (_v, i) => line(i)).join(''));
  });
}

before(async () => {
  server = await startTessera();
  sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
  await sql.unsafe(`CREATE TABLE plain (id int8 PRIMARY KEY, v vector(${DIM})) WITH (segment_rows = 5000)`);
  await copyRows('plain', (i) => `${i}\t${vectorText(base, DIM, i)}\n`);
  await sql.unsafe('DELETE FROM plain WHERE id % 7 = 3');
  // A tenant of 8,000 rows, searched exactly (below tenant_exact_rows), clustered into one run by VACUUM.
  await sql.unsafe(`CREATE TABLE mem (id int8 PRIMARY KEY, tenant_id text NOT NULL, v vector(${DIM}))
    PARTITION BY LIST (tenant_id) WITH (segment_rows = 4000, tenant_exact_rows = 50000)`);
  await copyRows('mem', (i) => `${i}\t${i % 3 === 0 ? 'small' : 'big'}\t${vectorText(base, DIM, i)}\n`);
  await sql.unsafe('VACUUM mem');
});

after(async () => {
  await sql?.end();
  await server?.stop();
});

test('sealed segments scanned through codes: top-k equals exact search, deleted rows skipped, later pages too', async () => {
  const files = await sql`SELECT row_count FROM tessera.table_files WHERE table_name = 'plain' AND state = 'RAW'`;
  assert.ok(files.some((f) => Number(f.row_count) >= 4096), 'a sealed file of ≥ 4,096 rows');
  for (let qi = 0; qi < QUERIES; qi++) {
    const got = await sql.unsafe('SELECT id FROM plain ORDER BY v <-> $1 LIMIT 10', [qText(qi)], { prepare: true });
    assert.deepEqual(got.map((r) => Number(r.id)), exactTopK(base, DIM, query(qi), 10, (i) => !deleted(i)), `query ${qi}`);
  }
  const page = await sql.unsafe('SELECT id FROM plain ORDER BY v <-> $1 LIMIT 20 OFFSET 40', [qText(0)], { prepare: true });
  assert.deepEqual(page.map((r) => Number(r.id)), exactTopK(base, DIM, query(0), 60, (i) => !deleted(i)).slice(40));
});

test('a tenant searched exactly from its clustered run: top-k equals exact search over its rows', async () => {
  const [big] = await sql`SELECT own_files + packed_files AS files, unclustered_rows, index FROM tessera.tenants WHERE table_name = 'mem' AND tenant = 'big'`;
  assert.deepEqual([Number(big!.files), Number(big!.unclustered_rows), big!.index], [1, 0, 'exact'], 'one clustered run in a sealed file, searched exactly');
  for (let qi = 0; qi < QUERIES; qi++) {
    const got = await sql.unsafe("SELECT id FROM mem WHERE tenant_id = 'big' ORDER BY v <-> $1 LIMIT 10", [qText(qi)], { prepare: true });
    assert.deepEqual(got.map((r) => Number(r.id)), exactTopK(base, DIM, query(qi), 10, (i) => i % 3 !== 0), `query ${qi}`);
  }
});
