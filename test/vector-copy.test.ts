/**
 * COPY FROM STDIN in text format into a vector column, checked against PGlite + pgvector 0.8
 * (the oracle, given the same literals through INSERT): vectors are parsed from the CopyData
 * bytes (textInBytes) on lines without escapes, and as strings on lines with them; both must
 * give pgvector's floats, NULLs, and pgvector's error with COPY's line and column context.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import postgres from 'postgres';
import { RawClient, serialize } from './support/raw-client.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';
import { mulberry32 } from './support/prng.ts';

let server: TesseraServer;
let sql: postgres.Sql;
let lite: PGlite;

before(async () => {
  server = await startTessera();
  sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
  lite = await PGlite.create({ extensions: { vector } });
  await lite.exec('CREATE EXTENSION vector');
});

after(async () => {
  await sql?.end();
  await server?.stop();
  await lite?.close();
});

/** COPY FROM STDIN through the raw protocol (an error is thrown, not left hanging): the data in small CopyData messages. */
async function copyIn(query: string, data: string): Promise<void> {
  const c = await RawClient.connect(server.port);
  try {
    c.send(serialize.query(query));
    await c.until('copyInResponse');
    // Small chunks: vectors and characters split across CopyData messages.
    const b = Buffer.from(data);
    const chunks: Buffer[] = [];
    for (let i = 0; i < b.length; i += 97) chunks.push(serialize.copyData(b.subarray(i, i + 97)));
    c.send(...chunks, serialize.copyDone());
    const err = (await c.until('readyForQuery')).find((m) => m.name === 'error') as unknown as { code: string; message: string; where: string } | undefined;
    if (err !== undefined) throw Object.assign(new Error(err.message), { code: err.code, where: err.where });
  } finally {
    c.close();
  }
}

/** The oracle: the same (id, vector literal or null, label) rows inserted into PGlite. */
async function oracle(rows: readonly [number, string | null, string][]): Promise<string[]> {
  await lite.exec('DROP TABLE IF EXISTS t; CREATE TABLE t (id int, v vector(4), label text)');
  for (const [id, v, label] of rows) await lite.query('INSERT INTO t VALUES ($1, $2::vector, $3)', [id, v, label]);
  const r = await lite.query<{ line: string }>("SELECT id || ' ' || coalesce(v::text, 'null') || ' ' || label AS line FROM t ORDER BY id");
  return r.rows.map((x) => x.line);
}

async function ours(): Promise<string[]> {
  const r = await sql.unsafe("SELECT id || ' ' || coalesce(v::text, 'null') || ' ' || label AS line FROM t ORDER BY id");
  return r.map((x) => x.line as string);
}

test('vector literals in COPY text: plain, spaced, long digits, NULL, escapes and CRLF agree with pgvector', async () => {
  const rnd = mulberry32(5);
  const rows: [number, string | null, string][] = [
    [1, '[1,2,3,4]', 'plain'],
    [2, ' [ 1.5 , -2e-3 ,3E+2, 4 ] ', 'spaced'],
    [3, '[0.30000001192092896,1e-45,3.4028235e38,-0]', '17 digits, subnormal, largest'],
    [4, null, 'null vector'],
    [5, '[+1,.5,5.,0x10]', 'strtof forms'],
    [6, '[1,2,3,4]', 'tab\tand backslash\\ in the label'],
    [7, '[7,7,7,7]', 'crlf'],
  ];
  for (let id = 8; id < 300; id++) {
    const xs = Array.from({ length: 4 }, () => (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8 - 4));
    rows.push([id, `[${xs.map((x, k) => (k % 2 === 0 ? String(x) : x.toPrecision(1 + Math.floor(rnd() * 9)))).join(',')}]`, `r${id}`]);
  }
  const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t');
  const text = rows.map(([id, v, label]) => `${id}\t${v === null ? '\\N' : v}\t${escape(label)}${id === 7 ? '\r\n' : '\n'}`).join('');
  await sql.unsafe('CREATE TABLE t (id int, v vector(4), label text)');
  await copyIn('COPY t FROM STDIN', text);
  assert.deepEqual(await ours(), await oracle(rows));

  // Another delimiter, a header line, multi-byte text split across messages, and the end marker.
  await sql.unsafe('TRUNCATE t');
  const piped: [number, string | null, string][] = [
    [1, '[1,2,3,4]', 'één €'],
    [2, '[-1.5,2e1, 3 ,4]', 'plain'],
  ];
  await copyIn("COPY t FROM STDIN (DELIMITER '|', HEADER)", `id|v|label\n${piped.map(([i, v, l]) => `${i}|${v}|${l}`).join('\n')}\n\\.\nignored|after|the end\n`);
  assert.deepEqual(await ours(), await oracle(piped));

  // A NULL string without a backslash (and not ASCII): recognised on lines without escapes too.
  await sql.unsafe('TRUNCATE t');
  await copyIn("COPY t FROM STDIN (NULL 'ñone')", '1\tñone\ta\n2\t[1,2,3,4]\tñone\n');
  const [n] = await sql.unsafe('SELECT count(*) FILTER (WHERE v IS NULL) AS nv, count(*) FILTER (WHERE label IS NULL) AS nl FROM t');
  assert.deepEqual([Number(n!.nv), Number(n!.nl)], [1, 1]);
  await sql.unsafe('DROP TABLE t');
});

test('a bad vector in COPY text is pgvector\'s error with COPY\'s context, and nothing is stored', async () => {
  await sql.unsafe('CREATE TABLE t (id int, v vector(4), label text)');
  for (const bad of ['[1,x,3,4]', '[1,2,3]', '[1,2,3,4', '[1,2,3,1e39]', '[1,2,3,nan]']) {
    const want = await lite.query('SELECT $1::vector(4)', [bad]).then(
      () => null,
      (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
    );
    assert.notEqual(want, null, `PGlite refuses ${bad}`);
    const got = await copyIn('COPY t FROM STDIN', `1\t[0,0,0,0]\tok\n2\t${bad}\tbad\n`).then(
      () => null,
      (e: { code: string; message: string; where: string }) => ({ code: e.code, message: e.message, where: e.where }),
    );
    assert.deepEqual(got, { ...want, where: `COPY t, line 2, column v: "${bad}"` });
  }
  const [r] = await sql.unsafe('SELECT count(*) AS n FROM t');
  assert.equal(Number(r!.n), 0);
});
