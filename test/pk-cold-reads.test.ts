/**
 * Deletes, upserts and lookups by primary key on a big cold segment file (issue 6) read only
 * the 64 KiB chunks holding the rows' values, never a whole column: through the wire, the
 * server's read bytes (/proc/<pid>/io rchar) over a run of such statements stay far below the
 * size of one column block, with results equal to PostgreSQL 15's for the same statements. A
 * flipped byte in the chunk holding a row's key is XX001 for that row, while rows whose chunks
 * are intact are still served (a whole-column read would fail on them too).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { CHUNK_BYTES, readSegmentColumn, readSegmentHeader } from '../src/storage/segment-file.ts';
import { LocalObjectStore } from '../src/tiering/index.ts';
import { startPostgres, type PgCluster } from './support/pg-cluster.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';

/** Sealed files of 200,000 rows: each int8 column block is 1.6 MB. */
const ROWS = 400_000;
const CREATE = 'CREATE TABLE cold (id bigint PRIMARY KEY, v bigint NOT NULL, d date NOT NULL)';

let server: TesseraServer;
let oracle: PgCluster;

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client(url);
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** Bytes the process has read through read(2)/pread(2) so far (page-cache hits included). */
function readBytes(pid: number): number {
  return Number(/^rchar: (\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
}

const fill = `INSERT INTO cold SELECT g, g * 3, date '2000-01-01' + (g % 5000)::int FROM generate_series(1, ${ROWS}) g`;

/** Point statements by key on rows 150,001..150,030 (their values share a chunk or two of each column). */
async function pointStatements(c: pg.Client): Promise<unknown[]> {
  const out: unknown[] = [];
  const q = async (text: string, values: unknown[]): Promise<void> => {
    try {
      const r = await c.query({ text, values, rowMode: 'array' });
      out.push([r.command, r.rowCount, r.rows]);
    } catch (err) {
      out.push((err as { code?: string }).code);
    }
  };
  for (let k = 150_001; k <= 150_010; k++) await q('DELETE FROM cold WHERE id = $1', [k]);
  await q('DELETE FROM cold WHERE id = $1 RETURNING v, d', [150_011]);
  for (const k of [150_005, 150_012, 150_013, 150_020, 999_999_999]) await q('SELECT v, d FROM cold WHERE id = $1', [k]);
  await q('DELETE FROM cold WHERE id IN (150021, 150022, 150023, 999999999)', []);
  for (const k of [150_024, 150_025, 150_001]) {
    await q("INSERT INTO cold VALUES ($1, 7, '2020-02-02') ON CONFLICT (id) DO UPDATE SET v = cold.v + excluded.v RETURNING id, v, d", [k]);
  }
  await q("INSERT INTO cold VALUES ($1, 7, '2020-02-02') ON CONFLICT DO NOTHING", [150_026]);
  await q('UPDATE cold SET v = v * 2 WHERE id = $1 RETURNING v, d', [150_027]);
  await q('SELECT id, v FROM cold WHERE id = ANY($1) ORDER BY id', [[150_024, 150_027, 150_028, 150_003]]);
  return out;
}

describe('point statements on a cold segment file', () => {
  before(async () => {
    [server, oracle] = await Promise.all([startTessera(), startPostgres()]);
    const t = await connect(server.url);
    const p = await connect(oracle.url);
    try {
      await t.query(`${CREATE} WITH (segment_rows = 200000)`);
      await p.query(CREATE);
      await Promise.all([t.query(fill), p.query(fill)]);
      await t.query('VACUUM cold');
    } finally {
      await Promise.all([t.end(), p.end()]);
    }
  });

  after(async () => {
    await Promise.all([server?.stop(), oracle?.stop()]);
  });

  test('deletes, upserts and lookups by key read a few chunks, not whole columns; results as PostgreSQL', async () => {
    // A restart leaves the sealed files' columns on disk only.
    await server.restart();
    const t = await connect(server.url);
    const p = await connect(oracle.url);
    try {
      await t.query('SELECT 1');
      const before = readBytes(server.pid);
      const got = await pointStatements(t);
      const read = readBytes(server.pid) - before;
      assert.deepEqual(got, await pointStatements(p));
      // One int8 column block of one file is 1.6 MB; headers, CRC lists and a few chunks of three columns are far less.
      assert.ok(read < 1_000_000, `the server read ${read} bytes`);
      const count = 'SELECT count(*)::int AS n, sum(v)::text AS s FROM cold';
      assert.deepEqual((await t.query(count)).rows, (await p.query(count)).rows);
    } finally {
      await Promise.all([t.end(), p.end()]);
    }
  });

  test('a flipped byte in the chunk of a row\'s key is XX001 for that row; rows in intact chunks are served', async () => {
    const c = await connect(server.url);
    const files = (await c.query(`SELECT location FROM tessera.table_files WHERE table_name = 'cold' AND state = 'RAW' ORDER BY segment_id`)).rows;
    await c.end();
    await server.kill('SIGTERM');
    // Find the file and offset of key 120,000 and flip a byte of its value in the id column.
    const store = new LocalObjectStore(path.join(server.dataDir, 'objects'), false);
    let damaged: { file: string; offset: number; chunk: number } | null = null;
    for (const f of files) {
      const location = f.location as string;
      const header = await readSegmentHeader(store, location);
      const col = header.columns.find((h) => h.attnum === 1)!;
      const ids = await readSegmentColumn(store, location, header, col);
      const offset = ids.indexOf(120_000n);
      if (offset < 0) continue;
      const at = 14 + offset * 8; // past the block's prefix (column-codec.ts), no NULL bitmap
      damaged = { file: path.join(server.dataDir, 'objects', location), offset: col.offset + at + 2, chunk: Math.floor(at / CHUNK_BYTES) };
    }
    assert.ok(damaged !== null && damaged.chunk > 0, JSON.stringify({ damaged, files }));
    const bytes = fs.readFileSync(damaged.file);
    bytes[damaged.offset]! ^= 0x40;
    fs.writeFileSync(damaged.file, bytes);
    await server.restart();
    const t = await connect(server.url);
    try {
      // Key 100,000 lives 160 KB earlier in the same column of the same file: another chunk.
      assert.deepEqual((await t.query('SELECT v FROM cold WHERE id = $1', [100_000])).rows, [{ v: '300000' }]);
      await assert.rejects(t.query('SELECT v FROM cold WHERE id = $1', [120_000]), { code: 'XX001' });
      await assert.rejects(t.query('DELETE FROM cold WHERE id = $1', [120_000]), { code: 'XX001' });
      assert.equal((await t.query('DELETE FROM cold WHERE id = $1', [100_001])).rowCount, 1);
      await assert.rejects(t.query('SELECT sum(id) FROM cold'), { code: 'XX001' });
    } finally {
      await t.end();
    }
  });
});
