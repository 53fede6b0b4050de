/**
 * Client test: pgcli (Debian's pgcli 3.5 over psycopg 3, run by /usr/bin/python3). pgcli_client.py
 * runs statements through pgcli's own PGExecute.run, its completion refresher's catalog queries
 * (schemata, tables, views, columns, functions, datatypes, search_path, databases) and
 * backslash commands through pgspecial (\dt, \d, \di, \dn); the transcript must equal
 * PostgreSQL 15's. Skipped where pgcli is not installed.
 */
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { REPO_ROOT } from '../support/tessera.ts';
import { assertSameAsPostgres, startServers, type Servers } from './support.ts';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(REPO_ROOT, 'test', 'clients', 'pgcli_client.py');

function pgcliInstalled(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import pgcli.pgexecute, pgspecial'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function pgcli(url: string): Promise<unknown[]> {
  const { stdout } = await run(PYTHON, [SCRIPT, url.replace(/^postgres:\/\//, 'postgresql://')], { timeout: 60_000, maxBuffer: 16 << 20 });
  return JSON.parse(stdout) as unknown[];
}

describe('pgcli client', { skip: pgcliInstalled() ? false : 'pgcli is not installed' }, () => {
  let servers: Servers;
  before(async () => {
    servers = await startServers();
  });
  after(async () => {
    await servers?.stop();
  });

  test('completion queries and backslash commands as on PostgreSQL 15', async (t) => {
    const got = await pgcli(servers.tessera.url);
    assert.equal(got.length, 17, 'every step reported');
    await assertSameAsPostgres(t, servers, got, async (url) => (await pgcli(url)) as unknown[]);
  });
});
