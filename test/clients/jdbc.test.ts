/**
 * Client test: pgJDBC (Debian's libpostgresql-jdbc-java) with the installed Java. javac compiles
 * jdbc/JdbcClient.java at test time; its scenario (extended protocol only, named statements
 * with binary parameters and results after prepareThreshold, setFetchSize portals, batches,
 * rollback, errors, DatabaseMetaData getTables/getColumns/getPrimaryKeys/getIndexInfo) runs
 * against Tessera and PostgreSQL 15 and the transcripts must be equal; the vector part against
 * Tessera, checked against brute force. Skipped where Java or the driver is not installed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/tessera.ts';
import { assertSameAsPostgres, makeVectors, nearestL2, startServers, type Servers } from './support.ts';

const run = promisify(execFile);
const DRIVER = '/usr/share/java/postgresql.jar';
const SOURCE = path.join(REPO_ROOT, 'test', 'clients', 'jdbc', 'JdbcClient.java');
const available = fs.existsSync(DRIVER) && fs.existsSync('/usr/bin/javac');

/** The JDBC URL of a `postgres://user@host:port/db` URL; prepareThreshold=2 switches to named statements early. */
const jdbcUrl = (url: string): string => {
  const u = new URL(url);
  return `jdbc:postgresql://${u.hostname}:${u.port}${u.pathname}?user=${u.username}&prepareThreshold=2&sslmode=disable`;
};

describe('pgJDBC client', { skip: available ? false : 'Java or libpostgresql-jdbc-java is not installed' }, () => {
  let servers: Servers;
  let classes: string;
  before(async () => {
    classes = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-jdbc-'));
    const [s] = await Promise.all([startServers(), run('/usr/bin/javac', ['-cp', DRIVER, '-d', classes, SOURCE], { timeout: 120_000 })]);
    servers = s;
  });
  after(async () => {
    await servers?.stop();
    if (classes) fs.rmSync(classes, { recursive: true, force: true });
  });

  const java = async (...args: string[]): Promise<unknown[]> => {
    const { stdout } = await run('/usr/bin/java', ['-cp', `${classes}:${DRIVER}`, 'JdbcClient', ...args], { timeout: 60_000, maxBuffer: 16 << 20 });
    return JSON.parse(stdout) as unknown[];
  };

  test('extended protocol, binary after prepareThreshold, metadata as on PostgreSQL 15', async (t) => {
    const got = await java(jdbcUrl(servers.tessera.url), 'scenario');
    assert.ok(got.length >= 20, 'every step reported');
    await assertSameAsPostgres(t, servers, got, async (url) => (await java(jdbcUrl(url), 'scenario')) as unknown[]);
  });

  test('a vector column with an hnsw index', async () => {
    const rows = makeVectors(30, 3, 17).map((v, i) => ({ id: i + 1, v }));
    const q = [0.5, -0.5, 1];
    const [ids] = await java(jdbcUrl(servers.tessera.url), 'vector', JSON.stringify(rows), JSON.stringify(q));
    assert.deepEqual(ids, nearestL2(rows, q, 5));
  });
});
