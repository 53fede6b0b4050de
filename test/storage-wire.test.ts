/**
 * The segment engine through the wire: COPY of 200,000 rows in text, csv and binary checked
 * against a real PostgreSQL given the same data (counts, exact sums, byte-identical COPY TO),
 * seed 001's file-state transitions observed in the tessera.* views, transaction isolation
 * between sessions, persistence across restarts, and a flipped byte detected (XX001).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import postgres from 'postgres';
import { startPostgres, type PgCluster } from './support/pg-cluster.ts';
import { RawClient, names, serialize } from './support/raw-client.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';

const ROWS = 200_000;
const DDL = 'CREATE TABLE t (id bigint, a integer, b double precision, c text, d numeric(12,2), ts timestamptz, v real[])';
const FILL = `INSERT INTO t SELECT g, (g * 7919) % 100003 - 50000, g / 7.0, 'row ' || g || repeat('x', g % 13), ((g * 31) % 1000000) / 100.0,
  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', ARRAY[g % 10, g / 3.0, -g]::real[] FROM generate_series(1, ${ROWS}) g`;
const CHECKS = 'SELECT count(*) AS n, sum(a) AS sa, sum(id) AS si, sum(d) AS sd, sum(length(c)) AS sc FROM t';

let pg: PgCluster;
let server: TesseraServer;
let pgSql: postgres.Sql;
let sql: postgres.Sql;

async function copyOut(db: postgres.Sql, query: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const readable = await db.unsafe(query).readable();
  await pipeline(readable, new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
  return Buffer.concat(chunks);
}

async function copyIn(db: postgres.Sql, query: string, data: Buffer): Promise<void> {
  const writable = await db.unsafe(query).writable();
  await new Promise<void>((resolve, reject) => {
    writable.on('error', reject);
    writable.on('finish', resolve);
    // Chunks that do not line up with rows, as a real client sends them.
    for (let i = 0; i < data.length; i += 65_521) writable.write(data.subarray(i, i + 65_521));
    writable.end();
  });
}

before(async () => {
  pg = await startPostgres();
  server = await startTessera();
  pgSql = postgres(pg.url, { max: 1, onnotice: () => {} });
  sql = postgres(server.url, { max: 2, fetch_types: false, onnotice: () => {} });
  await pgSql.unsafe(DDL);
  await pgSql.unsafe(FILL);
});

after(async () => {
  await sql?.end();
  await pgSql?.end();
  await server?.stop();
  await pg?.stop();
});

describe('COPY matches PostgreSQL', () => {
  for (const format of ['text', 'csv', 'binary'] as const) {
    test(`${ROWS} rows in ${format} format`, async () => {
      const data = await copyOut(pgSql, `COPY t TO STDOUT WITH (FORMAT ${format})`);
      await sql.unsafe('DROP TABLE IF EXISTS t');
      await sql.unsafe(DDL);
      await copyIn(sql, `COPY t FROM STDIN WITH (FORMAT ${format})`, data);
      const [ours] = await sql.unsafe(CHECKS);
      const [theirs] = await pgSql.unsafe(CHECKS);
      assert.deepEqual({ ...ours }, { ...theirs });
      const order = `COPY (SELECT * FROM t ORDER BY id) TO STDOUT WITH (FORMAT ${format === 'binary' ? 'text' : format})`;
      const [a, b] = await Promise.all([copyOut(sql, order), copyOut(pgSql, order)]);
      assert.equal(a.length, b.length);
      assert.ok(a.equals(b), 'COPY TO output is byte-identical to PostgreSQL');
    });
  }

  test('bad COPY data is refused with PostgreSQL\'s SQLSTATE and context, and nothing is stored', async () => {
    await sql.unsafe('CREATE TABLE bad (a int, b text)');
    const c = await RawClient.connect(server.port);
    try {
      for (const [data, code, where] of [
        ['1\tone\n2\n', '22P04', 'COPY bad, line 2'],
        ['1\tone\nx\ttwo\n', '22P02', 'COPY bad, line 2, column a: "x"'],
      ] as const) {
        c.send(serialize.query('COPY bad FROM STDIN'));
        assert.deepEqual(names(await c.until('copyInResponse')), ['copyInResponse']);
        c.send(serialize.copyData(Buffer.from(data)), serialize.copyDone());
        const msgs = await c.until('readyForQuery');
        const err = msgs.find((m) => m.name === 'error') as unknown as { code: string; where: string };
        assert.equal(err.code, code);
        assert.equal(err.where, where);
      }
    } finally {
      c.close();
    }
    const [r] = await sql.unsafe('SELECT count(*) AS n FROM bad');
    assert.equal(Number(r!.n), 0);
  });
});

describe('COPY text encodings as PostgreSQL', () => {
  /** Sends `chunks` as CopyData messages of `COPY enc FROM STDIN [opts]`; the error (code, message) or null, and the stored rows. */
  async function copyChunks(port: number, opts: string, chunks: Buffer[]): Promise<{ error: string | null; rows: string }> {
    const c = await RawClient.connect(port);
    try {
      c.send(serialize.query('DROP TABLE IF EXISTS enc'), serialize.query('CREATE TABLE enc (a int, b text)'));
      await c.until('readyForQuery');
      await c.until('readyForQuery');
      c.send(serialize.query(`COPY enc FROM STDIN ${opts}`));
      await c.until('copyInResponse');
      c.send(...chunks.map((b) => serialize.copyData(b)), serialize.copyDone());
      const msgs = await c.until('readyForQuery');
      const err = msgs.find((m) => m.name === 'error') as unknown as { code: string; message: string } | undefined;
      c.send(serialize.query("SELECT string_agg(a || ':' || b, ',' ORDER BY a) FROM enc"));
      const rows = (await c.until('readyForQuery')).filter((m) => m.name === 'dataRow').map((m) => JSON.stringify(m)).join('');
      return { error: err === undefined ? null : `${err.code} ${err.message}`, rows };
    } finally {
      c.close();
    }
  }

  test('multi-byte characters split across CopyData messages, and invalid UTF-8, as PostgreSQL', async () => {
    const euro = Buffer.from('€'); // 3 bytes
    const cases: [string, Buffer[]][] = [
      ['', [Buffer.from('1\tascii only\n2\tab'), Buffer.concat([Buffer.from('c €'), euro.subarray(0, 1)]), Buffer.concat([euro.subarray(1), Buffer.from(' é\n')])]],
      ['(FORMAT csv)', [Buffer.from('1,"quoted €'), Buffer.from([0xe2]), Buffer.from([0x82, 0xac]), Buffer.from('"\n2,x\n')]],
      ['', [Buffer.from('1\tok\n'), Buffer.from([0x32, 0x09, 0x61, 0xff, 0x62, 0x0a])]],
      ['', [Buffer.from([0x31, 0x09, 0xc3, 0x28, 0x0a])]],
      ['', [Buffer.from([0x31, 0x09, 0xed, 0xa0, 0x80, 0x0a])]],
      ['', [Buffer.from([0x31, 0x09, 0xe2, 0x82])]],
    ];
    for (const [opts, chunks] of cases) {
      const [mine, theirs] = [await copyChunks(server.port, opts, chunks), await copyChunks(pg.port, opts, chunks)];
      assert.deepEqual(mine, theirs, `COPY ${opts} of ${chunks.map((b) => b.toString('hex')).join('|')}`);
    }
  });
  /** ~2 MB of lines: plain, escaped (tab, backslash, newline), NULL, multi-byte characters; line `bad` (if any) has a bad integer. */
  function bigCopyData(bad: number): Buffer {
    const lines: string[] = [];
    for (let i = 1; i <= 20_000; i++) {
      const r = i % 7;
      const b = r === 0 ? `esc\\t\\\\${i}\\nnext` : r === 1 ? '\\N' : r === 2 ? `€uro ${'é'.repeat(i % 50)}` : `row ${i} ${'x'.repeat(i % 200)}`;
      lines.push(`${i === bad ? 'x1' : i}\t${b}\n`);
    }
    return Buffer.concat([serialize.copyData(Buffer.from(lines.join(''))), serialize.copyDone()]);
  }

  /**
   * COPY big FROM STDIN of `stream` (one CopyData message, then CopyDone) written in pieces of
   * 1 .. 96 KiB with pauses, so the server reads the message in many parts; the error (code,
   * message, where) or null, then what a query on the same connection returns.
   */
  async function copyInPieces(port: number, stream: Buffer): Promise<string> {
    const c = await RawClient.connect(port);
    try {
      c.send(serialize.query('DROP TABLE IF EXISTS big'), serialize.query('CREATE TABLE big (a int, b text)'));
      await c.until('readyForQuery');
      await c.until('readyForQuery');
      c.send(serialize.query('COPY big FROM STDIN'));
      await c.until('copyInResponse');
      for (let at = 0, k = 0; at < stream.length; k++) {
        const n = 1 + ((k * 7919 + 13) % 98_304);
        c.socket.write(stream.subarray(at, at + n));
        at += n;
        if (k % 4 === 0) await new Promise((r) => setTimeout(r, 2));
      }
      const msgs = await c.until('readyForQuery', 30_000);
      const errs = msgs.filter((m) => m.name === 'error') as unknown as { code: string; message: string; where: string }[];
      c.send(serialize.query("SELECT count(*) || ' ' || count(b) || ' ' || coalesce(md5(string_agg(a || ':' || coalesce(b, '<null>'), ',' ORDER BY a)), '-') FROM big"));
      const rows = JSON.stringify((await c.until('readyForQuery')).filter((m) => m.name === 'dataRow'));
      return JSON.stringify({ errors: errs.map((e) => `${e.code} ${e.message} | ${e.where}`), rows });
    } finally {
      c.close();
    }
  }

  test('one large CopyData message arriving in many reads, lines straddling them, stores what PostgreSQL stores', async () => {
    const theirs = await copyInPieces(pg.port, bigCopyData(0));
    assert.match(theirs, /20000 17142 [0-9a-f]{32}/);
    assert.equal(await copyInPieces(server.port, bigCopyData(0)), theirs);
  });

  test('a bad line in the middle of a large CopyData message: one error as PostgreSQL, the rest ignored, nothing stored, the connection usable', async () => {
    const theirs = await copyInPieces(pg.port, bigCopyData(9_001));
    assert.match(theirs, /22P02 .*line 9001/);
    assert.match(theirs, /\\"0 0 -\\"/);
    assert.equal(await copyInPieces(server.port, bigCopyData(9_001)), theirs);
  });
});

test('a COPY delimiter of one character but two bytes is refused as by PostgreSQL', async () => {
  const refusal = async (port: number): Promise<string> => {
    const c = await RawClient.connect(port);
    try {
      c.send(serialize.query('CREATE TABLE IF NOT EXISTS delim (a int, b text)'), serialize.query("COPY delim FROM STDIN (DELIMITER 'é')"));
      await c.until('readyForQuery');
      const err = (await c.until('readyForQuery')).find((m) => m.name === 'error') as unknown as { code: string; message: string } | undefined;
      return err === undefined ? 'accepted' : `${err.code} ${err.message}`;
    } finally {
      c.close();
    }
  };
  const theirs = await refusal(pg.port);
  assert.match(theirs, /^0A000 /);
  assert.equal(await refusal(server.port), theirs);
});

describe('seed 001 file states through tessera.table_files', () => {
  test('insert → RAW files, merge → fewer larger files, drop → TO_DELETE → gone', async () => {
    await sql.unsafe("CREATE TABLE f (id int PRIMARY KEY, s text) WITH (segment_rows = 1000, segment_size = '1MB')");
    for (let i = 0; i < 5; i++) {
      await sql.unsafe(`INSERT INTO f SELECT g, 'r' || g FROM generate_series(${i * 1000 + 1}, ${(i + 1) * 1000}) g`);
    }
    const files = async (): Promise<{ state: string; row_count: string }[]> =>
      (await sql.unsafe(`SELECT state, row_count, location FROM tessera.table_files WHERE table_name = 'f' ORDER BY segment_id`)) as never;
    await sql.unsafe('VACUUM f');
    const merged = await files();
    assert.ok(merged.length >= 1);
    assert.ok(merged.every((f) => f.state === 'RAW'));
    const [{ n }] = (await sql.unsafe('SELECT count(*) AS n FROM f')) as unknown as [{ n: string }];
    assert.equal(Number(n), 5000);
    const [summary] = await sql.unsafe(`SELECT row_count, file_count FROM tessera.tables WHERE table_name = 'f'`);
    assert.equal(Number(summary!.file_count), merged.length);
    await sql.unsafe('DROP TABLE f');
    const dropped = await files();
    assert.ok(dropped.length > 0 && dropped.every((f) => f.state === 'TO_DELETE'), JSON.stringify(dropped));
    await sql.unsafe('VACUUM');
    assert.equal((await files()).length, 0);
  });
});

describe('transactions', () => {
  test('uncommitted rows are invisible to other sessions; own writes are visible; rollback leaves nothing', async () => {
    const a = postgres(server.url, { max: 1, fetch_types: false });
    const b = postgres(server.url, { max: 1, fetch_types: false });
    try {
      await a.unsafe('CREATE TABLE iso (k int PRIMARY KEY, v text)');
      await a.begin(async (tx) => {
        await tx.unsafe("INSERT INTO iso VALUES (1, 'one')");
        assert.equal((await tx.unsafe('SELECT v FROM iso'))[0]!.v, 'one');
        assert.equal((await b.unsafe('SELECT v FROM iso')).length, 0);
      });
      assert.equal((await b.unsafe('SELECT v FROM iso'))[0]!.v, 'one');
      await assert.rejects(
        a.begin(async (tx) => {
          await tx.unsafe("UPDATE iso SET v = 'changed'");
          await tx.unsafe("INSERT INTO iso VALUES (2, 'two')");
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.deepEqual((await b.unsafe('SELECT k, v FROM iso ORDER BY k')).map((r) => ({ ...r })), [{ k: 1, v: 'one' }]);
      await assert.rejects(b.unsafe("INSERT INTO iso VALUES (1, 'dup')"), { code: '23505', detail: 'Key (k)=(1) already exists.' });
    } finally {
      await a.end();
      await b.end();
    }
  });
});

describe('durability', () => {
  test('rows survive a clean restart and a SIGKILL; a flipped byte in a segment is XX001', async () => {
    await sql.unsafe('CREATE TABLE dur (id int PRIMARY KEY, s text) WITH (segment_rows = 500)');
    await sql.unsafe("INSERT INTO dur SELECT g, 'v' || g FROM generate_series(1, 2000) g");
    await sql.end();
    await server.restart();
    sql = postgres(server.url, { max: 2, fetch_types: false, onnotice: () => {} });
    assert.equal(Number((await sql.unsafe('SELECT count(*) AS n FROM dur'))[0]!.n), 2000);
    await sql.unsafe("INSERT INTO dur VALUES (2001, 'acknowledged')");
    await sql.end();
    await server.kill('SIGKILL');
    await server.restart();
    sql = postgres(server.url, { max: 2, fetch_types: false, onnotice: () => {} });
    assert.equal((await sql.unsafe('SELECT s FROM dur WHERE id = 2001'))[0]!.s, 'acknowledged');
    await sql.unsafe('VACUUM dur');
    const [{ location }] = (await sql.unsafe(`SELECT location FROM tessera.table_files WHERE table_name = 'dur' AND state = 'RAW' LIMIT 1`)) as unknown as [{ location: string }];
    await sql.end();
    await server.kill('SIGTERM'); // keeps the data directory
    const file = path.join(server.dataDir, 'objects', location);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    await server.restart();
    sql = postgres(server.url, { max: 2, fetch_types: false, onnotice: () => {} });
    // Read every column: segments checksum each column, and a scan reads only the columns it needs.
    await assert.rejects(sql.unsafe('SELECT sum(id), max(s) FROM dur'), { code: 'XX001' });
  });
});

describe('concurrent updates', () => {
  test('a row updated by an open transaction makes a second updater wait, then apply to the committed version; no update is lost', async () => {
    const a = new (await import('pg')).default.Client(server.url);
    const b = new (await import('pg')).default.Client(server.url);
    await a.connect();
    await b.connect();
    try {
      await a.query('CREATE TABLE counter (id int PRIMARY KEY, n int)');
      await a.query('INSERT INTO counter VALUES (1, 0)');
      await a.query('BEGIN');
      await a.query('UPDATE counter SET n = n + 1 WHERE id = 1');
      let bDone = false;
      const bUpdate = b.query('UPDATE counter SET n = n + 10 WHERE id = 1').finally(() => (bDone = true));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(bDone, false, 'the second updater waits for the first transaction');
      await a.query('COMMIT');
      assert.equal((await bUpdate).rowCount, 1);
      const { rows } = await a.query('SELECT id, n FROM counter');
      assert.deepEqual(rows, [{ id: 1, n: 11 }]);
      // After a rollback the waiter goes ahead.
      await a.query('BEGIN');
      await a.query('UPDATE counter SET n = 100 WHERE id = 1');
      const bUpdate2 = b.query('UPDATE counter SET n = n + 10 WHERE id = 1');
      await new Promise((r) => setTimeout(r, 100));
      await a.query('ROLLBACK');
      assert.equal((await bUpdate2).rowCount, 1);
      assert.deepEqual((await a.query('SELECT id, n FROM counter')).rows, [{ id: 1, n: 21 }]);
    } finally {
      await a.end();
      await b.end();
    }
  });
});

describe('prepared statements across DDL', () => {
  test('a prepared INSERT/SELECT is re-planned after its table is dropped and re-created; a changed result type is refused', async () => {
    const pgmod = (await import('pg')).default;
    const c = new pgmod.Client(server.url);
    await c.connect();
    try {
      await c.query('CREATE TABLE rp (a int, b text)');
      const ins = { name: 'rp_ins', text: 'INSERT INTO rp VALUES ($1, $2)', values: [1, 'x'] };
      const sel = { name: 'rp_sel', text: 'SELECT a, b FROM rp ORDER BY a' };
      await c.query(ins);
      assert.deepEqual((await c.query(sel)).rows, [{ a: 1, b: 'x' }]);
      await c.query('DROP TABLE rp');
      await c.query('CREATE TABLE rp (a int, b text)');
      await c.query({ ...ins, values: [2, 'y'] });
      assert.deepEqual((await c.query(sel)).rows, [{ a: 2, b: 'y' }]);
      await c.query('DROP TABLE rp');
      await c.query('CREATE TABLE rp (a bigint, b text)');
      await assert.rejects(c.query(sel), { code: '0A000', message: 'cached plan must not change result type' });
    } finally {
      await c.end();
    }
  });
});
