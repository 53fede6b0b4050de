/**
 * Client test: ruby-pg (Debian's ruby-pg). ruby_pg_client.rb (binary int8 parameters, binary
 * result format, exec_prepared, transactions, errors, COPY both ways, introspection) runs against
 * Tessera and PostgreSQL 15 and the transcripts must be equal; the vector part (hnsw index,
 * nearest neighbours with binary results) against Tessera, checked against brute force.
 * Skipped where ruby-pg is not installed.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/tessera.ts';
import { assertSameAsPostgres, makeVectors, nearestL2, startServers, type Servers } from './support.ts';

const run = promisify(execFile);
const SCRIPT = path.join(REPO_ROOT, 'test', 'clients', 'ruby_pg_client.rb');

function rubyPgInstalled(): boolean {
  try {
    execFileSync('ruby', ['-e', 'require "pg"'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function ruby(...args: string[]): Promise<unknown> {
  const { stdout } = await run('ruby', [SCRIPT, ...args], { timeout: 60_000, maxBuffer: 16 << 20 });
  return JSON.parse(stdout);
}

describe('ruby-pg client', { skip: rubyPgInstalled() ? false : 'ruby-pg is not installed' }, () => {
  let servers: Servers;
  before(async () => {
    servers = await startServers();
  });
  after(async () => {
    await servers?.stop();
  });

  test('binary parameters and results, COPY, transactions and errors as on PostgreSQL 15', async (t) => {
    const got = (await ruby(servers.tessera.url, 'scenario')) as unknown[];
    assert.ok(got.length === 15, 'every step reported');
    await assertSameAsPostgres(t, servers, got, async (url) => (await ruby(url, 'scenario')) as unknown[]);
  });

  test('a vector column with an hnsw index', async () => {
    const rows = makeVectors(30, 3, 23).map((v, i) => ({ id: i + 1, v }));
    const q = [3, 0, -2];
    assert.deepEqual(await ruby(servers.tessera.url, 'vector', JSON.stringify(rows), JSON.stringify(q)), nearestL2(rows, q, 5));
  });
});
