/**
 * Test support: run psql's own binary against a server (psql transcripts are compared between
 * Tessera and PostgreSQL 15), and run a list of statements through node-pg.
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';

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
