/**
 * Client test: psycopg2 (Debian's python3-psycopg2, run by /usr/bin/python3). The scenario in
 * psycopg2_client.py (simple protocol, named server-side cursors, COPY both ways, cancel,
 * rollback, errors, catalog introspection) runs against Tessera and PostgreSQL 15 and the
 * transcripts must be equal; the vector part (hnsw index, nearest neighbours) against Tessera,
 * checked against brute force. Skipped where python3-psycopg2 is not installed.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/tessera.ts';
import { assertSameAsPostgres, makeVectors, nearestL2, startServers, type Servers } from './support.ts';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(REPO_ROOT, 'test', 'clients', 'psycopg2_client.py');

function psycopg2Installed(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import psycopg2'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function python(...args: string[]): Promise<unknown> {
  const { stdout } = await run(PYTHON, [SCRIPT, ...args], { timeout: 60_000, maxBuffer: 16 << 20 });
  return JSON.parse(stdout);
}

const dsn = (url: string): string => url.replace(/^postgres:\/\//, 'postgresql://');

describe('psycopg2 client', { skip: psycopg2Installed() ? false : 'python3-psycopg2 is not installed' }, () => {
  let servers: Servers;
  before(async () => {
    servers = await startServers();
  });
  after(async () => {
    await servers?.stop();
  });

  test('simple protocol, named cursors, COPY, cancel and errors as on PostgreSQL 15', async (t) => {
    const got = (await python(dsn(servers.tessera.url), 'scenario')) as unknown[];
    assert.ok(got.length === 24, 'every step reported');
    assert.deepEqual(got.find((s) => (s as { label: string }).label === 'cancel'), { label: 'cancel', value: { code: '57014', constraint: null, message: 'canceling statement due to user request' } });
    await assertSameAsPostgres(t, servers, got, async (url) => (await python(dsn(url), 'scenario')) as unknown[]);
  });

  test('a vector column with an hnsw index', async () => {
    const rows = makeVectors(40, 3, 21).map((v, i) => ({ id: i + 1, v }));
    const q = [-1, 2, 0.25];
    const ids = await python(dsn(servers.tessera.url), 'vector', JSON.stringify(rows), JSON.stringify(q));
    assert.deepEqual(ids, nearestL2(rows, q, 5));
  });
});
