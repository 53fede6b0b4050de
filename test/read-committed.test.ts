/**
 * READ COMMITTED writes as PostgreSQL: an UPDATE or DELETE that waited for a concurrent
 * transaction's change to a row re-reads the row's latest version and re-checks its WHERE
 * (no 40001, no lost update). The same interleavings run against a private PostgreSQL 15 and
 * Tessera must end in the same state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import postgres from 'postgres';
import { startPostgres, type PgCluster } from './support/pg-cluster.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';

let pg: PgCluster;
let server: TesseraServer;

async function scenario(url: string): Promise<unknown> {
  const a = postgres(url, { max: 1, fetch_types: false, onnotice: () => {} });
  const b = postgres(url, { max: 1, fetch_types: false, onnotice: () => {} });
  const c = postgres(url, { max: 4, fetch_types: false, onnotice: () => {} });
  try {
    await a.unsafe('DROP TABLE IF EXISTS rc');
    await a.unsafe('CREATE TABLE rc (id integer PRIMARY KEY, n integer NOT NULL, state text)');
    await a.unsafe("INSERT INTO rc VALUES (1, 0, 'new'), (2, 0, 'new'), (3, 0, 'new')");
    const out: Record<string, unknown> = {};
    // 1. B's increment waits for A's, then applies to A's committed version: n = 2.
    await a.unsafe('BEGIN');
    await a.unsafe('UPDATE rc SET n = n + 1 WHERE id = 1');
    const bDone = b.unsafe('UPDATE rc SET n = n + 1 WHERE id = 1');
    await new Promise((r) => setTimeout(r, 200));
    await a.unsafe('COMMIT');
    out.waitedCount = (await bDone).count;
    // 2. A changes the row so B's WHERE no longer matches: B updates nothing.
    await a.unsafe('BEGIN');
    await a.unsafe("UPDATE rc SET state = 'taken' WHERE id = 2");
    const bSkip = b.unsafe("UPDATE rc SET n = 100 WHERE id = 2 AND state = 'new'");
    await new Promise((r) => setTimeout(r, 200));
    await a.unsafe('COMMIT');
    out.skippedCount = (await bSkip).count;
    // 3. A deletes the row B waits for: B deletes nothing.
    await a.unsafe('BEGIN');
    await a.unsafe('DELETE FROM rc WHERE id = 3');
    const bGone = b.unsafe('DELETE FROM rc WHERE id = 3');
    await new Promise((r) => setTimeout(r, 200));
    await a.unsafe('COMMIT');
    out.goneCount = (await bGone).count;
    // 4. 40 concurrent increments from 4 connections: none lost.
    await Promise.all(Array.from({ length: 40 }, () => c.unsafe('UPDATE rc SET n = n + 1 WHERE id = 1')));
    out.rows = [...(await a.unsafe('SELECT id, n, state FROM rc ORDER BY id'))];
    return out;
  } finally {
    await Promise.all([a.end(), b.end(), c.end()]);
  }
}

describe('READ COMMITTED re-check of concurrently changed rows', () => {
  before(async () => {
    [pg, server] = await Promise.all([startPostgres(), startTessera()]);
  });
  after(async () => {
    await Promise.all([pg?.stop(), server?.stop()]);
  });

  test('waiting UPDATE/DELETE re-read the latest version, as on PostgreSQL 15', async () => {
    const expected = await scenario(pg.url);
    const actual = await scenario(server.url);
    assert.deepEqual(actual, expected);
    assert.equal((expected as { rows: { n: number }[] }).rows[0]!.n, 42);
  });
});
