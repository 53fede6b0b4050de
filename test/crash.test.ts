/**
 * Crash safety through the wire: a real server process is SIGKILLed at a random moment while
 * several clients ingest (single-statement INSERTs and multi-statement transactions), then
 * restarted. Every batch whose INSERT/COMMIT was acknowledged must be there in full; no batch
 * may be half there. Repeated with fresh random kill points.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startTessera, type TesseraServer } from './support/tessera.ts';

const ROUNDS = 5;
const CLIENTS = 4;
const BATCH = 20;

let server: TesseraServer;

before(async () => {
  server = await startTessera();
  const c = new pg.Client(server.url);
  await c.connect();
  await c.query('CREATE TABLE ingest (id bigint PRIMARY KEY, batch integer NOT NULL, payload text) WITH (segment_rows = 2000)');
  await c.end();
});

after(async () => {
  await server?.stop();
});

/** One client: inserts batches until the connection dies; returns the batch ids acknowledged. */
async function ingest(client: number, round: number, acked: Set<number>): Promise<void> {
  const c = new pg.Client(server.url);
  c.on('error', () => undefined);
  try {
    await c.connect();
    for (let n = 0; ; n++) {
      const batch = (round * CLIENTS + client) * 100_000 + n;
      const rows = Array.from({ length: BATCH }, (_, i) => `(${batch * BATCH + i}, ${batch}, 'p${i}-${'x'.repeat(i * 7)}')`);
      if (n % 3 === 2) {
        // A multi-statement transaction: acknowledged only when COMMIT returns.
        await c.query('BEGIN');
        await c.query(`INSERT INTO ingest VALUES ${rows.slice(0, BATCH / 2).join(',')}`);
        await c.query(`INSERT INTO ingest VALUES ${rows.slice(BATCH / 2).join(',')}`);
        await c.query('COMMIT');
      } else {
        await c.query(`INSERT INTO ingest VALUES ${rows.join(',')}`);
      }
      acked.add(batch);
    }
  } catch {
    // the server was killed mid-flight
  } finally {
    await c.end().catch(() => undefined);
  }
}

test(`SIGKILL during ${CLIENTS}-client ingest, ${ROUNDS} times: acknowledged batches complete, none partial`, async () => {
  const acked = new Set<number>();
  for (let round = 0; round < ROUNDS; round++) {
    const clients = Array.from({ length: CLIENTS }, (_, i) => ingest(i, round, acked));
    await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 1200)));
    await server.kill('SIGKILL');
    await Promise.all(clients);
    await server.restart();
    const c = new pg.Client(server.url);
    await c.connect();
    try {
      const { rows } = await c.query<{ batch: number; n: string }>('SELECT batch, count(*) AS n FROM ingest GROUP BY batch');
      const counts = new Map(rows.map((r) => [r.batch, Number(r.n)]));
      for (const [batch, n] of counts) assert.equal(n, BATCH, `batch ${batch} is partial after round ${round}: ${n} rows`);
      for (const batch of acked) assert.equal(counts.get(batch), BATCH, `acknowledged batch ${batch} lost after round ${round}`);
      // The primary key survived recovery: a duplicate of an existing row is still refused.
      const any = [...acked][0];
      if (any !== undefined) {
        await assert.rejects(c.query(`INSERT INTO ingest VALUES (${any * BATCH}, ${any}, 'dup')`), { code: '23505' });
      }
    } finally {
      await c.end();
    }
  }
  assert.ok(acked.size > ROUNDS, `ingest made progress (${acked.size} batches acknowledged)`);
});
