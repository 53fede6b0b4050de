/**
 * A big transaction's rows are encoded for the WAL while it runs (WriteTx.encodeAhead, 16,384
 * rows at a time). Rows deleted again in the transaction, a savepoint rolled back through an
 * encoded batch, and updates of the transaction's own rows must still commit exactly the rows
 * PostgreSQL keeps for the same statements — read back live, and after a SIGKILL (WAL replay).
 * The bytes encoded ahead are announced to the WAL, which preallocates for them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import { startPostgres, type PgCluster } from '../support/pg-cluster.ts';
import { startTessera, type TesseraServer } from '../support/tessera.ts';

let server: TesseraServer;
let pg: PgCluster;

before(async () => {
  [server, pg] = await Promise.all([startTessera(), startPostgres()]);
});

after(async () => {
  await server?.stop();
  await pg?.stop();
});

/** Bytes in the server's WAL files (records and preallocated zeros). */
function walBytes(): number {
  const dir = path.join(server.dataDir, 'wal');
  return fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
}

test('an open big transaction announces its WAL write: the log is preallocated before it commits', async () => {
  const sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
  try {
    await sql.unsafe('CREATE TABLE pre (id bigint, label text)');
    await sql.unsafe('BEGIN');
    const before = walBytes();
    await sql.unsafe("INSERT INTO pre SELECT g, repeat('x', 100) || g FROM generate_series(1, 40000) g");
    // ~4 MB encoded ahead in two batches of 16,384 rows: zeros follow before COMMIT.
    for (let t = 0; t < 200 && walBytes() < before + (3 << 20); t++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(walBytes() >= before + (3 << 20), `WAL ${before} → ${walBytes()} bytes before COMMIT`);
    await sql.unsafe('COMMIT');
    assert.equal(Number((await sql.unsafe('SELECT count(*) AS n FROM pre'))[0]!.n), 40000);
  } finally {
    await sql.end();
  }
});

const statements = [
  'CREATE TABLE big (id bigint PRIMARY KEY, v real[], label text)',
  'BEGIN',
  "INSERT INTO big SELECT g, ARRAY[g, g / 2.0]::real[], 'a' || g FROM generate_series(1, 20000) g",
  'SAVEPOINT s',
  "INSERT INTO big SELECT g, ARRAY[g]::real[], 'b' || g FROM generate_series(20001, 45000) g",
  'DELETE FROM big WHERE id % 5 = 0',
  'ROLLBACK TO SAVEPOINT s',
  "INSERT INTO big SELECT g, ARRAY[g]::real[], 'c' || g FROM generate_series(30001, 50000) g",
  'DELETE FROM big WHERE id % 7 = 0',
  "UPDATE big SET label = 'u' || id WHERE id % 11 = 0",
  'COMMIT',
  // A savepoint rolled back through an encoded batch, nothing deleted afterwards.
  'BEGIN',
  "INSERT INTO big SELECT g, ARRAY[g, 1]::real[], 'd' || g FROM generate_series(100001, 120000) g",
  'SAVEPOINT t',
  "INSERT INTO big SELECT g, ARRAY[g, 2]::real[], 'e' || g FROM generate_series(120001, 150000) g",
  'ROLLBACK TO SAVEPOINT t',
  "INSERT INTO big SELECT g, ARRAY[g, 3]::real[], 'f' || g FROM generate_series(200001, 225000) g",
  'COMMIT',
];

const summary = "SELECT count(*)::int AS n, sum(id)::text AS ids, sum(length(label))::int AS labels, sum((v[1] * 4)::bigint)::text AS v1, sum((v[2] * 4)::bigint)::text AS v2, count(*) FILTER (WHERE label LIKE 'u%')::int AS updated FROM big";

test('a big transaction with deletes, a savepoint rollback and updates of its own rows commits what PostgreSQL commits, also after a crash', async () => {
  const ours = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
  const theirs = postgres(pg.url, { max: 1, fetch_types: false, onnotice: () => {} });
  try {
    for (const s of statements) {
      await ours.unsafe(s);
      await theirs.unsafe(s);
    }
    const want = (await theirs.unsafe(summary))[0];
    assert.ok(Number(want!.n) > 30_000);
    assert.deepEqual((await ours.unsafe(summary))[0], want);
    await ours.end();
    await server.kill('SIGKILL');
    await server.restart();
    const again = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
    try {
      assert.deepEqual((await again.unsafe(summary))[0], want);
    } finally {
      await again.end();
    }
  } finally {
    await ours.end();
    await theirs.end();
  }
});
