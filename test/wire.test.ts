/**
 * Wire-protocol tests through real clients (node-postgres, postgres.js) and a byte-level
 * client: prepared statements with text and binary parameters, row-limited portals,
 * pipelining, errors mid-pipeline, cancel, statement_timeout, malformed and oversize
 * messages. Expected values are PostgreSQL's documented protocol behaviour.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import postgres from 'postgres';
import { RawClient, names, serialize } from './support/raw-client.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';

let server: TesseraServer;

before(async () => {
  server = await startTessera({ args: ['--max-message-bytes', String(1024 * 1024)] });
});
after(async () => {
  await server?.stop();
});

async function withPg<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('node-postgres', () => {
  test('simple query with several statements returns the last result set per pg', async () => {
    await withPg(async (c) => {
      const res = (await c.query('select 1 as a; select 2 as b, 3 as c')) as unknown as pg.QueryResult[];
      assert.equal(res.length, 2);
      assert.deepEqual(res[0]!.rows, [{ a: 1 }]);
      assert.deepEqual(res[1]!.rows, [{ b: 2, c: 3 }]);
    });
  });

  test('prepared statement with text parameters, reused by name', async () => {
    await withPg(async (c) => {
      for (const n of [1, 41, -7]) {
        const r = await c.query({ name: 'inc', text: 'select $1::int4 + 1 as x, $2::text as t', values: [n, `v${n}`] });
        assert.deepEqual(r.rows, [{ x: n + 1, t: `v${n}` }]);
        assert.equal(r.fields[0]!.dataTypeID, 23);
      }
    });
  });

  test('binary parameters (Buffers go out in format 1) and binary results', async () => {
    await withPg(async (c) => {
      const int4 = Buffer.alloc(4);
      int4.writeInt32BE(-123456);
      const int8 = Buffer.alloc(8);
      int8.writeBigInt64BE(-9007199254740993n);
      const f8 = Buffer.alloc(8);
      f8.writeDoubleBE(0.1);
      const r = await c.query({
        text: 'select $1::int4 as a, $2::int8 as b, $3::float8 as c',
        values: [int4, int8, f8],
        types: { getTypeParser: () => (v: string) => v },
      });
      assert.deepEqual(r.rows, [{ a: '-123456', b: '-9007199254740993', c: '0.1' }]);
    });
  });

  test('binary result formats, per column', async () => {
    const c = await RawClient.connect(server.port);
    try {
      c.send(
        serialize.parse({ text: 'select $1::int8 as v, true as t, 1.5::float8 as f, $2::text as s' }),
        serialize.bind({ values: ['42', 'héllo'], binary: true }),
        serialize.execute({}),
        serialize.sync(),
      );
      await c.until('readyForQuery');
      const [row] = c.rawRows as Buffer[][];
      assert.equal(row![0]!.readBigInt64BE(), 42n);
      assert.deepEqual([...row![1]!], [1]);
      assert.equal(row![2]!.readDoubleBE(), 1.5);
      assert.equal(row![3]!.toString('utf8'), 'héllo');
    } finally {
      c.close();
    }
  });

  test('errors keep the connection usable; positions point at the token', async () => {
    await withPg(async (c) => {
      await assert.rejects(c.query('select 1/0'), { code: '22012', message: 'division by zero' });
      await assert.rejects(c.query('select foo'), { code: '42703', position: '8' });
      await assert.rejects(c.query('selec 1'), { code: '42601', position: '1' });
      assert.deepEqual((await c.query('select 2 as ok')).rows, [{ ok: 2 }]);
    });
  });

  test('transaction status: failed block rejects with 25P02 until ROLLBACK', async () => {
    await withPg(async (c) => {
      await c.query('begin');
      await assert.rejects(c.query('select 1/0'), { code: '22012' });
      await assert.rejects(c.query('select 1'), { code: '25P02' });
      await c.query('rollback');
      assert.deepEqual((await c.query('select 3 as x')).rows, [{ x: 3 }]);
    });
  });

  test('statement_timeout cancels a long statement with 57014', async () => {
    await withPg(async (c) => {
      await c.query('set statement_timeout = 100');
      const t0 = Date.now();
      await assert.rejects(c.query('select pg_sleep(5)'), { code: '57014', message: 'canceling statement due to statement timeout' });
      assert.ok(Date.now() - t0 < 3000);
      await c.query('reset statement_timeout');
      assert.deepEqual((await c.query('select 1 as x')).rows, [{ x: 1 }]);
    });
  });
});

describe('postgres.js', () => {
  test('describes statements, binds typed parameters, pipelines', async () => {
    const sql = postgres({ host: server.host, port: server.port, user: 'postgres', database: 'postgres', max: 1, onnotice: () => {}, fetch_types: false });
    try {
      const [row] = await sql`select ${5}::int4 * 2 as x, ${'abc'}::text || 'd' as s`;
      assert.deepEqual({ ...row }, { x: 10, s: 'abcd' });
      // Issued together on one connection, these are pipelined before the first answer.
      const results = await Promise.all([1, 2, 3, 4, 5].map((i) => sql`select ${i}::int4 as i`));
      assert.deepEqual(results.map((r) => r[0]!.i), [1, 2, 3, 4, 5]);
    } finally {
      await sql.end();
    }
  });

  test('cursor reads through a row-limited portal', async () => {
    const sql = postgres({ host: server.host, port: server.port, user: 'postgres', database: 'postgres', max: 1, fetch_types: false });
    try {
      const batches: number[][] = [];
      for await (const rows of sql`select v from generate_series(1, 10) as t(v)`.cursor(4)) batches.push(rows.map((r) => r.v as number));
      assert.deepEqual(batches, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
    } finally {
      await sql.end();
    }
  });

  test('cancel of a running query arrives on a new socket and fails it with 57014', async () => {
    const sql = postgres({ host: server.host, port: server.port, user: 'postgres', database: 'postgres', max: 1, fetch_types: false });
    try {
      const q = sql`select pg_sleep(10)`;
      const t0 = Date.now();
      setTimeout(() => void q.cancel(), 200);
      await assert.rejects(q, { code: '57014', message: 'canceling statement due to user request' });
      assert.ok(Date.now() - t0 < 5000);
      const [r] = await sql`select 1 as ok`;
      assert.equal(r!.ok, 1);
    } finally {
      await sql.end();
    }
  });
});

describe('byte level', () => {
  test('Execute with a row limit suspends the portal and resumes it', async () => {
    const c = await RawClient.connect(server.port);
    try {
      c.send(
        serialize.parse({ text: 'select g from generate_series(1, 5) g' }),
        serialize.bind({ portal: 'p1' }),
        serialize.execute({ portal: 'p1', rows: 2 }),
        serialize.execute({ portal: 'p1', rows: 2 }),
        serialize.execute({ portal: 'p1', rows: 2 }),
        serialize.sync(),
      );
      const msgs = await c.until('readyForQuery');
      assert.deepEqual(names(msgs), [
        'parseComplete', 'bindComplete',
        'dataRow', 'dataRow', 'portalSuspended',
        'dataRow', 'dataRow', 'portalSuspended',
        'dataRow', 'commandComplete', 'readyForQuery',
      ]);
      const values = msgs.filter((m) => m.name === 'dataRow').map((m) => String((m as unknown as { fields: string[] }).fields[0]));
      assert.deepEqual(values, ['1', '2', '3', '4', '5']);
      assert.equal((msgs[9] as unknown as { text: string }).text, 'SELECT 1');
    } finally {
      c.close();
    }
  });

  test('an error mid-pipeline skips to Sync, then the next batch works', async () => {
    const c = await RawClient.connect(server.port);
    try {
      c.send(
        serialize.parse({ text: 'select 1 as a' }),
        serialize.bind({}),
        serialize.execute({}),
        serialize.parse({ text: 'select 1/0' }),
        serialize.bind({}),
        serialize.execute({}),
        serialize.parse({ text: 'select 2' }),
        serialize.bind({}),
        serialize.execute({}),
        serialize.sync(),
        serialize.parse({ text: 'select 3 as c' }),
        serialize.bind({}),
        serialize.execute({}),
        serialize.sync(),
      );
      const first = await c.until('readyForQuery');
      assert.deepEqual(names(first), ['parseComplete', 'bindComplete', 'dataRow', 'commandComplete', 'parseComplete', 'bindComplete', 'error', 'readyForQuery']);
      assert.equal((first[6] as unknown as { code: string }).code, '22012');
      const second = await c.until('readyForQuery');
      assert.deepEqual(names(second), ['parseComplete', 'bindComplete', 'dataRow', 'commandComplete', 'readyForQuery']);
    } finally {
      c.close();
    }
  });

  test('Describe statement reports inferred parameter types', async () => {
    const c = await RawClient.connect(server.port);
    try {
      c.send(serialize.parse({ name: 's1', text: 'select $1 + 1, $2' }), serialize.describe({ type: 'S', name: 's1' }), serialize.sync());
      const msgs = await c.until('readyForQuery');
      assert.deepEqual(names(msgs), ['parseComplete', 'parameterDescription', 'rowDescription', 'readyForQuery']);
      assert.deepEqual((msgs[1] as unknown as { dataTypeIDs: number[] }).dataTypeIDs, [23, 25]);
    } finally {
      c.close();
    }
  });

  test('an unknown message type is a FATAL 08P01 and the connection closes; others are unaffected', async () => {
    const c = await RawClient.connect(server.port);
    c.send(Buffer.from([0x7a, 0, 0, 0, 4])); // 'z' is no frontend message
    const msgs = await c.until('error');
    assert.equal((msgs.at(-1) as unknown as { code: string }).code, '08P01');
    await c.waitClosed();
    await withPg(async (p) => assert.deepEqual((await p.query('select 1 as x')).rows, [{ x: 1 }]));
  });

  test('a truncated Bind body is a FATAL 08P01', async () => {
    const c = await RawClient.connect(server.port);
    // Bind with a parameter count of 5 but no parameter data.
    const body = Buffer.from([0, 0, 0, 0, 0, 5]);
    const len = Buffer.alloc(4);
    len.writeInt32BE(body.length + 4);
    c.send(serialize.parse({ text: 'select 1' }), Buffer.from('B'), len, body);
    const msgs = await c.until('error');
    assert.equal((msgs.at(-1) as unknown as { code: string; severity: string }).code, '08P01');
    await c.waitClosed();
  });

  test('an oversize message is refused before its body arrives', async () => {
    const c = await RawClient.connect(server.port);
    const header = Buffer.alloc(5);
    header.write('Q');
    header.writeInt32BE(512 * 1024 * 1024, 1); // claims 512 MiB; the server allows 1 MiB here
    c.send(header);
    const msgs = await c.until('error');
    const err = msgs.at(-1) as unknown as { code: string; message: string };
    assert.equal(err.code, '08P01');
    assert.match(err.message, /invalid message length/);
    await c.waitClosed();
  });

  test('a garbage startup packet is refused and the server keeps serving', async () => {
    const c = await RawClient.connect(server.port, false);
    c.send(Buffer.from([0, 0, 0, 8, 0, 9, 0, 0])); // protocol 9.0
    const msgs = await c.until('error');
    assert.equal((msgs.at(-1) as unknown as { code: string }).code, '0A000');
    await c.waitClosed();
    await withPg(async (p) => assert.deepEqual((await p.query('select 1 as x')).rows, [{ x: 1 }]));
  });

  test('SSLRequest is answered N without TLS configured, and startup proceeds', async () => {
    const c = await RawClient.connect(server.port, false);
    const answer = new Promise<Buffer>((resolve) => c.socket.once('data', resolve));
    c.socket.write(serialize.requestSsl());
    assert.equal((await answer).toString(), 'N');
    c.close();
  });
});

describe('notices and empty queries', () => {
  test('a WARNING notice reaches the client and the statement still completes', async () => {
    await withPg(async (c) => {
      const notices: { code?: string; message: string; severity?: string }[] = [];
      c.on('notice', (n) => notices.push(n as unknown as { code?: string; message: string; severity?: string }));
      await c.query('commit');
      assert.equal(notices.length, 1);
      assert.equal(notices[0]!.code, '25P01');
      assert.equal(notices[0]!.message, 'there is no transaction in progress');
      await c.query("set client_min_messages = 'error'");
      await c.query('commit');
      assert.equal(notices.length, 1, 'client_min_messages filters warnings out');
    });
  });

  test('empty query strings answer EmptyQueryResponse in both protocols', async () => {
    const c = await RawClient.connect(server.port);
    try {
      c.send(serialize.query(''));
      assert.deepEqual(names(await c.until('readyForQuery')), ['emptyQuery', 'readyForQuery']);
      c.send(serialize.parse({ text: '  ;  ' }), serialize.bind({}), serialize.execute({}), serialize.sync());
      assert.deepEqual(names(await c.until('readyForQuery')), ['parseComplete', 'bindComplete', 'emptyQuery', 'readyForQuery']);
      c.send(serialize.end());
      await c.waitClosed();
    } finally {
      c.close();
    }
  });
});
