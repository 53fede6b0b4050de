/**
 * Tiered storage through the wire against a real S3 endpoint (s3rver on a free loopback
 * port): sealed files uploaded after sealing, LRU eviction under a 64 kB cache budget, cold
 * queries after a restart answered from S3, S3 unreachable (cached data still served, cold
 * data 58030 within the bounded time, recovery when S3 returns), S3 down while segments seal
 * (commits acknowledged, uploads converge later), clean shutdown + restore into an empty data
 * directory, and a corrupted object in the bucket detected (XX001). Expected values are
 * computed here from the generated data.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startS3, type S3Server } from './support/s3.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';
import { waitFor } from './support/wait.ts';

const PREFIX = 'db1';
const CACHE = 64 * 1024;

/** Expected aggregates of `INSERT ... SELECT g, g / 4.0, 'row ' || g FROM generate_series(lo, hi) g`. */
function expected(lo: number, hi: number): { n: number; sid: number; slen: number } {
  let sid = 0;
  let slen = 0;
  for (let g = lo; g <= hi; g++) {
    sid += g;
    slen += `row ${g}`.length;
  }
  return { n: hi - lo + 1, sid, slen };
}

async function connect(server: TesseraServer): Promise<pg.Client> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  return c;
}

async function aggregates(c: pg.Client, table: string): Promise<{ n: number; sid: number; slen: number }> {
  const r = await c.query(`SELECT count(*)::int AS n, sum(id)::int8 AS sid, sum(length(s))::int8 AS slen, sum(x) AS sx FROM ${table}`);
  const row = r.rows[0];
  return { n: Number(row.n), sid: Number(row.sid), slen: Number(row.slen) };
}


interface TierRow { table_name: string; object_key: string; kind: string; size_bytes: string; location: string; pending_upload: boolean }

async function tiering(c: pg.Client): Promise<TierRow[]> {
  return (await c.query<TierRow>('SELECT * FROM tessera.tiering')).rows;
}

async function stats(c: pg.Client): Promise<Record<string, number>> {
  const r = await c.query('SELECT * FROM tessera.cache_stats');
  assert.equal(r.rows.length, 1);
  return Object.fromEntries(Object.entries(r.rows[0] as Record<string, unknown>).map(([k, v]) => [k, v === null ? NaN : Number(v)]));
}

function dirBytes(dir: string): number {
  let total = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).size;
  }
  return total;
}

describe('tiered storage on S3 (s3rver)', () => {
  let s3: S3Server;
  let server: TesseraServer;
  let restored: TesseraServer | undefined;
  let c: pg.Client;
  const args = (): string[] => ['--s3-endpoint', s3.endpoint, '--s3-bucket', s3.bucket, '--s3-prefix', PREFIX, '--cache-size', '64kB', '--s3-timeout', '1500'];

  before(async () => {
    s3 = await startS3();
    server = await startTessera({ args: args() });
    c = await connect(server);
  });

  after(async () => {
    await c?.end().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await restored?.stop().catch(() => undefined);
    await s3?.dispose();
  });

  test('sealed files are uploaded; the local cache stays within its budget (LRU eviction)', async () => {
    await c.query('CREATE TABLE b (id bigint, x double precision, s text) WITH (segment_rows = 1000)');
    await c.query("INSERT INTO b SELECT g, g / 4.0, 'row ' || g FROM generate_series(1, 3000) g");
    await c.query('CREATE TABLE a (id bigint, x double precision, s text) WITH (segment_rows = 1000)');
    for (let i = 0; i < 6; i++) await c.query(`INSERT INTO a SELECT g, g / 4.0, 'row ' || g FROM generate_series(${i * 1000 + 1}, ${i * 1000 + 1000}) g`);
    // Every RAW file (seals of 1,024 rows; merges may replace them meanwhile) uploaded, nothing pending.
    let files: string[] = [];
    const rows = await waitFor('uploads', async () => {
      const t = await tiering(c);
      files = (await c.query("SELECT location FROM tessera.table_files WHERE state = 'RAW'")).rows.map((r) => r.location as string);
      const done = new Set(t.filter((r) => !r.pending_upload).map((r) => r.object_key));
      return files.length >= 5 && files.every((f) => done.has(f)) && t.every((r) => !r.pending_upload) && t;
    });
    const inBucket = new Set(s3.keys(`${PREFIX}/`));
    for (const f of files) assert.ok(inBucket.has(`${PREFIX}/${f}`), `${f} uploaded`);
    assert.ok(rows.some((r) => r.location === 'remote'), 'some files evicted to remote only');
    const st = await stats(c);
    assert.ok(st.uploads >= files.length, `uploads ${st.uploads}`);
    assert.ok(st.evictions >= 1, `evictions ${st.evictions}`);
    assert.ok(st.local_bytes <= CACHE, `cache bytes ${st.local_bytes} within ${CACHE}`);
    assert.equal(st.cache_budget_bytes, CACHE);
    // On disk too, once the maintenance writes of the last seals (merges, their temp files) settle.
    await waitFor('objects/ on disk within the budget', async () => dirBytes(path.join(server.dataDir, 'objects')) <= CACHE);
    assert.deepEqual(await aggregates(c, 'a'), expected(1, 6000));
    assert.match(server.output(), /"msg":"uploaded object"/);
    assert.match(server.output(), /"msg":"evicted object from the local cache"/);
  });

  test('after a restart, cold segments are read from S3 and answers are correct', async () => {
    await c.end();
    await server.restart();
    c = await connect(server);
    const before = await stats(c);
    assert.equal(before.misses, 0);
    assert.deepEqual(await aggregates(c, 'a'), expected(1, 6000));
    const st = await stats(c);
    assert.ok(st.misses > 0 && st.range_reads > 0, `misses ${st.misses}, range reads ${st.range_reads}`);
    assert.ok(st.hit_ratio >= 0 && st.hit_ratio < 1);
  });

  test('S3 unreachable: cached data is served, cold data fails with 58030 in bounded time, then recovers', async () => {
    const t = await tiering(c);
    assert.ok(t.some((r) => r.table_name === 'b' && r.kind === 'segment' && r.location === 'remote'), 'b has cold segments');
    await s3.stop();
    try {
      assert.deepEqual(await aggregates(c, 'a'), expected(1, 6000)); // read before: in memory / cache
      const started = Date.now();
      await assert.rejects(aggregates(c, 'b'), (err: { code?: string; message?: string }) => {
        assert.equal(err.code, '58030', err.message);
        assert.match(err.message!, /object storage/);
        return true;
      });
      const ms = Date.now() - started;
      assert.ok(ms >= 500 && ms < 6500, `failed after ${ms} ms (retry budget 1500 ms)`);
    } finally {
      await s3.start();
    }
    assert.deepEqual(await aggregates(c, 'b'), expected(1, 3000));
  });

  test('S3 down while segments seal: commits are acknowledged, uploads converge when S3 returns', async () => {
    await c.query('CREATE TABLE c (id bigint, x double precision, s text) WITH (segment_rows = 1000)');
    await s3.stop();
    try {
      await c.query("INSERT INTO c SELECT g, g / 4.0, 'row ' || g FROM generate_series(1, 2500) g");
      await waitFor('a pending upload', async () => (await stats(c)).pending_uploads > 0);
      assert.ok((await tiering(c)).some((r) => r.table_name === 'c' && r.pending_upload));
      assert.deepEqual(await aggregates(c, 'c'), expected(1, 2500));
    } finally {
      await s3.start();
    }
    await waitFor('uploads to converge', async () => (await stats(c)).pending_uploads === 0 && (await tiering(c)).every((r) => !r.pending_upload), 40_000);
    assert.ok((await tiering(c)).filter((r) => r.table_name === 'c' && r.kind === 'segment').length >= 1);
    await c.query('DELETE FROM a WHERE id <= 10');
  });

  test('clean shutdown uploads everything; an empty data directory restores from the bucket and serves lazily', async () => {
    await c.end();
    await server.stop();
    restored = await startTessera({ args: args() });
    c = await connect(restored);
    assert.match(restored.output(), /restored the catalog from the bucket/);
    const t = await tiering(c);
    // Start-up read metadata and delete files only: no segment is local.
    assert.ok(t.length > 0 && t.filter((r) => r.kind === 'segment').every((r) => r.location === 'remote'), 'no segment local after restore');
    assert.deepEqual(await aggregates(c, 'a'), expected(11, 6000));
    assert.deepEqual(await aggregates(c, 'b'), expected(1, 3000));
    // Rows written while S3 was down (two seals and 452 unsealed rows sealed at shutdown) are all there.
    assert.equal(Number((await c.query('SELECT count(*) FROM c')).rows[0].count), 2500);
    const st = await stats(c);
    assert.ok(st.misses > 0);
  });

  test('a corrupted object in the bucket is detected (XX001), never served', async () => {
    const seg = (await tiering(c)).find((r) => r.table_name === 'c' && r.kind === 'segment' && r.location === 'remote');
    assert.ok(seg, 'a cold segment of c');
    const file = s3.objectFile(`${PREFIX}/${seg.object_key}`);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length * 0.6)]! ^= 0x5a;
    fs.writeFileSync(file, bytes);
    await assert.rejects(c.query('SELECT sum(id), sum(x), sum(length(s)) FROM c'), (err: { code?: string; message?: string }) => {
      assert.equal(err.code, 'XX001', err.message);
      return true;
    });
  });
});
