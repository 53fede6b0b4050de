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
  await sql.unsafe('DROP TABLE t');
});

/** `n` rows of (id, vector(4) literal or null, label): plain literals, with strtof forms, spaces, NULLs and escaped labels mixed in. */
function manyRows(n: number, seed: number): [number, string | null, string][] {
  const rnd = mulberry32(seed);
  const rows: [number, string | null, string][] = [];
  for (let id = 1; id <= n; id++) {
    const xs = Array.from({ length: 4 }, () => ((rnd() - 0.5) * 10 ** Math.floor(rnd() * 6 - 3)).toPrecision(1 + Math.floor(rnd() * 8)));
    const kind = rnd();
    // Forms the fast path declines (the main thread parses them) and NULLs, now and then.
    const v = kind < 0.02 ? null : kind < 0.04 ? `[${xs.map((x) => (x.startsWith('-') ? x : `+${x}`)).join(',')}]` : kind < 0.06 ? ` [ ${xs.join(' , ')} ] ` : `[${xs.join(',')}]`;
    rows.push([id, v, kind > 0.99 ? `tab\there ${id}` : `r${id}`]);
  }
  return rows;
}

const copyText = (rows: readonly [number, string | null, string][]): string =>
  rows.map(([id, v, label]) => `${id}\t${v === null ? '\\N' : v}\t${label.replace(/\\/g, '\\\\').replace(/\t/g, '\\t')}\n`).join('');

test('a COPY big enough for the parse workers gives pgvector\'s vectors, row for row', async () => {
  const rows = manyRows(7_000, 11);
  await sql.unsafe('DROP TABLE IF EXISTS t; CREATE TABLE t (id int, v vector(4), label text)');
  await copyIn('COPY t FROM STDIN', copyText(rows));
  await lite.exec('DROP TABLE IF EXISTS t; CREATE TABLE t (id int, v vector(4), label text)');
  const quote = (s: string | null): string => (s === null ? 'NULL' : `'${s.replace(/'/g, "''")}'`);
  await lite.exec(`INSERT INTO t VALUES ${rows.map(([id, v, label]) => `(${id}, ${quote(v)}, ${quote(label)})`).join(',')}`);
  const r = await lite.query<{ line: string }>("SELECT id || ' ' || coalesce(v::text, 'null') || ' ' || label AS line FROM t ORDER BY id");
  assert.deepEqual(await ours(), r.rows.map((x) => x.line));
  await sql.unsafe('DROP TABLE t');
});

test('in a big COPY the first bad line is the one reported, whichever thread parsed it, and nothing is stored', async () => {
  await sql.unsafe('DROP TABLE IF EXISTS t; CREATE TABLE t (id int, v vector(4), label text)');
  const bad = '[1,2,3]';
  const want = await lite.query('SELECT $1::vector(4)', [bad]).then(
    () => null,
    (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
  );
  assert.notEqual(want, null);
  const cases: { name: string; edits: [number, string][]; expect: { code: string; message: string; where: string } }[] = [
    // Line 3,000 is in the second batch of 2,000 rows: parsed by a worker.
    { name: 'bad vector in a worker batch', edits: [[3_000, `3000\t${bad}\tx`]], expect: { ...want!, where: `COPY t, line 3000, column v: "${bad}"` } },
    // The missing column two lines later is found first (on the event loop), but line 2,500 comes first.
    {
      name: 'bad vector before a short line of the same batch',
      edits: [[2_500, `2500\t${bad}\tx`], [2_502, '2502']],
      expect: { ...want!, where: `COPY t, line 2500, column v: "${bad}"` },
    },
    { name: 'short line before a bad vector', edits: [[2_500, '2500'], [2_502, `2502\t${bad}\tx`]], expect: { code: '22P04', message: 'missing data for column "v"', where: 'COPY t, line 2500' } },
    // Bad vector in the first batch, bad integer in the third.
    {
      name: 'bad vector, then a bad integer batches later',
      edits: [[100, `100\t${bad}\tx`], [5_000, 'x\t[1,2,3,4]\ty']],
      expect: { ...want!, where: `COPY t, line 100, column v: "${bad}"` },
    },
  ];
  for (const c of cases) {
    const lines = copyText(manyRows(6_000, 3)).split('\n');
    for (const [line, text] of c.edits) lines[line - 1] = text;
    const got = await copyIn('COPY t FROM STDIN', lines.join('\n')).then(
      () => null,
      (e: { code: string; message: string; where: string }) => ({ code: e.code, message: e.message, where: e.where }),
    );
    assert.deepEqual(got, c.expect, c.name);
    const [r] = await sql.unsafe('SELECT count(*) AS n FROM t');
    assert.equal(Number(r!.n), 0, c.name);
  }
  await sql.unsafe('DROP TABLE t');
});
