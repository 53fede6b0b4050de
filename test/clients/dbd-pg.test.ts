/**
 * Client test: DBD::Pg (Debian's libdbd-pg-perl). dbd_pg_client.pl (server-prepared statements
 * with placeholders, RETURNING, transactions, errors, DBI's table_info / column_info /
 * primary_key) runs against Tessera and PostgreSQL 15 and the transcripts must be equal; the
 * vector part (hnsw index, nearest neighbours) against Tessera, checked against brute force.
 * Skipped where libdbd-pg-perl is not installed.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/tessera.ts';
import { assertSameTranscript, makeVectors, nearestL2, startServers, type Servers } from './support.ts';

const run = promisify(execFile);
const SCRIPT = path.join(REPO_ROOT, 'test', 'clients', 'dbd_pg_client.pl');

function dbdPgInstalled(): boolean {
  try {
    execFileSync('perl', ['-MDBD::Pg', '-e', '1'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function perl(...args: string[]): Promise<unknown> {
  const { stdout } = await run('perl', [SCRIPT, ...args], { timeout: 60_000, maxBuffer: 16 << 20 });
  return JSON.parse(stdout);
}

describe('DBD::Pg client', { skip: dbdPgInstalled() ? false : 'libdbd-pg-perl is not installed' }, () => {
  let servers: Servers;
  before(async () => {
    servers = await startServers();
  });
  after(async () => {
    await servers?.stop();
  });

  /** The scenario's steps on Tessera and on PostgreSQL 15 (null without it). */
  let got: { label: string; value: unknown }[];
  let want: { label: string; value: unknown }[] | null;
  const KNOWN_GAP = 'table_info';

  test('prepared statements, transactions, errors and DBI catalog methods as on PostgreSQL 15', async (t) => {
    got = (await perl(servers.tessera.url, 'scenario')) as typeof got;
    assert.equal(got.length, 20, 'every step reported');
    want = servers.pg === null ? null : ((await perl(servers.pg.url, 'scenario')) as typeof got);
    if (want === null) {
      t.diagnostic('PostgreSQL 15 not installed: transcript not compared');
      return;
    }
    assertSameTranscript(got.filter((s) => s.label !== KNOWN_GAP), want.filter((s) => s.label !== KNOWN_GAP));
  });

  test('DBI table_info as on PostgreSQL 15', () => {
    assert.ok(want !== null && got !== undefined);
    assert.deepEqual(got.find((s) => s.label === KNOWN_GAP), want.find((s) => s.label === KNOWN_GAP));
  });

  test('a vector column with an hnsw index', async () => {
    const rows = makeVectors(30, 3, 23).map((v, i) => ({ id: i + 1, v }));
    const q = [3, 0, -2];
    assert.deepEqual(await perl(servers.tessera.url, 'vector', JSON.stringify(rows), JSON.stringify(q)), nearestL2(rows, q, 5));
  });
});
