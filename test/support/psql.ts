/**
 * Test support: run psql's own binary against a server (psql transcripts are compared between
 * Tessera and PostgreSQL 15), run a list of statements through node-pg, and the parity suite
 * both comparisons share (psqlParity).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startPostgres, type PgCluster } from './pg-cluster.ts';
import { startTessera, type TesseraServer } from './tessera.ts';

/** psql -X -c `command` (stdin from `input`); a failing run returns its output under "ERROR OUTPUT". */
export function psql(url: string, command: string, input?: string): string {
  try {
    return execFileSync('psql', [url, '-X', '-c', command], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    return `ERROR OUTPUT\n${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
}

/** Runs the statements in order on one connection (the first error rejects). */
export async function runStatements(url: string, statements: readonly string[]): Promise<void> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

/** The servers of a psqlParity() suite (set once its before() has run). */
export interface PsqlParity {
  tessera: TesseraServer;
  postgres: PgCluster;
}

/**
 * Inside a describe(): starts Tessera and a private PostgreSQL 15, runs `ddl` on both, and adds
 * one test per psql command asserting that Tessera prints what PostgreSQL prints (server ports
 * masked, as \conninfo shows them).
 */
export function psqlParity(ddl: readonly string[], commands: readonly string[]): PsqlParity {
  const servers = {} as PsqlParity;
  const mask = (out: string): string => out.replace(/port "\d+"/g, 'port "N"');
  before(async () => {
    [servers.tessera, servers.postgres] = await Promise.all([startTessera(), startPostgres()]);
    await Promise.all([runStatements(servers.tessera.url, ddl), runStatements(servers.postgres.url, ddl)]);
  });
  after(async () => {
    await Promise.all([servers.tessera?.stop(), servers.postgres?.stop()]);
  });
  for (const command of commands) {
    test(`${command} prints what PostgreSQL prints`, () => {
      assert.equal(mask(psql(servers.tessera.url, command)), mask(psql(servers.postgres.url, command)));
    });
  }
  return servers;
}
