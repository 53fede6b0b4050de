/**
 * The WAL is opened O_DSYNC when fsync is on (every write is durable when it returns, as
 * PostgreSQL's wal_sync_method = open_datasync), and without it when fsync is off: read from
 * the running server's open file flags (/proc/<pid>/fdinfo), after a commit through the wire.
 */
import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import fs from 'node:fs';
import { test } from 'node:test';
import postgres from 'postgres';
import { startTessera } from '../support/tessera.ts';

/** The open flags of the server's WAL file descriptors. */
function walFlags(pid: number): number[] {
  const out: number[] = [];
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let target = '';
    try {
      target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (!target.endsWith('.wal')) continue;
    const flags = /flags:\s*([0-7]+)/.exec(fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
    if (flags !== undefined) out.push(parseInt(flags, 8));
  }
  return out;
}

for (const fsync of ['on', 'off']) {
  test(`fsync ${fsync}: the WAL is ${fsync === 'on' ? '' : 'not '}opened O_DSYNC`, { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    const server = await startTessera({ args: ['--fsync', fsync] });
    const sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
    try {
      await sql.unsafe('CREATE TABLE t (id int)');
      await sql.unsafe('INSERT INTO t VALUES (1)');
      const flags = walFlags(server.pid);
      assert.ok(flags.length > 0, 'the server holds a WAL file open');
      for (const f of flags) assert.equal((f & constants.O_DSYNC) !== 0, fsync === 'on', `flags ${f.toString(8)}`);
    } finally {
      await sql.end();
      await server.stop();
    }
  });
}
