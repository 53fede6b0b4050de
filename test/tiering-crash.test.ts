/**
 * Tiered storage, crash while S3 is away: rows committed and sealed while s3rver is stopped,
 * then the server is killed (SIGKILL) and restarted while S3 is still down (it opens and
 * serves from the cache and WAL). When S3 returns, the uploads left pending in the ledger
 * (re-queued at start-up) converge; a clean shutdown and a restore into an
 * empty data directory then hold every acknowledged row. Expected values computed here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startS3, type S3Server } from './support/s3.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';
import { waitFor } from './support/wait.ts';


describe('tiered storage: crash while S3 is unreachable', () => {
  let s3: S3Server;
  let server: TesseraServer;
  let restored: TesseraServer | undefined;
  const args = (): string[] => ['--s3-endpoint', s3.endpoint, '--s3-bucket', s3.bucket, '--s3-prefix', 'crash', '--s3-timeout', '1000'];
  const connect = async (s: TesseraServer): Promise<pg.Client> => {
    const c = new pg.Client({ host: s.host, port: s.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    return c;
  };
  const check = async (c: pg.Client): Promise<void> => {
    const r = await c.query('SELECT count(*)::int AS n, sum(id)::int8 AS s, sum(length(t))::int8 AS l FROM k');
    let l = 0;
    for (let g = 1; g <= 2500; g++) l += `k${g}`.length;
    assert.deepEqual([r.rows[0].n, Number(r.rows[0].s), Number(r.rows[0].l)], [2500, (2500 * 2501) / 2, l]);
  };

  before(async () => {
    s3 = await startS3();
    server = await startTessera({ args: args() });
  });
  after(async () => {
    await server?.stop().catch(() => undefined);
    await restored?.stop().catch(() => undefined);
    await s3?.dispose();
  });

  test('pending uploads survive SIGKILL and converge after restart; restore holds every row', async () => {
    let c = await connect(server);
    await c.query('CREATE TABLE k (id bigint, t text) WITH (segment_rows = 1000)');
    await waitFor('catalog snapshot', async () => Number((await c.query('SELECT snapshots FROM tessera.cache_stats')).rows[0].snapshots) > 0);
    await s3.stop();
    await c.query("INSERT INTO k SELECT g, 'k' || g FROM generate_series(1, 2500) g");
    await waitFor('sealed files pending upload', async () =>
      (await c.query("SELECT count(*)::int AS n FROM tessera.tiering WHERE table_name = 'k' AND pending_upload")).rows[0].n >= 2);
    await c.end().catch(() => undefined);
    await server.kill('SIGKILL');

    // Start-up with S3 still down: the local database opens and serves (cache + WAL).
    await server.restart();
    c = await connect(server);
    await check(c);
    await s3.start();
    await waitFor('uploads to converge', async () => {
      const r = await c.query('SELECT count(*) FILTER (WHERE pending_upload)::int AS p, count(*)::int AS n FROM tessera.tiering');
      return r.rows[0].n >= 2 && r.rows[0].p === 0;
    });
    await c.end();
    await server.stop();

    restored = await startTessera({ args: args() });
    c = await connect(restored);
    assert.match(restored.output(), /restored the catalog from the bucket/);
    await check(c);
    await c.end();
  });
});
