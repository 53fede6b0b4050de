/**
 * --unix-socket-dir: the server also listens on <dir>/.s.PGSQL.<port>, as PostgreSQL does.
 * psql and node-pg connect through it and get the same answers as over TCP; an SSLRequest
 * there is answered N even with TLS configured (TCP answers S); a socket file left by a
 * killed server is replaced at the next start.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startTessera, type TesseraServer } from './support/tessera.ts';

let dir: string;
let server: TesseraServer;
let socketFile: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-sock-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  server = await startTessera({ args: ['--unix-socket-dir', dir, '--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem')] });
  socketFile = path.join(dir, `.s.PGSQL.${server.port}`);
});

after(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function psqlLocal(command: string): string {
  return execFileSync('psql', ['-h', dir, '-p', String(server.port), '-U', 'postgres', '-d', 'postgres', '-X', '-A', '-t', '-c', command], { encoding: 'utf8', timeout: 30_000 }).trim();
}

/** The answer to an SSLRequest: one byte, 'S' or 'N'. */
async function sslAnswer(connect: () => net.Socket): Promise<string> {
  const s = connect();
  try {
    const req = Buffer.alloc(8);
    req.writeInt32BE(8, 0);
    req.writeInt32BE(80877103, 4);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('error', reject);
    });
    s.write(req);
    const answer = await new Promise<Buffer>((resolve, reject) => {
      s.once('data', resolve);
      s.once('error', reject);
    });
    return answer.subarray(0, 1).toString('latin1');
  } finally {
    s.destroy();
  }
}

test('psql and node-pg over the Unix-domain socket answer as over TCP', async () => {
  assert.ok(fs.statSync(socketFile).isSocket(), `${socketFile} is a socket`);
  assert.equal(psqlLocal('SELECT 40 + 2'), '42');
  const tcp = new pg.Client({ connectionString: server.url });
  const local = new pg.Client({ host: dir, port: server.port, user: 'postgres', database: 'postgres' });
  await tcp.connect();
  await local.connect();
  try {
    await tcp.query('CREATE EXTENSION IF NOT EXISTS vector');
    await tcp.query('CREATE TABLE sock (id int8 PRIMARY KEY, v vector(3))');
    await local.query("INSERT INTO sock SELECT g, ('[' || g || ',' || (g % 7) || ',1]')::vector FROM generate_series(1, 500) g");
    const q = { text: 'SELECT id, v <-> $1 AS d FROM sock ORDER BY v <-> $1 LIMIT 5', values: ['[250,3,1]'] };
    const [a, b] = [await tcp.query(q), await local.query(q)];
    assert.equal(a.rows.length, 5);
    assert.deepEqual(b.rows, a.rows);
  } finally {
    await tcp.end();
    await local.end();
  }
});

test('an SSLRequest on the Unix-domain socket is answered N; over TCP, with TLS configured, S', async () => {
  assert.equal(await sslAnswer(() => net.connect(server.port, '127.0.0.1')), 'S');
  assert.equal(await sslAnswer(() => net.connect(socketFile)), 'N');
});

test('a socket file left by a killed server is replaced at the next start', async () => {
  await server.kill('SIGKILL');
  assert.ok(fs.existsSync(socketFile), 'SIGKILL leaves the socket file');
  await server.restart();
  assert.equal(psqlLocal('SELECT count(*) FROM sock'), '500');
  await server.stop();
  assert.ok(!fs.existsSync(socketFile), 'a clean stop removes the socket file');
  server = await startTessera({ args: ['--unix-socket-dir', dir] });
  socketFile = path.join(dir, `.s.PGSQL.${server.port}`);
  assert.equal(psqlLocal('SELECT 1'), '1');
});
