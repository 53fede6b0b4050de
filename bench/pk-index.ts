/**
 * Bench: the primary-key index (issue 6) on Tessera beside a real PostgreSQL 15 table with a
 * primary key, same statements on both: `(id bigint PRIMARY KEY, v bigint)`.
 *   1. upsert N fresh keys: `INSERT ... VALUES (1,000 rows) ON CONFLICT (id) DO UPDATE SET v = excluded.v`
 *   2. upsert existing keys (the update path), same statement shape, `--update-rows` rows
 *   3. point lookups, prepared, sequential: `SELECT v FROM pk WHERE id = $1` (p50/p99; capped
 *      at `--lookup-seconds`) and the index probe `INSERT ... VALUES ($1, 0) ON CONFLICT DO NOTHING`
 *   4. delete by key: `DELETE FROM pk WHERE id IN (1,000 keys)` and prepared `DELETE ... WHERE id = $1`
 *   5. disk per key (Tessera: pkindex.db; PostgreSQL: pg_relation_size of the pkey index) and
 *      Tessera's server RSS growth per key.
 * Both without durability (Tessera --fsync off; the private cluster runs fsync=off,
 * synchronous_commit=off), so the numbers compare the engines, not the disks.
 * Usage: npx tsx bench/pk-index.ts [--rows 1000000] [--update-rows 100000] [--lookups 2000]
 *          [--delete-rows 100000] [--single-deletes 2000] [--lookup-seconds 20] [--only postgres|tessera]
 *          [--tessera-url URL --tessera-data DIR --tessera-pid PID]  (use a running server, e.g. under --cpu-prof)
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { postgresAvailable, startPostgres } from '../test/support/pg-cluster.ts';
import { startTessera } from '../test/support/tessera.ts';
import { fmt, median } from './stats.ts';

const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'update-rows': { type: 'string', default: '100000' },
    lookups: { type: 'string', default: '2000' },
    'lookup-seconds': { type: 'string', default: '20' },
    'delete-rows': { type: 'string', default: '100000' },
    'single-deletes': { type: 'string', default: '2000' },
    only: { type: 'string' },
    // Drive an already running Tessera (e.g. one started under `node --cpu-prof`) instead of starting one.
    'tessera-url': { type: 'string' },
    'tessera-data': { type: 'string' },
    'tessera-pid': { type: 'string' },
  },
});
const N = Number(opts.rows);
const UPDATE_ROWS = Math.min(N, Number(opts['update-rows']));
const LOOKUPS = Number(opts.lookups);
const LOOKUP_SECONDS = Number(opts['lookup-seconds']);
const DELETE_ROWS = Math.min(N, Number(opts['delete-rows']));
const SINGLE_DELETES = Number(opts['single-deletes']);
const BATCH = 1000;

interface Result {
  upsertInsertRowsPerSec: number;
  upsertUpdateRowsPerSec: number;
  /** Medians of the per-statement rates (1,000 rows each): less swayed by pauses and other load. */
  upsertInsertMedian: number;
  upsertUpdateMedian: number;
  deleteBatchMedian: number;
  selectP50Ms: number | undefined;
  selectP99Ms: number | undefined;
  selectDone: number;
  probeP50Ms: number;
  probeP99Ms: number;
  deleteBatchRowsPerSec: number;
  deleteSingleRowsPerSec: number;
  diskBytesPerKey: number;
  /** Everything the table takes on disk (Tessera: the whole data dir; PostgreSQL: pg_total_relation_size). */
  totalDiskBytesPerKey: number;
  rssBytesPerKey: number | undefined;
}

/** Deterministic key permutation so inserts do not arrive in key order (multiplicative hash mod 2^40). */
const keyOf = (i: number): bigint => (BigInt(i) * 0x9e3779b1n) % (1n << 40n);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
}

function rssBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Rows/s over the whole range and the median of the per-statement rates. */
async function upsertRange(c: pg.Client, from: number, to: number, v: number, log: (s: string) => void): Promise<{ overall: number; median: number }> {
  const t0 = performance.now();
  const rates: number[] = [];
  let lastLog = t0;
  for (let i = from; i < to; i += BATCH) {
    const rows: string[] = [];
    for (let j = i; j < Math.min(to, i + BATCH); j++) rows.push(`(${keyOf(j)},${v})`);
    const t = performance.now();
    await c.query(`INSERT INTO pk VALUES ${rows.join(',')} ON CONFLICT (id) DO UPDATE SET v = excluded.v`);
    const now = performance.now();
    rates.push((rows.length * 1000) / (now - t));
    if (now - lastLog > 30_000) {
      lastLog = now;
      log(`  ${fmt(i + rows.length - from)} rows, ${fmt(((i + rows.length - from) * 1000) / (now - t0))} rows/s so far`);
    }
  }
  return { overall: ((to - from) * 1000) / (performance.now() - t0), median: median(rates) };
}

async function run(name: string, url: string, diskBytes: (c: pg.Client) => Promise<number>, totalDiskBytes: (c: pg.Client) => Promise<number>, pid: number | null): Promise<Result> {
  const c = new pg.Client(url);
  await c.connect();
  await c.query('DROP TABLE IF EXISTS pk');
  await c.query('CREATE TABLE pk (id bigint PRIMARY KEY, v bigint)');
  const rss0 = pid === null ? undefined : rssBytes(pid);
  const log = (s: string): void => void process.stderr.write(`[${name}] ${s}\n`);

  const ins = await upsertRange(c, 0, N, 1, log);
  log(`upsert (insert path) ${fmt(ins.overall)} rows/s, median statement ${fmt(ins.median)} rows/s`);
  // The existing keys to update: the first UPDATE_ROWS inserted (keyOf spreads them over the key range).
  const upd = await upsertRange(c, 0, UPDATE_ROWS, 2, log);
  log(`upsert (update path) ${fmt(upd.overall)} rows/s, median statement ${fmt(upd.median)} rows/s`);
  const rss1 = pid === null ? undefined : rssBytes(pid);

  const sel: number[] = [];
  const deadline = performance.now() + LOOKUP_SECONDS * 1000;
  for (let i = 0; i < LOOKUPS && performance.now() < deadline; i++) {
    const k = keyOf((i * 7919) % N).toString();
    const t = performance.now();
    const r = await c.query({ name: 'sel', text: 'SELECT v FROM pk WHERE id = $1', values: [k] });
    sel.push(performance.now() - t);
    if (r.rows.length !== 1) throw new Error(`${name}: lookup of ${k} returned ${r.rows.length} rows`);
  }
  log(`SELECT by key: ${sel.length} lookups`);
  const probe: number[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const k = keyOf((i * 104729) % N).toString();
    const t = performance.now();
    const r = await c.query({ name: 'probe', text: 'INSERT INTO pk VALUES ($1, 0) ON CONFLICT (id) DO NOTHING', values: [k] });
    probe.push(performance.now() - t);
    if (r.rowCount !== 0) throw new Error(`${name}: probe of ${k} inserted`);
  }
  const diskBytesPerKey = (await diskBytes(c)) / N;
  const totalDiskBytesPerKey = (await totalDiskBytes(c)) / N;

  // Delete by key: batches of 1,000 keys, then single prepared deletes, from the end of the key range.
  let t0 = performance.now();
  let deleted = 0;
  const deleteRates: number[] = [];
  for (let i = N - DELETE_ROWS; i < N; i += BATCH) {
    const keys: string[] = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) keys.push(keyOf(j).toString());
    const t = performance.now();
    const n = (await c.query(`DELETE FROM pk WHERE id IN (${keys.join(',')})`)).rowCount ?? 0;
    deleteRates.push((n * 1000) / (performance.now() - t));
    deleted += n;
  }
  log(`delete IN (1,000): median statement ${fmt(median(deleteRates))} rows/s`);
  const deleteBatchRowsPerSec = (deleted * 1000) / (performance.now() - t0);
  if (deleted !== DELETE_ROWS) throw new Error(`${name}: deleted ${deleted} of ${DELETE_ROWS}`);
  t0 = performance.now();
  let single = 0;
  for (let i = 0; i < SINGLE_DELETES; i++) {
    single += (await c.query({ name: 'del', text: 'DELETE FROM pk WHERE id = $1', values: [keyOf(i).toString()] })).rowCount ?? 0;
  }
  const deleteSingleRowsPerSec = (single * 1000) / (performance.now() - t0);
  const count = Number((await c.query('SELECT count(*) AS n FROM pk')).rows[0].n);
  const want = N - DELETE_ROWS - SINGLE_DELETES;
  if (count !== want) throw new Error(`${name}: count(*) ${count}, expected ${want}`);
  log(`deletes done; count(*) = ${count} exact`);
  await c.end();
  return {
    upsertInsertRowsPerSec: ins.overall,
    upsertUpdateRowsPerSec: upd.overall,
    upsertInsertMedian: ins.median,
    upsertUpdateMedian: upd.median,
    deleteBatchMedian: median(deleteRates),
    selectP50Ms: sel.length ? pct(sel, 50) : undefined,
    selectP99Ms: sel.length ? pct(sel, 99) : undefined,
    selectDone: sel.length,
    probeP50Ms: pct(probe, 50),
    probeP99Ms: pct(probe, 99),
    deleteBatchRowsPerSec,
    deleteSingleRowsPerSec,
    diskBytesPerKey,
    totalDiskBytesPerKey,
    rssBytesPerKey: rss0 !== undefined && rss1 !== undefined ? (rss1 - rss0) / N : undefined,
  };
}

const results: Record<string, Result> = {};
if (opts.only !== 'postgres') {
  const external = opts['tessera-url'];
  const t = external !== undefined
    ? { url: external, dataDir: opts['tessera-data'] ?? '', pid: Number(opts['tessera-pid'] ?? 0), stop: async (): Promise<void> => {} }
    : await startTessera({ args: ['--fsync', 'off'] });
  try {
    results['tessera'] = await run('tessera', t.url, async () => {
      let bytes = 0;
      for (const f of ['pkindex.db', 'pkindex.db-wal']) {
        const p = path.join(t.dataDir, f);
        if (fs.existsSync(p)) bytes += fs.statSync(p).size;
      }
      return bytes;
    }, async () => dirBytes(t.dataDir), t.pid);
  } finally {
    await t.stop();
  }
}
if (opts.only !== 'tessera' && postgresAvailable()) {
  const p = await startPostgres();
  try {
    results['postgres'] = await run(
      'postgres',
      p.url,
      async (c) => Number((await c.query("SELECT pg_relation_size('pk_pkey') AS n")).rows[0].n),
      async (c) => Number((await c.query("SELECT pg_total_relation_size('pk') AS n")).rows[0].n),
      null,
    );
  } finally {
    await p.stop();
  }
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return n;
}

const ms = (x: number | undefined): string => (x === undefined ? 'n/a' : x.toFixed(3));
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || b === 0 ? 'n/a' : (a / b).toFixed(2));
const T = results['tessera'];
const P = results['postgres'];
const rows: [string, number | undefined, number | undefined, (x: number | undefined) => string][] = [
  ['upsert, new keys (rows/s)', P?.upsertInsertRowsPerSec, T?.upsertInsertRowsPerSec, fmt],
  ['  median statement (rows/s)', P?.upsertInsertMedian, T?.upsertInsertMedian, fmt],
  ['upsert, existing keys (rows/s)', P?.upsertUpdateRowsPerSec, T?.upsertUpdateRowsPerSec, fmt],
  ['  median statement (rows/s)', P?.upsertUpdateMedian, T?.upsertUpdateMedian, fmt],
  ['SELECT by key p50 (ms)', P?.selectP50Ms, T?.selectP50Ms, ms],
  ['SELECT by key p99 (ms)', P?.selectP99Ms, T?.selectP99Ms, ms],
  ['ON CONFLICT DO NOTHING probe p50 (ms)', P?.probeP50Ms, T?.probeP50Ms, ms],
  ['ON CONFLICT DO NOTHING probe p99 (ms)', P?.probeP99Ms, T?.probeP99Ms, ms],
  ['delete by key, IN (1,000) (rows/s)', P?.deleteBatchRowsPerSec, T?.deleteBatchRowsPerSec, fmt],
  ['  median statement (rows/s)', P?.deleteBatchMedian, T?.deleteBatchMedian, fmt],
  ['delete by key, prepared 1 row (rows/s)', P?.deleteSingleRowsPerSec, T?.deleteSingleRowsPerSec, fmt],
  ['index disk per key (bytes)', P?.diskBytesPerKey, T?.diskBytesPerKey, (x) => (x === undefined ? 'n/a' : x.toFixed(1))],
  ['table + index disk per key (bytes)', P?.totalDiskBytesPerKey, T?.totalDiskBytesPerKey, (x) => (x === undefined ? 'n/a' : x.toFixed(1))],
  ['server RSS growth per key (bytes)', undefined, T?.rssBytesPerKey, (x) => (x === undefined ? 'n/a' : x.toFixed(1))],
];
console.log(`primary-key index — ${fmt(N)} bigint keys, batches of ${BATCH}; SELECT lookups done: postgres ${P?.selectDone ?? 'n/a'}, tessera ${T?.selectDone ?? 'n/a'}\n`);
console.log(`${'measure'.padEnd(42)}${'postgres'.padStart(12)}${'tessera'.padStart(12)}${'tessera/postgres'.padStart(18)}`);
for (const [label, p, t, f] of rows) console.log(`${label.padEnd(42)}${f(p).padStart(12)}${f(t).padStart(12)}${ratio(t, p).padStart(18)}`);
