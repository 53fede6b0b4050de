/**
 * The primary-key index through the wire (issue 6): point DELETE/UPDATE by key touch only
 * the segment holding the row (a corrupt unrelated segment does not get in the way, while a
 * scan trips over it), merges and compaction keep the index exact (verify_pk_index clean),
 * a clean restart reuses the durable index while a SIGKILL rebuilds it, and concurrent
 * sessions upserting one key: exactly one inserts, the others wait and then do nothing /
 * update, with no lost update.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startTessera, type TesseraServer } from './support/tessera.ts';

let server: TesseraServer;

before(async () => {
  server = await startTessera();
});

after(async () => {
  await server?.stop();
});

async function connect(): Promise<pg.Client> {
  const c = new pg.Client(server.url);
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

async function verify(c: pg.Client, table: string): Promise<{ rows: number; entries: number; differences: unknown[] }> {
  const r = await c.query(`SELECT tessera.verify_pk_index($1) AS r`, [table]);
  return JSON.parse(r.rows[0].r as string);
}

/** pkIndexRebuilt of the last "database open" log line. */
function lastRebuilt(): number {
  const lines = server.output().split('\n').filter((l) => l.includes('"database open"'));
  return JSON.parse(lines[lines.length - 1]!).pkIndexRebuilt as number;
}

describe('point lookups by key', () => {
  test('DELETE/UPDATE/SELECT ... WHERE pk = $1 read only the row\'s segment (a corrupt other segment is never read)', async () => {
    let c = await connect();
    await c.query("CREATE TABLE pts (id bigint PRIMARY KEY, v text) WITH (segment_rows = 1000, segment_size = '1kB')");
    for (let i = 0; i < 4; i++) await c.query(`INSERT INTO pts SELECT g, 'v' || g FROM generate_series(${i * 1000 + 1}, ${(i + 1) * 1000}) g`);
    await c.query('VACUUM pts');
    const files = (await c.query(`SELECT segment_id, location, row_count FROM tessera.table_files WHERE table_name = 'pts' AND state = 'RAW' ORDER BY segment_id`)).rows;
    assert.equal(files.length, 4, JSON.stringify(files));
    await c.end();
    await server.kill('SIGTERM');
    // Corrupt the last segment (ids 3001..4000).
    const file = path.join(server.dataDir, 'objects', files[3].location as string);
    const bytes = fs.readFileSync(file);
    bytes[20]! ^= 0xff; // inside the header body: its CRC no longer matches, so any read of the file fails
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    await server.restart();
    assert.equal(lastRebuilt(), 0, 'a clean shutdown leaves the index usable as it is');
    c = await connect();
    try {
      await assert.rejects(c.query('SELECT sum(id) FROM pts'), { code: 'XX001' });
      assert.equal((await c.query('DELETE FROM pts WHERE id = $1', [17])).rowCount, 1);
      assert.equal((await c.query('UPDATE pts SET v = $2 WHERE id IN (1, 2, 999999) AND v <> $2', [0, 'new'])).rowCount, 2);
      assert.equal((await c.query('DELETE FROM pts WHERE id = $1 RETURNING v', [17])).rowCount, 0);
      const upd = await c.query("UPDATE pts SET v = 'x' WHERE id = 2500 RETURNING id, v");
      assert.deepEqual(upd.rows, [{ id: '2500', v: 'x' }]);
      assert.equal((await c.query('DELETE FROM pts WHERE id = ANY($1)', [[3, 4, 999999]])).rowCount, 2);
      assert.deepEqual((await c.query('SELECT id, v FROM pts WHERE id = $1', [2500])).rows, [{ id: '2500', v: 'x' }]);
      assert.deepEqual((await c.query('SELECT id FROM pts WHERE id = ANY($1) ORDER BY id', [[10, 11, 3]])).rows, [{ id: '10' }, { id: '11' }]);
      assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM pts WHERE id IN (20, 21, 22) AND v LIKE $1', ['v2%'])).rows, [{ n: 3 }]);
      const range = await c.query('SELECT id FROM pts WHERE id BETWEEN $1 AND $2', [2, 8]);
      assert.deepEqual(range.rows.map((r) => Number(r.id)), [2, 5, 6, 7, 8], 'a range through the index, in key order');
      assert.equal((await c.query('DELETE FROM pts WHERE id >= 2990 AND id < 3000')).rowCount, 10);
      // A key without a row: nothing happens, nothing is read.
      assert.equal((await c.query('DELETE FROM pts WHERE id = 123456')).rowCount, 0);
      // Upserts by key also stay away from the corrupt segment.
      const up = await c.query("INSERT INTO pts VALUES (5, 'five') ON CONFLICT (id) DO UPDATE SET v = excluded.v || pts.v RETURNING v");
      assert.deepEqual(up.rows, [{ v: 'fivev5' }]);
    } finally {
      await c.end();
    }
  });
});

describe('index consistency', () => {
  test('merges and compaction move locations; verify_pk_index stays clean; count(*) exact', async () => {
    const c = await connect();
    try {
      await c.query("CREATE TABLE mv (id integer PRIMARY KEY, k text UNIQUE, n int) WITH (segment_rows = 500, segment_size = '64MB')");
      for (let i = 0; i < 6; i++) await c.query(`INSERT INTO mv SELECT g, 'k' || g, 0 FROM generate_series(${i * 500 + 1}, ${(i + 1) * 500}) g`);
      await c.query('DELETE FROM mv WHERE id % 3 = 0');
      await c.query('INSERT INTO mv SELECT g, \'k\' || g, 1 FROM generate_series(1, 3000, 7) g ON CONFLICT (id) DO UPDATE SET n = mv.n + 1');
      let report = await verify(c, 'mv');
      assert.deepEqual(report.differences, []);
      await c.query('VACUUM mv');
      await c.query('VACUUM mv');
      const files = (await c.query(`SELECT count(*) AS n FROM tessera.table_files WHERE table_name = 'mv' AND state = 'RAW'`)).rows[0].n;
      assert.ok(Number(files) < 6, `merged into fewer files (${files})`);
      report = await verify(c, 'mv');
      assert.deepEqual(report.differences, []);
      const count = Number((await c.query('SELECT count(*) AS n FROM mv')).rows[0].n);
      assert.equal(count, 3000 - 1000 + [...Array(429).keys()].map((i) => 1 + i * 7).filter((g) => g % 3 === 0).length);
      assert.equal(report.rows, count);
      assert.equal(report.entries, 2 * count);
      // Lookups after the merge find the moved rows, by either constraint.
      assert.deepEqual((await c.query('UPDATE mv SET n = 42 WHERE id = $1 RETURNING id, n', [2999])).rows, [{ id: 2999, n: 42 }]);
      assert.deepEqual((await c.query("DELETE FROM mv WHERE k = 'k1000' RETURNING id")).rows, [{ id: 1000 }]);
      assert.deepEqual((await verify(c, 'mv')).differences, []);
    } finally {
      await c.end();
    }
    // The recorded moves survive a clean restart (the entries still name pre-merge rows).
    await server.kill('SIGTERM');
    await server.restart();
    assert.equal(lastRebuilt(), 0);
    const d = await connect();
    try {
      assert.deepEqual((await verify(d, 'mv')).differences, []);
      assert.deepEqual((await d.query('SELECT id, n FROM mv WHERE id = ANY($1) ORDER BY id', [[1, 2, 2999]])).rows, [{ id: 1, n: 1 }, { id: 2, n: 0 }, { id: 2999, n: 42 }]);
      await assert.rejects(d.query("INSERT INTO mv VALUES (2, 'new', 0)"), { code: '23505', detail: 'Key (id)=(2) already exists.' });
      await assert.rejects(d.query("INSERT INTO mv VALUES (999999, 'k2', 0)"), { code: '23505', detail: 'Key (k)=(k2) already exists.' });
    } finally {
      await d.end();
    }
  });

  test('big transactions (keys committed as one write-buffer layer) stay exact through updates, deletes, re-inserts, merges and a restart', async () => {
    // The same statements on a model of the table.
    const model = new Map<number, number>();
    for (let g = 1; g <= 6000; g++) model.set(g, 0);
    for (const id of [...model.keys()]) if (id % 4 === 0) model.delete(id);
    for (let g = 4; g <= 6000; g += 4) model.set(g, 1);
    for (let g = 1; g <= 8000; g += 3) model.set(g, model.has(g) ? model.get(g)! + 10 : 2);
    for (const [id, n] of [...model]) {
      if (id % 5 !== 0) continue;
      model.delete(id);
      model.set(id + 100000, n);
    }
    const ids = [1, 4, 7, 8, 10, 6001, 7999, 100010, 100020];
    const probe = async (d: pg.Client): Promise<void> => {
      const want = ids.filter((id) => model.has(id)).map((id) => ({ id: String(id), n: model.get(id) }));
      assert.deepEqual((await d.query('SELECT id, n FROM big WHERE id = ANY($1) ORDER BY id', [ids])).rows, want);
      assert.equal(Number((await d.query('SELECT count(*) AS n FROM big')).rows[0].n), model.size);
      await assert.rejects(d.query("INSERT INTO big VALUES (7999, 'new', 0)"), { code: '23505', detail: 'Key (id)=(7999) already exists.' });
      await assert.rejects(d.query("INSERT INTO big VALUES (999999, 'k5996', 0)"), { code: '23505', detail: 'Key (k)=(k5996) already exists.' });
    };
    const c = await connect();
    try {
      await c.query("CREATE TABLE big (id bigint PRIMARY KEY, k text UNIQUE, n int) WITH (segment_rows = 4000, segment_size = '64MB')");
      await c.query("INSERT INTO big SELECT g, 'k' || g, 0 FROM generate_series(1, 6000) g");
      // Another big transaction with one key already taken fails as a whole.
      await assert.rejects(c.query("INSERT INTO big SELECT g, 'x' || g, 0 FROM generate_series(6000, 9000) g"), { code: '23505', detail: 'Key (id)=(6000) already exists.' });
      await assert.rejects(c.query("INSERT INTO big SELECT g, 'k' || (g - 5000), 0 FROM generate_series(7001, 9000) g"), { code: '23505', detail: 'Key (k)=(k2001) already exists.' });
      await c.query('DELETE FROM big WHERE id % 4 = 0');
      // Re-inserting deleted keys in one big transaction: the layer is newer than the deletes.
      await c.query("INSERT INTO big SELECT g, 'k' || g, 1 FROM generate_series(4, 6000, 4) g");
      await c.query("INSERT INTO big SELECT g, 'k' || g, 2 FROM generate_series(1, 8000, 3) g ON CONFLICT (id) DO UPDATE SET n = big.n + 10");
      await c.query("UPDATE big SET id = id + 100000 WHERE id % 5 = 0");
      assert.deepEqual((await verify(c, 'big')).differences, []);
      await c.query('VACUUM big');
      assert.deepEqual((await verify(c, 'big')).differences, []);
      await probe(c);
      await c.query("INSERT INTO big VALUES (10, 'k10b', 0)"); // moved to 100010 by the UPDATE: free
      await c.query('DELETE FROM big WHERE id = 10');
    } finally {
      await c.end();
    }
    await server.kill('SIGTERM');
    await server.restart();
    const d = await connect();
    try {
      assert.deepEqual((await verify(d, 'big')).differences, []);
      await probe(d);
    } finally {
      await d.end();
    }
  });

  test('moves folded into the entries (tiny fold threshold, a few entries per step) keep the index exact', async () => {
    // Folds run in steps of TESSERA_PK_FOLD_CHUNK entries between other work; 7 makes them take many steps.
    const s2 = await startTessera({ env: { TESSERA_PK_MAX_MOVED_OFFSETS: '100', TESSERA_PK_FOLD_CHUNK: '7' } });
    const c = new pg.Client(s2.url);
    await c.connect();
    try {
      await c.query("CREATE TABLE fo (id bigint PRIMARY KEY, v int) WITH (segment_rows = 300, segment_size = '64MB')");
      for (let i = 0; i < 5; i++) await c.query(`INSERT INTO fo SELECT g, g FROM generate_series(${i * 300 + 1}, ${(i + 1) * 300}) g`);
      await c.query('DELETE FROM fo WHERE id % 4 = 0');
      await c.query('VACUUM fo');
      await c.query('INSERT INTO fo SELECT g, 0 FROM generate_series(1, 1500, 10) g ON CONFLICT (id) DO UPDATE SET v = fo.v + 1');
      await c.query('VACUUM fo');
      const report = async (): Promise<{ differences: unknown[]; rows: number; movedOffsets: number }> =>
        JSON.parse((await c.query("SELECT tessera.verify_pk_index('fo') AS r")).rows[0].r as string);
      // Exact while a fold may be under way, and once every fold has finished (no moves left).
      let r = await report();
      assert.deepEqual(r.differences, []);
      assert.deepEqual((await c.query('SELECT v FROM fo WHERE id = 11')).rows, [{ v: 12 }]);
      for (let i = 0; i < 200 && r.movedOffsets > 0; i++) {
        await new Promise((res) => setTimeout(res, 50));
        r = await report();
      }
      assert.equal(r.movedOffsets, 0, 'the moves were folded into the entries and forgotten');
      assert.deepEqual(r.differences, []);
      assert.equal(r.rows, 1500 - 375 + [...Array(150).keys()].map((i) => 1 + i * 10).filter((g) => g % 4 === 0).length);
      assert.deepEqual((await c.query('SELECT v FROM fo WHERE id = 11')).rows, [{ v: 12 }]);
      // Writes after the fold go through the folded entries.
      await c.query('INSERT INTO fo SELECT g, 0 FROM generate_series(1, 1500, 10) g ON CONFLICT (id) DO UPDATE SET v = fo.v + 1');
      assert.deepEqual((await c.query('SELECT v FROM fo WHERE id = 11')).rows, [{ v: 13 }]);
      assert.deepEqual((await report()).differences, []);
    } finally {
      await c.end();
      await s2.stop();
    }
  });

  test('after SIGKILL the index is rebuilt and matches the recovered rows', async () => {
    let c = await connect();
    await c.query('CREATE TABLE crashy (id bigint PRIMARY KEY, v int)');
    await c.query('INSERT INTO crashy SELECT g, g FROM generate_series(1, 2000) g');
    await c.query('DELETE FROM crashy WHERE id <= 500');
    await c.end();
    await server.kill('SIGKILL');
    await server.restart();
    assert.ok(lastRebuilt() > 0, 'rebuilt after a crash');
    c = await connect();
    try {
      assert.deepEqual((await verify(c, 'crashy')).differences, []);
      await assert.rejects(c.query('INSERT INTO crashy VALUES (501, 0)'), { code: '23505', detail: 'Key (id)=(501) already exists.' });
      await c.query('INSERT INTO crashy VALUES (500, 0)');
    } finally {
      await c.end();
    }
  });
});

describe('concurrent upserts of one key', () => {
  test('DO NOTHING: exactly one session inserts; the others wait for it and then do nothing', async () => {
    const setup = await connect();
    await setup.query('CREATE TABLE race (id int PRIMARY KEY, who int)');
    const clients = await Promise.all([0, 1, 2, 3].map(() => connect()));
    try {
      await Promise.all(clients.map((c) => c.query('BEGIN')));
      const results = await Promise.all(
        clients.map(async (c, i) => {
          const r = await c.query('INSERT INTO race VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [i]);
          await new Promise((res) => setTimeout(res, 50));
          await c.query('COMMIT');
          return r.rowCount;
        }),
      );
      assert.equal(results.reduce((a, b) => a! + b!, 0), 1);
      assert.equal(Number((await setup.query('SELECT count(*) AS n FROM race')).rows[0].n), 1);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await setup.end();
    }
  });

  test('DO UPDATE: every session\'s increment lands (the waiters update the winner\'s row)', async () => {
    const setup = await connect();
    await setup.query('CREATE TABLE tally (id int PRIMARY KEY, n int)');
    const clients = await Promise.all([0, 1, 2, 3, 4].map(() => connect()));
    try {
      await Promise.all(
        clients.map(async (c) => {
          for (let k = 0; k < 10; k++) {
            await c.query('BEGIN');
            await c.query('INSERT INTO tally VALUES (7, 1) ON CONFLICT (id) DO UPDATE SET n = tally.n + 1');
            await c.query('COMMIT');
          }
        }),
      );
      assert.deepEqual((await setup.query('SELECT id, n FROM tally')).rows, [{ id: 7, n: 50 }]);
      assert.deepEqual((await verify(setup, 'tally')).differences, []);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await setup.end();
    }
  });

  test('a plain INSERT of a key another open transaction inserted waits, then fails with 23505 if it committed, or goes in if it rolled back', async () => {
    const a = await connect();
    const b = await connect();
    try {
      await a.query('CREATE TABLE w (id int PRIMARY KEY)');
      await a.query('BEGIN');
      await a.query('INSERT INTO w VALUES (1)');
      /** Starts `sql` on b, checks it still waits 150 ms later, then ends a's transaction with `end`. */
      const waiter = async (sql: string, end: string): Promise<{ result: Promise<unknown> }> => {
        let done = false;
        const result = b.query(sql).finally(() => (done = true));
        result.catch(() => {}); // examined by the caller
        await new Promise((r) => setTimeout(r, 150));
        assert.equal(done, false);
        await a.query(end);
        return { result };
      };
      await assert.rejects((await waiter('INSERT INTO w VALUES (1)', 'COMMIT')).result, { code: '23505' });
      // The holder rolls back instead: the waiter's insert then goes in.
      await a.query('BEGIN');
      await a.query('INSERT INTO w VALUES (2), (3)');
      await (await waiter('INSERT INTO w VALUES (3)', 'ROLLBACK')).result;
      const r = await a.query('SELECT array_agg(id ORDER BY id) AS ids FROM w');
      assert.deepEqual(r.rows[0].ids, [1, 3]);
    } finally {
      await a.end();
      await b.end();
    }
  });
});
