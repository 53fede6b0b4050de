/**
 * Authentication and transport security through the wire: SCRAM-SHA-256 success and
 * failure (28P01, same message for unknown users), TLS negotiated by SSLRequest, cleartext
 * passwords only over TLS, and the refusal to listen beyond loopback without a password.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import postgres from 'postgres';
import { REPO_ROOT, startTessera, type TesseraServer } from './support/tessera.ts';

const PASSWORD = 'correct horse battery staple';

async function query(server: TesseraServer, opts: Partial<pg.ClientConfig>, sql = 'select 1 as x'): Promise<unknown[]> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres', ...opts });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

describe('SCRAM-SHA-256', () => {
  let server: TesseraServer;
  before(async () => {
    process.env.PGPASSWORD = PASSWORD; // for the harness's readiness probe
    server = await startTessera({ env: { TESSERA_PASSWORD: PASSWORD } });
    delete process.env.PGPASSWORD;
  });
  after(async () => server?.stop());

  test('the right password logs in (pg and postgres.js)', async () => {
    assert.deepEqual(await query(server, { password: PASSWORD }), [{ x: 1 }]);
    const sql = postgres({ host: server.host, port: server.port, user: 'postgres', database: 'postgres', password: PASSWORD, max: 1, fetch_types: false });
    try {
      assert.equal((await sql`select 2 as y`)[0]!.y, 2);
    } finally {
      await sql.end();
    }
  });

  test('a wrong password fails with 28P01', async () => {
    await assert.rejects(query(server, { password: 'wrong' }), {
      code: '28P01',
      message: 'password authentication failed for user "postgres"',
    });
  });

  test('an unknown user fails exactly like a wrong password', async () => {
    await assert.rejects(query(server, { user: 'mallory', database: 'postgres', password: PASSWORD }), {
      code: '28P01',
      message: 'password authentication failed for user "mallory"',
    });
  });

  test('psql logs in with PGPASSWORD', () => {
    const out = execFileSync('psql', ['-X', '-At', '-h', server.host, '-p', String(server.port), '-U', 'postgres', '-d', 'postgres', '-c', 'select 40 + 2'], {
      env: { ...process.env, PGPASSWORD: PASSWORD },
      encoding: 'utf8',
    });
    assert.equal(out.trim(), '42');
  });
});

describe('TLS', () => {
  let server: TesseraServer;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], {
      stdio: 'ignore',
    });
    // The harness's readiness probe reads these, like any libpq-style client.
    process.env.PGPASSWORD = PASSWORD;
    process.env.PGSSLMODE = 'no-verify';
    try {
      server = await startTessera({
        args: ['--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem'), '--auth', 'password'],
        env: { TESSERA_PASSWORD: PASSWORD },
      });
    } finally {
      delete process.env.PGPASSWORD;
      delete process.env.PGSSLMODE;
    }
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('SSLRequest upgrades the connection and a cleartext password is accepted over TLS', async () => {
    const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres', password: PASSWORD, ssl: { rejectUnauthorized: false } });
    await c.connect();
    try {
      assert.equal((c as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream.encrypted, true);
      assert.deepEqual((await c.query('select 1 as x')).rows, [{ x: 1 }]);
    } finally {
      await c.end();
    }
  });

  test('a 2 MB CopyData message over TLS (arriving as TLS records) stores every row', async () => {
    const sql = postgres({ host: server.host, port: server.port, user: 'postgres', database: 'postgres', password: PASSWORD, ssl: { rejectUnauthorized: false }, max: 1, fetch_types: false, onnotice: () => {} });
    try {
      await sql.unsafe('CREATE TABLE tls_copy (id int8, label text)');
      const n = 40_000;
      const data = Buffer.from(Array.from({ length: n }, (_, i) => `${i + 1}\tlabel ${i + 1} ${'é'.repeat(i % 9)}${'z'.repeat(i % 41)}\n`).join(''));
      const w = await sql`COPY tls_copy FROM STDIN`.writable();
      await new Promise<void>((resolve, reject) => {
        w.once('error', reject);
        w.once('finish', resolve);
        w.end(data); // one write: one CopyData message, split by TLS into records
      });
      const [r] = await sql.unsafe<{ n: string; s: string; l: string }[]>('SELECT count(*) AS n, sum(id) AS s, sum(length(label)) AS l FROM tls_copy');
      let labels = 0;
      for (let i = 0; i < n; i++) labels += `label ${i + 1} `.length + (i % 9) + (i % 41);
      assert.deepEqual([Number(r!.n), Number(r!.s), Number(r!.l)], [n, (n * (n + 1)) / 2, labels]);
    } finally {
      await sql.end();
    }
  });

  test('cleartext password without TLS is refused', async () => {
    await assert.rejects(query(server, { password: PASSWORD, ssl: false }), { code: '28000' });
  });
});

describe('listening beyond loopback', () => {
  test('is refused without a password', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--host', '0.0.0.0', '--port', '0', '--data', os.tmpdir()], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, TESSERA_PASSWORD: '' },
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /requires a password/);
  });
});
