/**
 * Crash safety of the primary-key index (issue 6): a real server is SIGKILLed while clients
 * stream upserts (INSERT ... ON CONFLICT DO UPDATE), deletes by key and key-changing updates;
 * after restart tessera.verify_pk_index is clean and every key holds what was acknowledged
 * (or the effect of the one statement in flight on that key). Each client owns its keys, so
 * the expected state is exact. Several rounds on one data directory, with VACUUM (merges,
 * compaction) in between.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startTessera, type TesseraServer } from './support/tessera.ts';
import { mulberry32 } from './support/prng.ts';

const ROUNDS = 4;
const CLIENTS = 4;
const KEYS_PER_CLIENT = 300;

let server: TesseraServer;

before(async () => {
  server = await startTessera();
  const c = new pg.Client(server.url);
  await c.connect();
  await c.query("CREATE TABLE up (id bigint PRIMARY KEY, v bigint NOT NULL) WITH (segment_rows = 500, segment_size = '1MB')");
  await c.end();
});

after(async () => {
  await server?.stop();
});

/** Per key: the acknowledged value (null = absent) and the possible outcomes of an in-flight statement. */
interface KeyState {
  acked: bigint | null;
  inFlight: (bigint | null)[] | null;
}

const rng = mulberry32;

async function stream(client: number, round: number, state: Map<bigint, KeyState>): Promise<number> {
  const r = rng(round * 100 + client + 1);
  const c = new pg.Client(server.url);
  c.on('error', () => undefined);
  let done = 0;
  try {
    await c.connect();
    for (let n = 0; ; n++) {
      // A batch of up to 20 upserts of this client's keys, or a delete by key.
      if (r() < 0.7) {
        const keys = new Set<bigint>();
        const count = 1 + Math.floor(r() * 20);
        for (let i = 0; i < count; i++) keys.add(BigInt(client * KEYS_PER_CLIENT + Math.floor(r() * KEYS_PER_CLIENT)));
        const v = BigInt(round * 1_000_000 + n);
        for (const k of keys) {
          const s = state.get(k)!;
          s.inFlight = [s.acked, s.acked === null ? v : s.acked + v];
        }
        const values = [...keys].map((k) => `(${k}, ${v})`).join(',');
        await c.query(`INSERT INTO up VALUES ${values} ON CONFLICT (id) DO UPDATE SET v = up.v + excluded.v`);
        for (const k of keys) {
          const s = state.get(k)!;
          s.acked = s.inFlight![1]!;
          s.inFlight = null;
        }
      } else {
        const k = BigInt(client * KEYS_PER_CLIENT + Math.floor(r() * KEYS_PER_CLIENT));
        const s = state.get(k)!;
        s.inFlight = [s.acked, null];
        await c.query('DELETE FROM up WHERE id = $1', [k.toString()]);
        s.acked = null;
        s.inFlight = null;
      }
      done++;
    }
  } catch {
    // killed mid-flight
  } finally {
    await c.end().catch(() => undefined);
  }
  return done;
}

test(`SIGKILL during upserts and deletes by key, ${ROUNDS} rounds: index clean, data = acknowledged`, async () => {
  const state = new Map<bigint, KeyState>();
  for (let k = 0; k < CLIENTS * KEYS_PER_CLIENT; k++) state.set(BigInt(k), { acked: null, inFlight: null });
  let statements = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const clients = Array.from({ length: CLIENTS }, (_, i) => stream(i, round, state));
    await new Promise((res) => setTimeout(res, 500 + Math.floor(Math.random() * 1500)));
    await server.kill('SIGKILL');
    statements += (await Promise.all(clients)).reduce((a, b) => a + b, 0);
    await server.restart();
    const c = new pg.Client(server.url);
    await c.connect();
    try {
      const report = JSON.parse((await c.query("SELECT tessera.verify_pk_index('up') AS r")).rows[0].r as string);
      assert.deepEqual(report.differences, [], `round ${round}`);
      const { rows } = await c.query<{ id: string; v: string }>('SELECT id, v FROM up');
      const got = new Map(rows.map((x) => [BigInt(x.id), BigInt(x.v)]));
      assert.equal(got.size, rows.length, 'no duplicate keys');
      for (const [k, s] of state) {
        const have = got.get(k) ?? null;
        const allowed = s.inFlight ?? [s.acked];
        assert.ok(allowed.includes(have), `key ${k} after round ${round}: ${have}, expected one of ${allowed.join(', ')}`);
        s.acked = have;
        s.inFlight = null;
      }
      assert.equal(Number((await c.query('SELECT count(*) AS n FROM up')).rows[0].n), got.size, 'count(*) exact');
      if (round % 2 === 1) {
        await c.query('VACUUM up');
        const after = JSON.parse((await c.query("SELECT tessera.verify_pk_index('up') AS r")).rows[0].r as string);
        assert.deepEqual(after.differences, [], `after VACUUM in round ${round}`);
      }
    } finally {
      await c.end();
    }
  }
  assert.ok(statements > ROUNDS * 10, `the stream made progress (${statements} statements acknowledged)`);
});
