/**
 * Client test: pgbench (PostgreSQL 15's) with its built-in TPC-B-like script under
 * `-M simple | extended | prepared`, two clients, and a custom script with \set and a vector
 * nearest-neighbour query. The standard schema comes from `pgbench -i -s 1` (DROP/CREATE TABLE
 * WITH (fillfactor), COPY ... FREEZE, VACUUM, ALTER TABLE ADD PRIMARY KEY). After the runs the
 * TPC-B invariants must hold: every committed
 * transaction added one history row and the same delta to one account, teller and branch.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { startTessera, type TesseraServer } from '../support/tessera.ts';

const run = promisify(execFile);
const PGBENCH = '/usr/lib/postgresql/15/bin/pgbench';
const TRANSACTIONS_PER_CLIENT = 60;

describe('pgbench', { skip: fs.existsSync(PGBENCH) ? false : 'pgbench (postgresql-15) is not installed' }, () => {
  let server: TesseraServer;
  let client: pg.Client;
  let dir: string;
  before(async () => {
    server = await startTessera();
    client = new pg.Client(server.url);
    await client.connect();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-pgbench-'));
    const init = await pgbench('-i', '-s', '1');
    assert.match(init, /done in/, init);
  });
  after(async () => {
    await client?.end();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const pgbench = async (...args: string[]): Promise<string> => {
    const env = { ...process.env, PGHOST: server.host, PGPORT: String(server.port), PGUSER: 'postgres', PGDATABASE: 'postgres' };
    const { stdout, stderr } = await run(PGBENCH, args, { env, timeout: 120_000 });
    return `${stdout}\n${stderr}`;
  };

  for (const mode of ['simple', 'extended', 'prepared']) {
    test(`built-in TPC-B-like script, -M ${mode}`, async (t) => {
      const before = Number((await client.query('SELECT count(*) AS n FROM pgbench_history')).rows[0].n);
      const output = await pgbench('-n', '-M', mode, '-c', '2', '-t', String(TRANSACTIONS_PER_CLIENT), '--failures-detailed');
      assert.match(output, new RegExp(`number of transactions actually processed: ${2 * TRANSACTIONS_PER_CLIENT}/${2 * TRANSACTIONS_PER_CLIENT}`), output);
      assert.match(output, /number of failed transactions: 0 /, output);
      t.diagnostic(output.split('\n').filter((l) => l.startsWith('tps') || l.includes('retried')).join('; '));
      const r = await client.query(`SELECT (SELECT count(*) FROM pgbench_history)::int AS history,
        (SELECT sum(delta) FROM pgbench_history)::int8 AS deltas, (SELECT sum(abalance) FROM pgbench_accounts)::int8 AS accounts,
        (SELECT sum(tbalance) FROM pgbench_tellers)::int8 AS tellers, (SELECT sum(bbalance) FROM pgbench_branches)::int8 AS branches`);
      const s = r.rows[0];
      assert.equal(s.history - before, 2 * TRANSACTIONS_PER_CLIENT);
      assert.equal(s.accounts, s.deltas);
      assert.equal(s.tellers, s.deltas);
      assert.equal(s.branches, s.deltas);
    });
  }

  test('two clients without retries, as on PostgreSQL 15 (a concurrent UPDATE of the same row waits and re-checks)', async () => {
    const output = await pgbench('-n', '-M', 'prepared', '-c', '2', '-t', '30');
    assert.match(output, /number of failed transactions: 0 /, output);
  });

  test('custom script with \\set, a transaction and a vector nearest-neighbour query', async () => {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    await client.query('CREATE TABLE bench_vec (id int PRIMARY KEY, v vector(3))');
    await client.query('CREATE INDEX bench_vec_v ON bench_vec USING hnsw (v vector_l2_ops)');
    await client.query(`INSERT INTO bench_vec SELECT g, ARRAY[g % 7, g % 11, g % 13]::real[]::vector FROM generate_series(1, 500) g`);
    const script = path.join(dir, 'custom.sql');
    fs.writeFileSync(script, [
      '\\set id random(1, 500)',
      '\\set x random(0, 6)',
      'BEGIN;',
      "SELECT id FROM bench_vec ORDER BY v <-> ('[' || :x || ',1,2]')::vector LIMIT 5;",
      'UPDATE bench_vec SET v = v WHERE id = :id;',
      'END;',
      '',
    ].join('\n'));
    for (const mode of ['simple', 'extended', 'prepared']) {
      const output = await pgbench('-n', '-M', mode, '-c', '2', '-t', '20', '-f', script);
      assert.match(output, /number of transactions actually processed: 40\/40/, output);
    }
  });
});
