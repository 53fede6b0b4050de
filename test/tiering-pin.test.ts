/**
 * Tiered storage: pinning and options. ALTER TABLE ... SET (tier = 'hot') keeps a table's
 * files in the local cache while other tables are evicted under a small budget; after a
 * restore into an empty data directory the pinned table is warmed up (fetched) by itself.
 * Unknown tier values and options are rejected like PostgreSQL (22023). Flag parsing of
 * --s3-* / --cache-size and their TESSERA_* variables.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { ConfigError, parseConfig } from '../src/server/config.ts';
import { startS3, type S3Server } from './support/s3.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';
import { waitFor } from './support/wait.ts';


describe('tier = hot pins a table in the local cache', () => {
  let s3: S3Server;
  let server: TesseraServer;
  let restored: TesseraServer | undefined;
  let c: pg.Client;
  const args = (): string[] => ['--s3-endpoint', s3.endpoint, '--s3-bucket', s3.bucket, '--s3-prefix', 'pin', '--cache-size', '64kB'];
  const connect = async (s: TesseraServer): Promise<pg.Client> => {
    const client = new pg.Client({ host: s.host, port: s.port, user: 'postgres', database: 'postgres' });
    await client.connect();
    return client;
  };
  const segments = async (table: string): Promise<string[]> =>
    (await c.query("SELECT location FROM tessera.tiering WHERE table_name = $1 AND kind = 'segment'", [table])).rows.map((r) => r.location as string);

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

  test('bad tier values and unknown options are rejected', async () => {
    await c.query('CREATE TABLE h (id bigint, s text) WITH (segment_rows = 1000)');
    for (const [q, code, msg] of [
      ["ALTER TABLE h SET (tier = 'warm')", '22023', /invalid value for parameter "tier": "warm"/],
      ['ALTER TABLE h SET (colour = 1)', '22023', /unrecognized parameter "colour"/],
      ["CREATE TABLE h2 (id int) WITH (tier = 'cold')", '22023', /invalid value for parameter "tier"/],
    ] as const) {
      await assert.rejects(c.query(q), (err: { code?: string; message?: string }) => {
        assert.equal(err.code, code, q);
        assert.match(err.message!, msg);
        return true;
      });
    }
  });

  test('a hot table stays local while others are evicted; it is warmed up after a restore', async () => {
    await c.query("ALTER TABLE h SET (tier = 'hot')");
    await c.query("INSERT INTO h SELECT g, 'hot row ' || g FROM generate_series(1, 2100) g");
    await c.query('CREATE TABLE cold (id bigint, s text) WITH (segment_rows = 1000)');
    for (let i = 0; i < 5; i++) await c.query(`INSERT INTO cold SELECT g, 'cold row ' || g FROM generate_series(${i * 1000 + 1}, ${i * 1000 + 1000}) g`);
    await waitFor('uploads', async () => Number((await c.query('SELECT pending_uploads FROM tessera.cache_stats')).rows[0].pending_uploads) === 0
      && (await segments('cold')).length >= 4 && (await segments('h')).length >= 2);
    assert.ok((await segments('h')).every((l) => l === 'both'), 'pinned segments stay local');
    assert.ok((await segments('cold')).some((l) => l === 'remote'), 'others evicted');
    assert.ok(Number((await c.query('SELECT evictions FROM tessera.cache_stats')).rows[0].evictions) > 0);

    await c.end();
    await server.stop();
    restored = await startTessera({ args: args() });
    c = await connect(restored);
    await waitFor('warm-up of the pinned table', async () => (await segments('h')).every((l) => l === 'both'));
    assert.ok((await segments('cold')).every((l) => l === 'remote'), 'unpinned tables stay cold');
    const r = await c.query('SELECT count(*)::int AS n, sum(id)::int8 AS s FROM h');
    assert.deepEqual([r.rows[0].n, Number(r.rows[0].s)], [2100, (2100 * 2101) / 2]);
    await c.query("ALTER TABLE h RESET (tier)");
  });
});

describe('tiering flags', () => {
  test('--s3-* flags, env and --cache-size units', () => {
    const cfg = parseConfig(['--s3-endpoint', 'http://127.0.0.1:9000', '--s3-bucket', 'b', '--s3-prefix', '/x/y/', '--cache-size', '64MB'], {});
    assert.ok(cfg !== 'help');
    assert.deepEqual(cfg.tiering, { endpoint: 'http://127.0.0.1:9000', bucket: 'b', prefix: 'x/y', cacheBytes: 64 * 1024 * 1024, timeoutMs: 10_000 });
    const env = parseConfig([], { TESSERA_S3_BUCKET: 'e', TESSERA_CACHE_SIZE: '1.5GB', TESSERA_S3_TIMEOUT: '2500' });
    assert.ok(env !== 'help');
    assert.deepEqual(env.tiering, { endpoint: null, bucket: 'e', prefix: '', cacheBytes: 1.5 * 1024 ** 3, timeoutMs: 2500 });
    const none = parseConfig([], {});
    assert.ok(none !== 'help');
    assert.equal(none.tiering, null);
    assert.throws(() => parseConfig(['--s3-endpoint', 'http://h:1'], {}), ConfigError);
    assert.throws(() => parseConfig(['--s3-bucket', 'b', '--cache-size', 'lots'], {}), /--cache-size must be a size/);
    assert.throws(() => parseConfig(['--s3-bucket', 'b', '--s3-endpoint', 'ftp://x'], {}), /http/);
  });
});
