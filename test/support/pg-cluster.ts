/**
 * Test support: a private, throw-away PostgreSQL 15 cluster (the oracle). initdb in a temp
 * dir, started on a free loopback port with fsync off, TimeZone UTC, locale C. PostgreSQL
 * refuses to run as root, so as root the cluster runs as the `postgres` OS user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.ts';

const PG_BIN = process.env.TESSERA_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PgCluster {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** A connection string for pg / postgres.js. */
  readonly url: string;
  stop(): Promise<void>;
}

function asPgUser(): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
}

function run(argv: string[]): void {
  const prefix = asPgUser();
  const full = [...prefix, ...argv];
  const res = spawnSync(full[0]!, full.slice(1), { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${argv.join(' ')} failed: ${res.stderr || res.stdout}`);
}

/** True when the PostgreSQL binaries are installed here. */
export function postgresAvailable(): boolean {
  return fs.existsSync(path.join(PG_BIN, 'postgres'));
}

/** Starts a fresh cluster; call stop() when done (it also removes the directory). */
export async function startPostgres(): Promise<PgCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-pg-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  const dataDir = path.join(dir, 'data');
  run([path.join(PG_BIN, 'initdb'), '-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c TimeZone=UTC -c max_connections=100`;
  run([path.join(PG_BIN, 'pg_ctl'), '-D', dataDir, '-o', opts, '-l', path.join(dir, 'log'), '-w', 'start']);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      run([path.join(PG_BIN, 'pg_ctl'), '-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  return { host: '127.0.0.1', port, user: 'postgres', database: 'postgres', url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}
