/**
 * Client tests' support: starts one Tessera and, where PostgreSQL 15 is installed, one private
 * PG 15 cluster (the oracle), so a client scenario can run against both and its transcripts be
 * compared; plus the brute-force nearest-neighbour oracle for the vector parts (PG here has no
 * pgvector) and value normalisation for transcripts.
 */
import assert from 'node:assert/strict';
import { startPostgres, postgresAvailable, type PgCluster } from '../support/pg-cluster.ts';
import { startTessera, type TesseraServer } from '../support/tessera.ts';

export interface Servers {
  tessera: TesseraServer;
  /** null when PostgreSQL 15 is not installed: the tests then check Tessera alone. */
  pg: PgCluster | null;
  stop(): Promise<void>;
}

/** Starts Tessera and (if installed) PostgreSQL 15 side by side. */
export async function startServers(opts: { withPostgres?: boolean } = {}): Promise<Servers> {
  const wantPg = opts.withPostgres !== false && postgresAvailable();
  const [tessera, pg] = await Promise.all([startTessera(), wantPg ? startPostgres() : Promise.resolve(null)]);
  return {
    tessera,
    pg,
    async stop() {
      await Promise.allSettled([tessera.stop(), pg?.stop()]);
    },
  };
}

/** Makes driver values comparable as JSON: Buffers as hex, Dates as ISO, bigint as text. */
export function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = plain(v);
    return out;
  }
  return value;
}

/** Deterministic pseudo-random vectors (a fixed LCG), so runs are reproducible. */
export function makeVectors(count: number, dim: number, seed = 7): number[][] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.round((s / 2 ** 32) * 2000 - 1000) / 100; // two decimals: exact in float4 text round trips
  };
  return Array.from({ length: count }, () => Array.from({ length: dim }, next));
}

/** The ids of the k nearest rows by L2 distance (float4 arithmetic like pgvector), ties by id. */
export function nearestL2(rows: { id: number; v: number[] }[], q: number[], k: number): number[] {
  const f = Math.fround;
  const dist = (v: number[]): number => {
    let sum = 0;
    for (let i = 0; i < v.length; i++) {
      const d = f(f(v[i]!) - f(q[i]!));
      sum = f(sum + f(d * d));
    }
    return Math.sqrt(sum);
  };
  return rows
    .map((r) => ({ id: r.id, d: dist(r.v) }))
    .sort((a, b) => a.d - b.d || a.id - b.id)
    .slice(0, k)
    .map((r) => r.id);
}

/** pgvector's binary `vector` format: int16 dim, int16 unused, then dim float4 (big-endian). */
export function vectorFromBinary(buf: Buffer): number[] {
  const dim = buf.readInt16BE(0);
  return Array.from({ length: dim }, (_, i) => buf.readFloatBE(4 + 4 * i));
}

/** Asserts two scenario transcripts are equal, listing every differing step (not just the first). */
export function assertSameTranscript(got: readonly unknown[], want: readonly unknown[]): void {
  const diffs: string[] = [];
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    try {
      assert.deepEqual(got[i], want[i]);
    } catch (e) {
      diffs.push((e as Error).message);
    }
  }
  if (diffs.length > 0) assert.fail(`${diffs.length} step(s) differ from PostgreSQL 15 (+ Tessera, - PostgreSQL):\n${diffs.join('\n-----\n')}`);
}

/**
 * Compares Tessera's transcript with the same scenario run against PostgreSQL 15 (`run` given
 * its URL); notes it as a diagnostic when PostgreSQL is not installed here.
 */
export async function assertSameAsPostgres(
  t: { diagnostic(message: string): void },
  servers: Servers,
  got: readonly unknown[],
  run: (url: string) => Promise<readonly unknown[]>,
): Promise<void> {
  if (servers.pg === null) {
    t.diagnostic('PostgreSQL 15 not installed: transcript not compared');
    return;
  }
  assertSameTranscript(got, await run(servers.pg.url));
}
